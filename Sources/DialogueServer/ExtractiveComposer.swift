import AgentPacks
import Dialogue
import Glossary
import Retrieval

/// The embedded answer composer (no model needed): extractive and grounded. It picks the
/// sentences of the retrieved passages that best cover the question's words, concepts and
/// numbers, keeps them exactly as written (figures and names untouched), and cites every
/// passage it quotes. When nothing covers the question well enough it says so and hands
/// over instead of guessing; so does a question that a hand-over rule sends to a desk.
struct ExtractiveComposer {
    let pack: AgentPack
    let glossary: Glossary?

    /// What the assistant says about one question.
    struct Composition: Sendable {
        var text: String
        /// The asker's language: the answer's `language`.
        var language: String
        var citations: [SearchResult]
        /// 0…1: how much of the question the quoted sentences cover.
        var confidence: Double
        /// The desk to hand over to, and why.
        var handover: (desk: ContactDesk, reason: String)?
        /// Who wrote the text: `extractive`, or `llm:MODEL`.
        var engine = "extractive"
        /// The language of the quoted sentences when the pack lacks the asker's (else the asker's).
        var quotedLanguage: String? = nil
    }

    /// Sentences quoted at most.
    static let maximumSentences = 3

    func compose(question: String, language: String, results: [SearchResult]) -> Composition {
        let asker = LanguageTag.primary(language)
        let questionConcepts = Set(glossary?.terms(in: question, language: language).map(\.conceptIndex) ?? [])
        let contentTokens = StopWords.contentTokens(question)
        // Vietnamese words are often two syllables ("sân bay", "hội viên"): pairs of adjacent
        // content syllables count as words of their own, so "mùa đông" (winter) is not
        // covered by a sentence about "Đông Bắc" (the Northeast).
        let syllablePairs = asker == "vi" ? Self.syllablePairs(question, content: Set(contentTokens)) : []
        let questionTokens = Set(
            contentTokens.filter { $0.count > 2 || $0.first?.isNumber == true } + syllablePairs)
        let form = QuestionForm(question)
        let alignment = alignment(of: results)
        // Every sentence of the passages, scored by what of the question it holds; the same
        // sentence found in several languages is one candidate (its place in the family).
        struct Candidate {
            var sentence: String
            var result: SearchResult
            var place: DocumentAlignment.Place?
            var covered: Set<String>
            var score: Double
            /// Names (the glossary's `keep` concepts) the sentence holds.
            var names = 0
            /// A list of names: what a "which …" question wants.
            var listsNames: Bool { names >= 2 && QuestionForm.enumerates(sentence) }
        }
        var candidates: [Candidate] = []
        var indexOfPlace: [DocumentAlignment.Place: Int] = [:]
        for (rank, result) in results.enumerated() {
            for sentence in PassageSplitter.sentences(result.passage) {
                var tokens = Set(SearchTokenizer.tokens(sentence))
                if !syllablePairs.isEmpty { tokens.formUnion(Self.syllablePairs(sentence, content: nil)) }
                // The sentence's glossary concepts, found once: those of the question, and names.
                let concepts = Set(glossary?.terms(in: sentence).map(\.conceptIndex) ?? [])
                var covered = Set(questionTokens.intersection(tokens).map { "t:" + $0 })
                covered.formUnion(concepts.intersection(questionConcepts).map { "c:\($0)" })
                guard !covered.isEmpty else { continue }
                let numbers = covered.filter { $0.hasPrefix("t:") && $0.dropFirst(2).first?.isNumber == true }.count
                var score = Double(covered.count) + Double(numbers) + 0.5 * result.score / (results.first?.score ?? 1)
                let names = concepts.filter { glossary?.concepts[$0].keep == true }.count
                score += form.bonus(for: sentence, names: names)
                if LanguageTag.primary(result.language) == asker { score += 0.5 }
                score -= 0.1 * Double(rank)
                let place = alignment.place(of: sentence, in: result.document)
                // A fact sheet's introduction says what the sheet is about: it shares the
                // question's words without answering it.
                if place?.section == 0 { score -= 5 }
                if let place, let existing = indexOfPlace[place] {
                    candidates[existing].covered.formUnion(covered)
                    candidates[existing].score = max(candidates[existing].score, score)
                    continue
                }
                if let place { indexOfPlace[place] = candidates.count }
                candidates.append(
                    Candidate(
                        sentence: sentence, result: result, place: place, covered: covered, score: score, names: names))
            }
        }
        // Greedy cover: the best sentence, then those adding most of what is still missing.
        let wanted = Set(questionTokens.map { "t:" + $0 }).union(questionConcepts.map { "c:\($0)" })
        var chosen: [Candidate] = []
        var covered: Set<String> = []
        var pool = candidates.sorted { $0.score > $1.score }
        while chosen.count < Self.maximumSentences, !pool.isEmpty {
            let index = pool.indices.max { a, b in
                let gainA = Double(pool[a].covered.subtracting(covered).count) + pool[a].score / 10
                let gainB = Double(pool[b].covered.subtracting(covered).count) + pool[b].score / 10
                return gainA < gainB
            }!
            let next = pool.remove(at: index)
            if !chosen.isEmpty && next.covered.subtracting(covered).isEmpty { break }
            chosen.append(next)
            covered.formUnion(next.covered)
        }
        // "Which …" wants the list itself: when the best sentences only announce it, the
        // list that follows in the same section is added.
        if form.kind == .which, let first = chosen.first?.place {
            let sameSection = candidates.filter {
                $0.place?.family == first.family && $0.place?.section == first.section
                    && !chosen.map(\.place).contains($0.place)
            }
            // A list of names when none is quoted yet; else another list in that section
            // (the items of what the first sentence announced).
            if !chosen.contains(where: \.listsNames), let list = sameSection.filter(\.listsNames).max(by: { $0.score < $1.score }) {
                chosen.append(list)
            } else if chosen.count == 1,
                let list = sameSection.filter({ QuestionForm.enumerates($0.sentence) }).max(by: { $0.score < $1.score })
            {
                chosen.append(list)
            }
        }
        // Coverage weighs each word by its rarity in the pack (a concept counts as a rare word).
        let vocabulary = PackVocabulary.of(pack)
        func weight(_ item: String) -> Double {
            item.hasPrefix("t:") ? vocabulary.weight(String(item.dropFirst(2))) : vocabulary.conceptWeight
        }
        let wantedWeight = wanted.map(weight).reduce(0, +)
        let coverage = wantedWeight == 0 ? 0 : covered.intersection(wanted).map(weight).reduce(0, +) / wantedWeight
        let formMet = chosen.first.map { form.bonus(for: $0.sentence) > 0 } ?? false
        let confidence = Self.confidence(coverage: coverage, formMet: formMet, form: form)
        // The quotes, in the asker's language where the family has it, else the closest one.
        var quotes: [(text: String, citation: SearchResult)] = []
        var quotedLanguage = asker
        var missingLanguage = false
        for candidate in chosen {
            var quote: DocumentAlignment.Quote?
            if let place = candidate.place {
                let available = alignment.languages(of: place.family)
                let target = Self.closestLanguage(to: asker, among: available, found: LanguageTag.primary(candidate.result.language))
                if target != asker { missingLanguage = true }
                quote = alignment.quote(
                    at: place, in: target,
                    sentenceCountOfSource: alignment.sentenceCount(at: place, in: candidate.result.document))
            }
            if let quote {
                var citation = candidate.result
                citation.document = quote.document.id
                citation.title = quote.document.title
                citation.heading = quote.heading
                citation.passage = quote.block
                citation.language = quote.document.language
                citation.source = quote.document.source
                citation.date = quote.document.date
                quotes.append((quote.text, citation))
                quotedLanguage = quote.document.language
            } else {
                if LanguageTag.primary(candidate.result.language) != asker { missingLanguage = true }
                quotes.append((candidate.sentence, candidate.result))
                quotedLanguage = candidate.result.language
            }
        }
        // A sentence may come out twice (two places whose blocks were cut differently).
        var seenText: Set<String> = []
        quotes = quotes.filter { seenText.insert($0.text).inserted }
        var citations: [SearchResult] = []
        for quote in quotes
        where !citations.contains(where: { $0.document == quote.citation.document && $0.passage == quote.citation.passage }) {
            citations.append(quote.citation)
        }
        let floor = pack.manifest.handover?.confidenceFloor ?? 0.35
        let rule = matchingRule(question: question, concepts: questionConcepts)
        var handover: (desk: ContactDesk, reason: String)?
        if let rule, let desk = pack.desk(id: rule.desk) {
            handover = (desk, AssistantPhrases.reasonRule(language))
        } else if confidence >= floor, form.kind != .other, let first = quotes.first?.text,
            form.bonus(for: first) == 0, let desk = deskNamed(in: first)
        {
            // Asked for a figure, a date or a list, the documents only send the question to a
            // desk ("… please ask the Industrial Parks Desk"): the investor is handed over to
            // it rather than left with a referral.
            handover = (desk, AssistantPhrases.reasonReferral(language))
        } else if confidence < floor || chosen.isEmpty, let defaultDesk = pack.manifest.handover?.defaultDesk,
            let desk = pack.desk(id: defaultDesk)
        {
            handover = (desk, AssistantPhrases.reasonLowConfidence(language))
        }
        guard !chosen.isEmpty, confidence >= floor || rule != nil else {
            return Composition(
                text: AssistantPhrases.notFound(language), language: asker, citations: [], confidence: confidence,
                handover: handover)
        }
        var text = AssistantPhrases.intro(language)
        if missingLanguage {
            text = AssistantPhrases.noVersion(language, quoted: quotedLanguage)
        }
        // Japanese and Chinese put no space between sentences.
        let separator = ["ja", "zh"].contains(asker) ? "" : " "
        text += separator + quotes.map(\.text).joined(separator: separator)
        return Composition(
            text: text, language: asker, citations: citations, confidence: confidence, handover: handover,
            quotedLanguage: quotedLanguage)
    }

