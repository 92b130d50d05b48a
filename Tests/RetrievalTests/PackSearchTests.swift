import AgentPacks
import Foundation
import Glossary
import Testing

@testable import Retrieval

/// The repository's agent pack, indexed once in a temporary file for the tests here.
enum RepositoryIndex {
    static let catalog: AgentCatalog = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Agents")
        return try! AgentCatalog(folder: folder)
    }()

    static let index: SearchIndex = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("retrieval-\(UUID().uuidString).sqlite").path
        let index = try! SearchIndex(path: path)
        for pack in catalog.packs { try! index.index(pack) }
        return index
    }()

    static var glossary: Glossary? { catalog.defaultPack.glossary }
}

@Suite("Searching the pack")
struct PackSearchTests {
    func search(_ text: String, _ language: String, k: Int = 5, documentLanguage: String? = nil, expand: Bool = true)
        throws -> [SearchResult]
    {
        try RepositoryIndex.index.search(
            SearchQuery(text: text, language: language, k: k, documentLanguage: documentLanguage, expandWithGlossary: expand),
            glossary: RepositoryIndex.glossary)
    }

    @Test func aJapaneseQuestionReachesTheFactInAnotherLanguage() throws {
        let question = "クアンニン省の2025年のFDI誘致目標はいくらですか？"
        // Restricted to one other language, the question still reaches the fact there.
        for language in ["vi", "en", "fr"] {
            let results = try search(question, "ja", documentLanguage: language)
            #expect(results.contains { $0.passage.contains("1,25") || $0.passage.contains("1.25") }, "in \(language)")
            #expect(!results.isEmpty && results.allSatisfy { $0.language == language })
            #expect(results.map(\.score) == results.map(\.score).sorted(by: >))
        }
        // Unrestricted, the Japanese version of the fact is found.
        let results = try search(question, "ja")
        #expect(results.contains { $0.language == "ja" && $0.document.hasSuffix(".ja") })
    }

    @Test func theGlossaryIsWhatCarriesAKoreanQuestionAcross() throws {
        let question = "꽝닌성 번돈 경제특구에 첨단기술 구역을 만들 계획이 있나요?"
        // Restricted to Vietnamese (the Korean version would match the question directly).
        let expanded = try search(question, "ko", documentLanguage: "vi")
        #expect(expanded.contains { $0.passage.lowercased().contains("van don") || $0.passage.contains("Vân Đồn") })
        let plain = try search(question, "ko", documentLanguage: "vi", expand: false)
        #expect(plain.filter { $0.passage.contains("Vân Đồn") }.count < expanded.filter { $0.passage.contains("Vân Đồn") }.count)
    }

    @Test func languageVersionsOfOnePassageCountOnceInTheAskersLanguage() throws {
        let results = try search("210 FDI projects from 20 countries, 16.7 billion USD", "fr", k: 10)
        let carrying = results.filter { $0.document.hasPrefix("fdi-overview.") && $0.passage.contains("210") }
        #expect(!carrying.isEmpty)
        #expect(Set(carrying.map(\.language)).count == carrying.count, "one per language at most")
        #expect(carrying.first?.language == "fr")
    }

    @Test func filtersAndLimits() throws {
        let french = try search("khu công nghiệp Đông Mai", "vi", k: 3, documentLanguage: "fr")
        #expect(french.count <= 3 && !french.isEmpty)
        #expect(french.allSatisfy { $0.language == "fr" })
        #expect(try search("   ", "en").isEmpty)
        // A question of function words only finds nothing: kana-only bigrams (endings such as
        // `ですか`, `ます`) and lone particles between spaces (`の が は`) are dropped.
        #expect(try search("ですか ます", "ja").isEmpty)
        #expect(try search("の が は", "ja").isEmpty)
        #expect(try search("the of what is", "en").isEmpty)
        let zone = try RepositoryIndex.index.search(
            SearchQuery(text: "industrial park", language: "en", zone: "no such zone"), glossary: RepositoryIndex.glossary)
        #expect(zone.isEmpty)
    }
}
