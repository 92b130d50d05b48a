import Foundation
import Testing

@testable import Retrieval

/// Answer quality (issue 5): 90 questions, 15 per language, each with the fact a correct
/// passage must contain. Recall@5 per language, with and without glossary expansion; the
/// test fails below 0.85 overall or 0.75 for any language (with expansion).
@Suite("Retrieval evaluation")
struct EvaluationTests {
    struct Question: Decodable {
        var id: String
        var language: String
        var question: String
        var facts: [String]
        var documents: [String]?
    }

    static func load(_ name: String) -> [Question] {
        let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json")!
        return try! JSONDecoder().decode([Question].self, from: Data(contentsOf: url))
    }

    /// The evaluation set.
    static let questions = load("evaluation")
    /// A second set of 45 questions, written later by another hand while the glossary was
    /// extended: reported beside the first, to show the figures do not hang on its wording.
    static let secondSet = load("second-set")

    static let languages = ["vi", "en", "fr", "ja", "ko", "zh"]

    /// Lower case, no diacritics, đ → d, NFC: how facts are looked for in passages.
    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "Đ", with: "d")
            .replacingOccurrences(of: "\u{202F}", with: " ").replacingOccurrences(of: "\u{A0}", with: " ")
    }

    /// The pack's language versions, block by block.
    static let alignment = DocumentAlignment(documents: RepositoryIndex.catalog.defaultPack.documents)

    /// The texts that say what `result` says: the passage itself and, for each of its
    /// sentences, the same place in every language version of its document (a ja passage
    /// holds a fact in Japanese wording; its vi/en/fr counterparts hold the spellings).
    static func counterparts(of result: SearchResult) -> [String] {
        var texts = [result.passage]
        for sentence in PassageSplitter.sentences(result.passage) {
            guard let place = alignment.place(of: sentence, in: result.document) else { continue }
            let count = alignment.quote(at: place, in: result.language).map { PassageSplitter.sentences($0.block).count }
            for language in languages {
                if let quote = alignment.quote(at: place, in: language, sentenceCountOfSource: count) { texts.append(quote.text) }
            }
        }
        return texts
    }

    /// Recall@5 per language: a question counts when one of its top five passages, or the
    /// same place in another language version, holds one of the fact's spellings.
    static func recall(expand: Bool, questions: [Question] = questions) throws
        -> (perLanguage: [String: Double], overall: Double, misses: [String])
    {
        var hits: [String: Int] = [:]
        var totals: [String: Int] = [:]
        var misses: [String] = []
        for question in questions {
            let results = try RepositoryIndex.index.search(
                SearchQuery(text: question.question, language: question.language, k: 5, expandWithGlossary: expand),
                glossary: RepositoryIndex.glossary)
            let facts = question.facts.map(fold)
            let found = results.contains { result in
                Self.counterparts(of: result).contains { text in facts.contains { fold(text).contains($0) } }
            }
            totals[question.language, default: 0] += 1
            if found {
                hits[question.language, default: 0] += 1
            } else {
                misses.append("\(question.id) \(question.question) → \(results.map(\.document))")
            }
        }
        var perLanguage: [String: Double] = [:]
        for language in languages { perLanguage[language] = Double(hits[language] ?? 0) / Double(max(1, totals[language] ?? 0)) }
        let overall = Double(hits.values.reduce(0, +)) / Double(questions.count)
        return (perLanguage, overall, misses)
    }

    @Test func theSetIsAsSpecified() {
        #expect(Self.questions.count >= 90)
        for language in Self.languages {
            #expect(Self.questions.filter { $0.language == language }.count >= 15, "questions in \(language)")
        }
        #expect(Set(Self.questions.map(\.id)).count == Self.questions.count)
        // Every family now exists in all six languages, so no question is cross-lingual by
        // necessity any more; what the recall test relies on is that each question's facts
        // (spelled in vi/en/fr) are in the pack: in one of its named documents' versions.
        let documents = RepositoryIndex.catalog.defaultPack.documents
        for question in Self.questions + Self.secondSet {
            let families = question.documents.map(Set.init)
            let holding = documents.filter { document in
                (families?.contains(document.family) ?? true)
                    && question.facts.contains { Self.fold(document.body).contains(Self.fold($0)) }
            }
            #expect(!holding.isEmpty, "facts of \(question.id) found in no document")
            for family in families ?? [] {
                #expect(Self.alignment.languages(of: family).contains(question.language), "\(family) in \(question.language)")
            }
        }
    }

    @Test func recallAtFive() throws {
        let expanded = try Self.recall(expand: true)
        let plain = try Self.recall(expand: false)
        let second = try Self.recall(expand: true, questions: Self.secondSet)
        func line(_ name: String, _ result: (perLanguage: [String: Double], overall: Double, misses: [String])) -> String {
            name + " overall " + String(format: "%.3f", result.overall) + " | "
                + Self.languages.map { "\($0) " + String(format: "%.2f", result.perLanguage[$0] ?? 0) }.joined(separator: " ")
        }
        print("recall@5 " + line("with glossary expansion:   ", expanded))
        print("recall@5 " + line("without glossary expansion:", plain))
        print("recall@5 " + line("second set (45), expanded: ", second))
        for miss in expanded.misses + second.misses { print("  missed: \(miss)") }
        #expect(expanded.overall >= 0.85, "overall recall@5 \(expanded.overall)")
        #expect(second.overall >= 0.85, "overall recall@5 of the second set \(second.overall)")
        for language in Self.languages {
            #expect((expanded.perLanguage[language] ?? 0) >= 0.75, "recall@5 in \(language)")
        }
    }
}