    /// Adjacent syllables of a Latin-script text joined as `a_b`, both content words when
    /// `content` is given (a question's), all of them otherwise (a sentence's).
    static func syllablePairs(_ text: String, content: Set<String>?) -> [String] {
        let tokens = SearchTokenizer.tokens(text)
        var pairs: [String] = []
        for (a, b) in zip(tokens, tokens.dropFirst()) where a.first?.isLetter == true && b.first?.isLetter == true {
            if let content, !(content.contains(a) && content.contains(b)) { continue }
            pairs.append(a + "_" + b)
        }
        return pairs
    }

    /// The language versions of the families the results come from, block by block.
    func alignment(of results: [SearchResult]) -> DocumentAlignment {
        let familyOf = Dictionary(pack.documents.map { ($0.id, $0.family) }, uniquingKeysWith: { a, _ in a })
        return DocumentAlignment(documents: pack.documents, families: Set(results.compactMap { familyOf[$0.document] }))
    }

    /// The passages in the asker's language version where their family has it (sentence by
    /// sentence, through their places), so that an LLM writing the answer reads and cites
    /// what the asker will read. Passages of families without that version stay as found.
    func passagesInLanguage(_ results: [SearchResult], language: String) -> [SearchResult] {
        let asker = LanguageTag.primary(language)
        let alignment = alignment(of: results)
        var mapped: [SearchResult] = []
        for result in results {
            guard LanguageTag.primary(result.language) != asker else {
                mapped.append(result)
                continue
            }
            var sentences: [String] = []
            var document: PackDocument?
            for sentence in PassageSplitter.sentences(result.passage) {
                guard let place = alignment.place(of: sentence, in: result.document),
                    let quote = alignment.quote(
                        at: place, in: asker,
                        sentenceCountOfSource: alignment.sentenceCount(at: place, in: result.document))
                else { continue }
                if sentences.last != quote.text { sentences.append(quote.text) }
                document = quote.document
            }
            guard let document, !sentences.isEmpty else {
                mapped.append(result)
                continue
            }
            var version = result
            version.document = document.id
            version.title = document.title
            version.language = document.language
            version.source = document.source
            version.passage = sentences.joined(separator: " ")
            // The same passage found in two languages is given once.
            if !mapped.contains(where: { $0.document == version.document && $0.passage == version.passage }) {
                mapped.append(version)
            }
        }
        return mapped
    }

