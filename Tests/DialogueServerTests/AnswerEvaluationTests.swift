import AgentPacks
import Foundation
import Glossary
import Retrieval
import Testing

@testable import DialogueServer

/// The assistant's answers, measured end to end (retrieval, then composition) on two
/// question sets written by someone who did not see the composer: `answers-dev.json` (what
/// the composer was tuned on) and `answers-heldout.json` (kept apart, reported only). Per
/// language: how often the answer is in the asker's language and holds the fact; hand-over
/// precision and recall; and, per confidence band, how often the answer held the fact.
/// docs/retrieval.md records the figures.
@Suite("Answer evaluation", .serialized)
struct AnswerEvaluationTests {
    struct Question: Decodable {
        var id: String
        var language: String
        var question: String
        var form: String?
        var facts: [String]
        var handover: String?
    }

    struct Outcome {
        var question: Question
        var composition: ExtractiveComposer.Composition
        var inLanguage: Bool
        var holdsFact: Bool
    }

    static let catalog: AgentCatalog = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Agents")
        return try! AgentCatalog(folder: folder)
    }()

    static let index: SearchIndex = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("answers-\(UUID().uuidString).sqlite").path
        let index = try! SearchIndex(path: path)
        for pack in catalog.packs { try! index.index(pack) }
        return index
    }()

    static func load(_ name: String) -> [Question] {
        let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json")!
        return try! JSONDecoder().decode([Question].self, from: Data(contentsOf: url))
    }

    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "\u{202F}", with: " ")
            .replacingOccurrences(of: "\u{A0}", with: " ")
    }

    static func run(_ questions: [Question]) throws -> [Outcome] {
        let pack = catalog.defaultPack
        let composer = ExtractiveComposer(pack: pack, glossary: pack.glossary)
        let settings = pack.manifest.retrievalSettings
        return try questions.map { question in
            let results = try index.search(
                SearchQuery(text: question.question, language: question.language, k: settings.k, agent: pack.id),
                glossary: pack.glossary
            ).filter { $0.score >= settings.minScore }
            let composition = composer.compose(question: question.question, language: question.language, results: results)
            let inLanguage =
                composition.language == question.language
                && composition.citations.allSatisfy { $0.language == question.language }
            let text = fold(composition.text)
            let holdsFact = question.facts.contains { text.contains(fold($0)) }
            return Outcome(question: question, composition: composition, inLanguage: inLanguage, holdsFact: holdsFact)
        }
    }

    /// The figures of one set, as printed and as the tests check them.
    struct Report: CustomStringConvertible {
        var perLanguage: [(language: String, inLanguage: Double, holdsFact: Double, answerable: Int)] = []
        var handoverPrecision = 0.0
        var handoverRecall = 0.0
        var deskAccuracy = 0.0
        var bands: [(range: String, count: Int, held: Double)] = []
        var misses: [String] = []

        var description: String {
            var lines = ["language  in-language  holds-fact  (answerable)"]
            for row in perLanguage {
                lines.append(
                    "\(row.language)        \(String(format: "%5.1f%%", row.inLanguage * 100))      \(String(format: "%5.1f%%", row.holdsFact * 100))     (\(row.answerable))")
            }
            lines.append(
                "hand-over precision \(String(format: "%.2f", handoverPrecision)), recall \(String(format: "%.2f", handoverRecall)), right desk \(String(format: "%.2f", deskAccuracy))")
            for band in bands {
                lines.append("confidence \(band.range): \(band.count) answers, fact held in \(String(format: "%.0f%%", band.held * 100))")
            }
            return lines.joined(separator: "\n")
        }
    }

    static func report(_ outcomes: [Outcome]) -> Report {
        var report = Report()
        for language in ["vi", "en", "fr", "ja", "ko", "zh"] {
            let all = outcomes.filter { $0.question.language == language }
            let answerable = all.filter { $0.question.handover == nil }
            guard !all.isEmpty else { continue }
            report.perLanguage.append(
                (language, Double(all.filter(\.inLanguage).count) / Double(all.count),
                 answerable.isEmpty ? 0 : Double(answerable.filter(\.holdsFact).count) / Double(answerable.count),
                 answerable.count))
        }
        let predicted = outcomes.filter { $0.composition.handover != nil }
        let expected = outcomes.filter { $0.question.handover != nil }
        let truePositives = predicted.filter { $0.question.handover != nil }
        report.handoverPrecision = predicted.isEmpty ? 0 : Double(truePositives.count) / Double(predicted.count)
        report.handoverRecall = expected.isEmpty ? 0 : Double(truePositives.count) / Double(expected.count)
        report.deskAccuracy =
            truePositives.isEmpty
            ? 0 : Double(truePositives.filter { $0.composition.handover?.desk.id == $0.question.handover }.count)
                / Double(truePositives.count)
        let answerable = outcomes.filter { $0.question.handover == nil }
        for (low, high) in [(0.0, 0.35), (0.35, 0.6), (0.6, 0.8), (0.8, 1.01)] {
            let inBand = answerable.filter { $0.composition.confidence >= low && $0.composition.confidence < high }
            report.bands.append(
                ("\(low)–\(min(high, 1.0))", inBand.count,
                 inBand.isEmpty ? 0 : Double(inBand.filter(\.holdsFact).count) / Double(inBand.count)))
        }
        report.misses = outcomes.filter { !$0.holdsFact && $0.question.handover == nil }.map {
            "\($0.question.id) \($0.question.question) → \($0.composition.text.prefix(160))"
        }
        return report
    }

    @Test func developmentSet() throws {
        let report = Self.report(try Self.run(Self.load("answers-dev")))
        print("answers-dev.json\n\(report)")
        if ProcessInfo.processInfo.environment["ANSWER_MISSES"] != nil {
            try? report.misses.joined(separator: "\n").write(toFile: "/tmp/answer-misses.txt", atomically: true, encoding: .utf8)
            for outcome in try Self.run(Self.load("answers-dev"))
            where (outcome.question.handover != nil) != (outcome.composition.handover != nil) {
                print("HANDOVER", outcome.question.id, outcome.question.handover ?? "-", outcome.composition.handover?.desk.id ?? "-", outcome.question.question)
            }
        }
        for row in report.perLanguage {
            #expect(row.inLanguage >= 0.95, "\(row.language): answers in the asker's language")
        }
    }

    /// The held-out set: the figures docs/retrieval.md reports; the floors are a little
    /// under what was measured, so a regression fails here.
    @Test func heldOutSet() throws {
        let report = Self.report(try Self.run(Self.load("answers-heldout")))
        print("answers-heldout.json\n\(report)")
        for row in report.perLanguage {
            #expect(row.inLanguage >= 0.95, "\(row.language): answers in the asker's language")
            #expect(row.holdsFact >= 0.7, "\(row.language): answers holding the fact")
        }
        let answerable = report.perLanguage.map { $0.holdsFact * Double($0.answerable) }.reduce(0, +)
            / Double(report.perLanguage.map(\.answerable).reduce(0, +))
        #expect(answerable >= 0.8)
        #expect(report.handoverRecall >= 0.6)
        #expect(report.handoverPrecision >= 0.75)
    }
}
