import Foundation
import Testing

@testable import AgentPacks

@Suite("Agents folders")
struct AgentCatalogTests {
    @Test("a valid folder loads every pack, sorted by id, ignoring files beside them")
    func validFolder() throws {
        let catalog = try AgentCatalog(folder: Fixture.agentsFolder("valid"))
        #expect(catalog.ids == ["alpha-desk", "beta"])
        #expect(catalog.defaultPack.id == "alpha-desk")
        #expect(catalog.pack(id: "nope") == nil)

        let alpha = try #require(catalog.pack(id: "alpha-desk"))
        #expect(alpha.folder.lastPathComponent == "alpha-desk")
        #expect(alpha.manifest.version == 3)
        #expect(alpha.manifest.retrieval == nil)
        #expect(alpha.manifest.retrievalSettings == AgentManifest.Retrieval(k: 5, minScore: 0))
        #expect(alpha.manifest.handover == nil)
        #expect(alpha.manifestFile.lastPathComponent == "agent.json")
        #expect(alpha.glossaryFile.lastPathComponent == "glossary.tsv")

        let beta = try #require(catalog.pack(id: "beta"))
        #expect(beta.manifest.languages == ["vi", "en", "zh-Hant", "pt-BR"])
        #expect(beta.manifest.retrievalSettings == AgentManifest.Retrieval(k: 8, minScore: 0.2))
        let handover = try #require(beta.manifest.handover)
        #expect(handover.defaultDesk == "investor-services")
        #expect(handover.confidenceFloor == 0.5)
        #expect(
            handover.rules == [
                .init(desk: "land", topics: ["land lease", "site clearance"]),
                .init(desk: "tax", concepts: ["corporate-income-tax"]),
            ])
        #expect(beta.manifest.organisationName(in: "zh-Hant") == "Ban Beta")
    }

    @Test("a single pack folder loads on its own")
    func singlePack() throws {
        let pack = try AgentPack(folder: Fixture.agentsFolder("valid").appendingPathComponent("beta"))
        #expect(pack.id == "beta")
        #expect(pack.manifest.greeting(in: "pt-BR") == "Olá!")
    }

    @Test("bad JSON is refused with the line of the syntax error")
    func badJSON() throws {
        let error = try loadError("bad-json")
        #expect(error.file.hasSuffix("bad-json/Agents/broken/agent.json"))
        #expect(error.line == 5)
        #expect(error.reason.hasPrefix("invalid JSON: "))
        #expect(error.reason.contains("expected ',' or '}'"))
        #expect(error.description.hasSuffix("bad-json/Agents/broken/agent.json:5: \(error.reason)"))
    }

    @Test("a greeting missing for a served language is refused at the greetings key")
    func missingGreeting() throws {
        let error = try loadError("missing-greeting")
        #expect(error.file.hasSuffix("missing-greeting/Agents/greeter/agent.json"))
        #expect(error.line == 8)
        #expect(error.reason == "greeting missing for language \"ko\"")
        #expect(error.description.hasSuffix("greeter/agent.json:8: greeting missing for language \"ko\""))
    }

    @Test("an id that differs from the folder's name is refused at the id key")
    func idMismatch() throws {
        let error = try loadError("id-mismatch")
        #expect(error.file.hasSuffix("id-mismatch/Agents/folder-name/agent.json"))
        #expect(error.line == 3)
        #expect(error.reason.contains("\"another-name\""))
        #expect(error.reason.contains("\"folder-name\""))
    }

    @Test("a pack folder without agent.json is refused, naming the folder")
    func packWithoutManifest() throws {
        let error = try loadError("pack-without-manifest")
        #expect(error.file.hasSuffix("pack-without-manifest/Agents/lonely"))
        #expect(error.line == nil)
        #expect(error.reason.contains("no agent.json"))
    }

    @Test("an agents folder without any pack is refused")
    func noPacks() throws {
        let error = try loadError("no-packs")
        #expect(error.file.hasSuffix("no-packs/Agents"))
        #expect(error.line == nil)
        #expect(error.reason.hasPrefix("no agent pack"))
    }

    @Test("a missing agents folder is refused")
    func missingFolder() throws {
        let error = try loadError("does-not-exist")
        #expect(error.reason == "agents folder not found")
    }

    @Test("paths in errors are relative to the working directory when inside it")
    func displayPath() {
        let inside = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("Agents/x/agent.json")
        #expect(AgentPackError.displayPath(inside) == "Agents/x/agent.json")
        #expect(AgentPackError.displayPath(URL(fileURLWithPath: "/nowhere/agent.json")) == "/nowhere/agent.json")
    }

    private func loadError(_ fixture: String) throws -> AgentPackError {
        let folder = try Fixture.agentsFolder(fixture)
        return try #require(throws: AgentPackError.self) { try AgentCatalog(folder: folder) }
    }
}