    /// The language to quote a family in for an asker: theirs when the family has it, else
    /// English, French, Vietnamese (the agency's working languages), else the one it was found in.
    static func closestLanguage(to asker: String, among available: Set<String>, found: String) -> String {
        for candidate in [asker, "en", "fr", "vi", found] where available.contains(candidate) { return candidate }
        return found
    }

    /// A desk whose name (in any language) a quoted sentence mentions.
    func deskNamed(in sentence: String) -> ContactDesk? {
        let folded = Self.fold(sentence)
        return pack.contacts.first { desk in
            desk.name.values.values.contains { name in name.count >= 4 && folded.contains(Self.fold(name)) }
        }
    }

    /// The chance that the answer holds what was asked, as measured on the development set
    /// (Tests/DialogueServerTests/Fixtures/answers-dev.json): answers whose quotes hold
    /// every word and concept of the question and have the shape asked for held the fact
    /// nine times in ten; full coverage without the shape, seven in ten; so did most answers
    /// covering two thirds. Below a third of the question covered, the quotes are about
    /// something else, and the value stays under the pack's hand-over floor.
    /// docs/retrieval.md reports, per band, how often the held-out set bore this out.
    static func confidence(coverage: Double, formMet: Bool, form: QuestionForm) -> Double {
        guard coverage >= 0.34 else { return (coverage * 100).rounded() / 100 }
        let shape = form.kind == .other || formMet ? 0.1 : 0
        return min(0.95, 0.45 + 0.35 * min(1, coverage) + shape)
    }

