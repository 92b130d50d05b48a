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
        /// The language of the quoted sentences (the answer's `language`).
        var language: String
        var citations: [SearchResult]
        /// 0…1: how much of the question the quoted sentences cover.
        var confidence: Double
        /// The desk to hand over to, and why.
        var handover: (desk: ContactDesk, reason: String)?
        /// Who wrote the text: `extractive`, or `llm:MODEL`.
        var engine = "extractive"
    }

    /// Sentences quoted at most.
    static let maximumSentences = 3

    func compose(question: String, language: String, results: [SearchResult]) -> Composition {
        let questionConcepts = Set(glossary?.terms(in: question, language: language).map(\.conceptIndex) ?? [])
        let questionTokens = Set(
            SearchTokenizer.tokens(question).filter { $0.count > 2 || $0.first?.isNumber == true })
        // "How much / how many / when": a sentence with a figure is what answers it.
        let asksForFigure = Self.asksForFigure(question)
        // Every sentence of the passages, scored by what of the question it holds.
        struct Candidate {
            var sentence: String
            var result: SearchResult
            var covered: Set<String>
            var score: Double
        }
        var candidates: [Candidate] = []
        for (rank, result) in results.enumerated() {
            for sentence in PassageSplitter.sentences(result.passage) {
                let tokens = Set(SearchTokenizer.tokens(sentence))
                var covered = Set(questionTokens.intersection(tokens).map { "t:" + $0 })
                if let glossary, !questionConcepts.isEmpty {
                    let concepts = Set(glossary.terms(in: sentence).map(\.conceptIndex)).intersection(questionConcepts)
                    covered.formUnion(concepts.map { "c:\($0)" })
                }
                guard !covered.isEmpty else { continue }
                let numbers = covered.filter { $0.hasPrefix("t:") && $0.dropFirst(2).first?.isNumber == true }.count
                var score = Double(covered.count) + Double(numbers) + 0.5 * result.score / (results.first?.score ?? 1)
                if asksForFigure && tokens.contains(where: { $0.first?.isNumber == true && !$0.hasPrefix("20") }) {
                    score += 2
                }
                if result.language.hasPrefix(language) { score += 0.5 }
                score -= 0.1 * Double(rank)
                candidates.append(Candidate(sentence: sentence, result: result, covered: covered, score: score))
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
        // Quoted sentences in one language: the first chosen sentence's.
        if let first = chosen.first { chosen = chosen.filter { $0.result.language == first.result.language } }
        let confidence = wanted.isEmpty ? 0 : min(1, Double(covered.count) / Double(wanted.count) * 1.5)
        var citations: [SearchResult] = []
        for candidate in chosen where !citations.contains(where: { $0.passage == candidate.result.passage }) {
            citations.append(candidate.result)
        }
        let floor = pack.manifest.handover?.confidenceFloor ?? 0.35
        let rule = matchingRule(question: question, concepts: questionConcepts)
        var handover: (desk: ContactDesk, reason: String)?
        if let rule, let desk = pack.desk(id: rule.desk) {
            handover = (desk, AssistantPhrases.reasonRule(language))
        } else if confidence < floor || chosen.isEmpty, let defaultDesk = pack.manifest.handover?.defaultDesk,
            let desk = pack.desk(id: defaultDesk)
        {
            handover = (desk, AssistantPhrases.reasonLowConfidence(language))
        }
        guard !chosen.isEmpty, confidence >= floor || rule != nil else {
            return Composition(
                text: AssistantPhrases.notFound(language), language: language, citations: [], confidence: confidence,
                handover: handover)
        }
        let quoted = chosen.map(\.sentence).joined(separator: " ")
        let text = AssistantPhrases.intro(language) + " " + quoted
        return Composition(
            text: text, language: chosen[0].result.language, citations: citations, confidence: confidence,
            handover: handover)
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

    /// Whether a question asks for a quantity or a figure, in any of the six languages.
    static func asksForFigure(_ question: String) -> Bool {
        let folded = fold(question)
        let cues = [
            "how much", "how many", "what share", "what percentage", "percent", "combien", "quel montant", "quelle part",
            "pourcentage", "bao nhieu", "ty le", "いくら", "いくつ", "何社", "何件", "何パーセント", "何%", "どのくらい", "どれくらい",
            "何台", "何トン", "何ヘクタール", "몇", "얼마", "퍼센트", "多少", "几", "百分之", "比例",
        ]
        return cues.contains { folded.contains(fold($0)) }
    }

    /// Lower case, diacritics and width folded, as the glossary compares.
    static func fold(_ text: String) -> String {
        TextFolding.string(TextFolding.looseKey(text.unicodeScalars))
    }
}

/// What the assistant says around its quotes, in the six languages.
enum AssistantPhrases {
    static func pick(_ language: String, _ texts: [String: String]) -> String {
        texts[language] ?? texts[LanguageTag.primary(language)] ?? texts["en"]!
    }

    static func intro(_ language: String) -> String {
        pick(language, [
            "vi": "Theo tài liệu của Ban:", "en": "According to the agency's documents:",
            "fr": "Selon les documents de l’agence :", "ja": "当局の資料によると：", "ko": "기관 자료에 따르면:",
            "zh": "根据本局资料：",
        ])
    }

    static func notFound(_ language: String) -> String {
        pick(language, [
            "vi": "Tài liệu của Ban không có thông tin đủ chắc chắn để trả lời câu hỏi này. Một cán bộ sẽ trả lời Quý vị.",
            "en": "The agency's documents do not answer this question with enough certainty. An officer will reply to you.",
            "fr": "Les documents de l’agence ne répondent pas à cette question avec assez de certitude. Un conseiller vous répondra.",
            "ja": "当局の資料では、このご質問に十分確かな回答ができません。担当職員からご回答いたします。",
            "ko": "기관 자료로는 이 질문에 충분히 확실한 답변을 드릴 수 없습니다. 담당 직원이 답변해 드리겠습니다.",
            "zh": "本局资料不足以可靠地回答这个问题。工作人员将为您解答。",
        ])
    }

    static func reasonRule(_ language: String) -> String {
        pick(language, [
            "vi": "Câu hỏi cần cán bộ phụ trách quyết định hoặc xác nhận.",
            "en": "This question needs a decision or confirmation by the responsible officer.",
            "fr": "Cette question demande une décision ou une confirmation du service compétent.",
            "ja": "このご質問は担当部署の判断または確認が必要です。", "ko": "이 질문은 담당 부서의 결정 또는 확인이 필요합니다.",
            "zh": "此问题需要主管部门作出决定或确认。",
        ])
    }

    static func languageBridge(_ language: String, desk: String) -> String {
        pick(language, [
            "vi": "Bộ phận này chưa làm việc bằng ngôn ngữ của Quý vị; \(desk) sẽ hỗ trợ kết nối.",
            "en": "This desk does not work in your language; the \(desk) will put you in touch.",
            "fr": "Ce service ne travaille pas dans votre langue ; le \(desk) fera le lien.",
            "ja": "この部署はご利用の言語に対応していないため、\(desk)がおつなぎします。",
            "ko": "이 부서는 귀하의 언어를 지원하지 않으므로 \(desk)에서 연결해 드립니다.",
            "zh": "该部门不使用您的语言，\(desk)将为您联系。",
        ])
    }

    static func reasonLowConfidence(_ language: String) -> String {
        pick(language, [
            "vi": "Tài liệu hiện có chưa trả lời đầy đủ câu hỏi.", "en": "The documents available do not fully answer the question.",
            "fr": "Les documents disponibles ne répondent pas entièrement à la question.",
            "ja": "現在の資料ではご質問に十分お答えできません。", "ko": "현재 자료로는 질문에 충분히 답할 수 없습니다.",
            "zh": "现有资料无法完整回答该问题。",
        ])
    }
}
