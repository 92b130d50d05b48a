import AgentPacks
import Dialogue
import Foundation
import Logging
import Retrieval
import Testing

@testable import DialogueServer

/// An officer's citations name passages the index holds, with their document's own title
/// and source; nothing else is accepted.
@Suite struct CitationCatalogTests {
    static let document = PackDocument.synthetic(
        id: "fdi.en", title: "Foreign investment", language: "en",
        body: """
            # Projects

            Quang Ninh hosts more than 210 FDI projects. They come from 20 countries.
            Most are in industrial parks.

            # Land

            Land rent is set by the province.
            """)
    static let pack = ComposerTests.pack(documents: [document])
    static var passages: [String] { PassageSplitter.passages(markdown: document.body).map(\.text) }

    func citation(document: String = "fdi.en", title: String = "Foreign investment", passage: String? = nil,
        source: String = "synthetic") -> Citation
    {
        Citation(document: document, title: title, passage: passage ?? Self.passages[0], source: source)
    }

    func refusal(_ citation: Citation) -> String? {
        do {
            try CitationCatalog(pack: Self.pack).check([citation], ref: "c1")
            return nil
        } catch {
            #expect(error.code == .badRequest && error.ref == "c1")
            return error.message
        }
    }

    @Test func everyPassageTheIndexHoldsIsAccepted() throws {
        let catalog = CitationCatalog(pack: Self.pack)
        for passage in Self.passages {
            try catalog.check([citation(passage: passage)])
        }
        // White space aside: the console trims, a line break is a space.
        try catalog.check([citation(passage: "\n  " + Self.passages[0].replacingOccurrences(of: " ", with: "\n\t") + " ")])
    }

    @Test func anythingElseIsRefusedWithTheReason() {
        #expect(refusal(citation(document: "official.en"))?.hasPrefix("citation 1: no document \"official.en\"") == true)
        #expect(refusal(citation(title: "Decree 1"))?.contains("the title of document \"fdi.en\" is") == true)
        #expect(refusal(citation(source: "https://evil.example/"))?.contains("not \"https://evil.example/\"") == true)
        #expect(refusal(citation(passage: "Licences are granted within 24 hours."))?.contains("not one the index holds") == true)
        // A passage cut short, or two run together, is not one the index holds.
        #expect(refusal(citation(passage: String(Self.passages[0].prefix(20)))) != nil)
        #expect(refusal(citation(passage: Self.passages.joined(separator: " "))) != nil)
    }

    @Test func theSecondBadCitationIsNamed() {
        #expect(throws: DialogueError.self) {
            try CitationCatalog(pack: Self.pack).check([citation(), citation(document: "x")])
        }
        do {
            try CitationCatalog(pack: Self.pack).check([citation(), citation(document: "x")])
        } catch {
            #expect(error.message.hasPrefix("citation 2:"))
        }
    }

    /// A pack folder copied to a temporary one, for reloads.
    static func copiedAgents() throws -> URL {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Agents")
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("citations-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: folder)
        return folder
    }

    @Test func theCatalogIsCutOncePerReloadGeneration() throws {
        let folder = try Self.copiedAgents()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try AgentPackSource(folder: folder, logger: Logger(label: "test"))
        let agent = source.current.defaultPack.id
        for _ in 0..<5 { _ = source.citations(agent: agent) }
        #expect(source.citationCatalogBuilds == 1)
        // An edited document: the next reload generation is cut again, and holds the new passage.
        let document = folder.appendingPathComponent("\(agent)/documents/digital-economy-2022.en.md")
        let added = "The province opened a new data centre in Ha Long."
        let handle = try FileHandle(forWritingTo: document)
        handle.seekToEndOfFile()
        handle.write(Data("\n\n# Added\n\n\(added)\n".utf8))
        try handle.close()
        #expect(source.reloadIfChanged() != nil)
        let catalog = source.citations(agent: agent)
        _ = source.citations(agent: agent)
        #expect(source.citationCatalogBuilds == 2)
        let entry = try #require(catalog.documents.values.first { $0.passages.contains(added) })
        #expect(entry.title == "Quang Ninh's digital-economy plan (March 2022)")
    }
}