    /// The first hand-over rule whose concepts are in the question or whose topic it mentions.
    func matchingRule(question: String, concepts: Set<Int>) -> AgentManifest.Handover.Rule? {
        guard let rules = pack.manifest.handover?.rules else { return nil }
        let conceptIds = Set(concepts.compactMap { glossary?.concepts[$0].id })
        let folded = Self.fold(question)
        return rules.first { rule in
            rule.concepts.contains(where: conceptIds.contains)
                || rule.topics.contains { !$0.isEmpty && folded.contains(Self.fold($0)) }
        }
    }

    /// Lower case, diacritics and width folded, as the glossary compares.
    static func fold(_ text: String) -> String { QuestionForm.fold(text) }
}

/// What the assistant says around its quotes, in the six languages.
enum AssistantPhrases {
    static func pick(_ language: String, _ texts: [String: String]) -> String {
        texts[language] ?? texts[LanguageTag.primary(language)] ?? texts["en"]!
    }

    static func intro(_ language: String) -> String {
        pick(language, [
            "vi": "Theo tài liệu của Ban:", "en": "According to the agency's documents:",
            "fr": "Selon les documents de l’agence\u{00A0}:", "ja": "当局の資料には次のように記載されています。",
            "ko": "저희 기관 자료에 따르면 다음과 같습니다.",
            "zh": "根据本局资料：",
        ])
    }

    static func notFound(_ language: String) -> String {
        pick(language, [
            "vi": "Tài liệu của Ban chưa có đủ thông tin để trả lời chắc chắn câu hỏi này. Cán bộ phụ trách sẽ phản hồi Quý vị.",
            "en": "The agency's documents do not answer this question with enough certainty. An officer will reply to you.",
            "fr": "Les documents de l’agence ne permettent pas de répondre avec certitude à cette question. Un conseiller vous répondra.",
            "ja": "当局の資料には、このご質問に確実にお答えできる情報がございません。担当職員より改めてご回答いたします。",
            "ko": "기관 자료로는 이 질문에 충분히 확실한 답변을 드릴 수 없습니다. 담당 직원이 답변해 드리겠습니다.",
            "zh": "本局资料中暂无足够信息准确回答该问题。工作人员将为您解答。",
        ])
    }

