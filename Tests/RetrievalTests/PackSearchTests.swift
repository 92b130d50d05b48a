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
    @Test func explore() throws {
        for question in [
            "クアンニン省の2025年のFDI誘致目標はいくらですか？",
            "What is the science and technology budget of the province?",
            "Khu công nghệ cao Vân Đồn có kế hoạch gì?",
            "광닌성 산업단지에 투자하고 싶습니다. 어떤 산업단지가 있나요?",
            "广宁省有多少外商直接投资项目？",
        ] {
            let results = try RepositoryIndex.index.search(SearchQuery(text: question, language: "en"), glossary: RepositoryIndex.glossary)
            print("Q:", question)
            for r in results { print("  ", r.score, r.document, r.passage.prefix(120)) }
        }
    }
}