    static func reasonRule(_ language: String) -> String {
        pick(language, [
            "vi": "Câu hỏi này cần cán bộ phụ trách quyết định hoặc xác nhận.",
            "en": "This question needs a decision or confirmation from the responsible desk.",
            "fr": "Cette question demande une décision ou une confirmation du service compétent.",
            "ja": "このご質問は担当部署の判断または確認が必要です。", "ko": "이 질문은 담당 부서의 결정 또는 확인이 필요합니다.",
            "zh": "此问题需要主管部门作出决定或确认。",
        ])
    }

    static func languageBridge(_ language: String, desk: String) -> String {
        pick(language, [
            "vi": "Bộ phận phụ trách chưa làm việc bằng ngôn ngữ của Quý vị; \(desk) sẽ làm đầu mối kết nối.",
            "en": "The responsible desk does not work in your language; the \(desk) will put you in touch with it.",
            "fr": "Ce service ne travaille pas dans votre langue\u{00A0}; le \(desk) fera le lien.",
            "ja": "担当窓口はご利用の言語に対応していないため、\(desk)がおつなぎいたします。",
            "ko": "담당 창구는 귀하의 언어로 상담이 어려워 \(desk)에서 연결해 드립니다.",
            "zh": "该窗口暂不提供您所用语言的服务，将由\(desk)为您转接。",
        ])
    }

    static func reasonReferral(_ language: String) -> String {
        pick(language, [
            "vi": "Theo tài liệu của Ban, câu hỏi này do bộ phận phụ trách giải đáp.",
            "en": "The agency's documents refer this question to the responsible desk.",
            "fr": "Les documents de l’agence renvoient cette question au service compétent.",
            "ja": "当局の資料では、このご質問は担当窓口が回答することになっています。",
            "ko": "기관 자료에 따르면 이 질문은 담당 창구에서 답변하도록 되어 있습니다.",
            "zh": "根据本局资料，此问题由相关负责窗口解答。",
        ])
    }

    /// The name of `code` written in `language`.
    static func languageName(_ code: String, in language: String) -> String {
        let names: [String: [String: String]] = [
            "vi": ["vi": "tiếng Việt", "en": "tiếng Anh", "fr": "tiếng Pháp", "ja": "tiếng Nhật", "ko": "tiếng Hàn", "zh": "tiếng Trung"],
            "en": ["vi": "Vietnamese", "en": "English", "fr": "French", "ja": "Japanese", "ko": "Korean", "zh": "Chinese"],
            "fr": ["vi": "vietnamien", "en": "anglais", "fr": "français", "ja": "japonais", "ko": "coréen", "zh": "chinois"],
            "ja": ["vi": "ベトナム語", "en": "英語", "fr": "フランス語", "ja": "日本語", "ko": "韓国語", "zh": "中国語"],
            "ko": ["vi": "베트남어", "en": "영어", "fr": "프랑스어", "ja": "일본어", "ko": "한국어", "zh": "중국어"],
            "zh": ["vi": "越南文", "en": "英文", "fr": "法文", "ja": "日文", "ko": "韩文", "zh": "中文"],
        ]
        let table = names[LanguageTag.primary(language)] ?? names["en"]!
        return table[LanguageTag.primary(code)] ?? code
    }

    /// The lead-in when the documents lack the asker's language and another version is quoted.
    static func noVersion(_ language: String, quoted: String) -> String {
        let asker = languageName(language, in: language)
        let other = languageName(quoted, in: language)
        return pick(language, [
            "vi": "Tài liệu của Ban chưa có bản \(asker); dưới đây là trích dẫn từ bản \(other):",
            "en": "The agency's documents are not available in \(asker); the following is quoted from the \(other) version:",
            "fr": "Les documents de l’agence ne sont pas disponibles en \(asker)\u{00A0}; voici un extrait de la version en \(other)\u{00A0}:",
            "ja": "当局の資料には\(asker)版がないため、\(other)版から以下に引用いたします。",
            "ko": "기관 자료에 \(asker)판이 없어 \(other)판에서 인용합니다:",
            "zh": "本局资料暂无\(asker)版本，以下内容引自\(other)版本：",
        ])
    }

    /// Who will contact the investor and how, after a hand-over.
    static func contact(_ language: String, desk: String, organisation: String, email: String?, phone: String?) -> String {
        let reach: String
        switch (email, phone) {
        case let (email?, phone?):
            reach = pick(language, [
                "vi": " Quý vị cũng có thể liên hệ qua thư điện tử \(email) hoặc số điện thoại \(phone).",
                "en": " You can also write to \(email) or call \(phone).",
                "fr": " Vous pouvez aussi écrire à \(email) ou appeler le \(phone).",
                "ja": "メール（\(email)）またはお電話（\(phone)）でもお問い合わせいただけます。",
                "ko": " 이메일(\(email)) 또는 전화(\(phone))로도 문의하실 수 있습니다.",
                "zh": "您也可以发送电子邮件至 \(email) 或致电 \(phone)。",
            ])
        case let (email?, nil):
            reach = pick(language, [
                "vi": " Quý vị cũng có thể liên hệ qua thư điện tử \(email).", "en": " You can also write to \(email).",
                "fr": " Vous pouvez aussi écrire à \(email).", "ja": "メール（\(email)）でもお問い合わせいただけます。",
                "ko": " 이메일(\(email))로도 문의하실 수 있습니다.", "zh": "您也可以发送电子邮件至 \(email)。",
            ])
        case let (nil, phone?):
            reach = pick(language, [
                "vi": " Quý vị cũng có thể liên hệ qua số điện thoại \(phone).", "en": " You can also call \(phone).",
                "fr": " Vous pouvez aussi appeler le \(phone).", "ja": "お電話（\(phone)）でもお問い合わせいただけます。",
                "ko": " 전화(\(phone))로도 문의하실 수 있습니다.", "zh": "您也可以致电 \(phone)。",
            ])
        case (nil, nil):
            reach = ""
        }
        return pick(language, [
            "vi": "\(desk) thuộc \(organisation) sẽ liên hệ với Quý vị.",
            "en": "The \(desk) of the \(organisation) will contact you.",
            "fr": "Le \(desk) – \(organisation) – prendra contact avec vous.",
            "ja": "\(organisation)の\(desk)から改めてご連絡いたします。",
            "ko": "\(organisation) \(desk)에서 연락드리겠습니다.",
            "zh": "\(organisation)的\(desk)将与您联系。",
        ]) + (email == nil ? "" : passedOn(language)) + reach
    }

    /// Said when the desk has an address: the server mails it the question on publication.
    static func passedOn(_ language: String) -> String {
        pick(language, [
            "vi": " Câu hỏi của Quý vị đã được chuyển đến bộ phận này.",
            "en": " Your question has been passed on to them.",
            "fr": " Votre question a été transmise à ce service.",
            "ja": "ご質問は担当窓口に申し伝えております。",
            "ko": " 문의하신 내용은 담당 창구에 전달되었습니다.",
            "zh": "您的问题已转交给该部门。",
        ])
    }

    static func reasonLowConfidence(_ language: String) -> String {
        pick(language, [
            "vi": "Tài liệu hiện có chưa trả lời đầy đủ câu hỏi.", "en": "The documents available do not fully answer the question.",
            "fr": "Les documents disponibles ne répondent pas entièrement à la question.",
            "ja": "現在の資料ではご質問に十分お答えできません。", "ko": "현재 자료로는 문의하신 내용에 충분히 답변드리기 어렵습니다.",
            "zh": "现有资料无法完整回答该问题。",
        ])
    }
}
