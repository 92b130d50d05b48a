import Foundation
import Testing

@testable import AgentPacks

/// Glossary, contacts and documents load with the manifest; any broken one refuses the
/// whole pack with file, line and reason.
@Suite("Pack parts")
struct PackPartsTests {
    @Test func aValidPackLoadsItsGlossaryContactsAndDocuments() throws {
        let pack = try AgentPack(folder: Fixture.agentsFolder("valid").appendingPathComponent("beta"))
        let glossary = try #require(pack.glossary)
        #expect(glossary.concepts.map(\.id) == ["corporate-income-tax", "land-lease", "beta-city"])
        #expect(glossary.languages == ["vi", "en", "zh-Hant", "pt-BR"])
        #expect(pack.contacts.map(\.id) == ["investor-services", "land", "tax"])
        let land = try #require(pack.desk(id: "land"))
        #expect(land.name.text(in: "ja") == "Land desk")
        #expect(land.role.text(in: "vi") == "Land lease questions")
        #expect(land.email == "land@beta.example")
        #expect(pack.desk(id: "investor-services")?.name.text(in: "vi") == "Bộ phận tiếp nhận")
        #expect(pack.documents.map(\.id) == ["overview.en", "overview.vi"])
        let english = pack.documents[0]
        #expect(english.family == "overview")
        #expect(english.title == "Beta City overview")
        #expect(english.date == "2025-09")
        #expect(english.zone == "Beta City")
        #expect(english.sector == "logistics, manufacturing")
        #expect(english.bodyLine == 9)
        #expect(english.body.contains("one industrial park"))
        #expect(pack.documents[1].title == "Tổng quan Thành phố Beta")
        #expect(pack.documents[1].zone == nil)
    }

    @Test func aBrokenGlossaryNamesItsFileAndLine() throws {
        let error = try loadError("bad-glossary")
        #expect(error.file.hasSuffix("bad-glossary/Agents/beta/glossary.tsv"))
        #expect(error.line == 3)
        #expect(error.reason.contains("expected 7 tab-separated cells"))
    }

    @Test func aHandOverRuleMustNameAKnownDesk() throws {
        let error = try loadError("unknown-desk")
        #expect(error.file.hasSuffix("unknown-desk/Agents/beta/agent.json"))
        #expect(error.line == 15)
        #expect(error.reason == "desk \"lands\" is not in contacts.json")
    }

    @Test func aHandOverRuleMustNameAGlossaryConcept() throws {
        let error = try loadError("unknown-concept")
        #expect(error.line == 16)
        #expect(error.reason == "concept \"vat\" is not in the pack's glossary.tsv")
    }

    @Test func aDocumentNeedsValidFrontMatter() throws {
        let error = try loadError("bad-document")
        #expect(error.file.hasSuffix("bad-document/Agents/beta/documents/overview.vi.md"))
        #expect(error.line == 5)
        #expect(error.reason.contains("is not YYYY, YYYY-MM or YYYY-MM-DD"))
    }

    @Test func aDeskNeedsLanguages() throws {
        let error = try loadError("bad-contacts")
        #expect(error.file.hasSuffix("bad-contacts/Agents/beta/contacts.json"))
        #expect(error.line == 5)
        #expect(error.reason.contains("desk \"tax\" needs \"languages\""))
    }

    @Test func frontMatterFaults() {
        func fault(_ text: String) -> AgentPackError? {
            do {
                _ = try PackDocument.parse(text, id: "x.en", file: "x.en.md")
                return nil
            } catch {
                return error
            }
        }
        #expect(fault("# no front matter\n")?.line == 1)
        #expect(fault("---\ntitle: T\nlanguage: en\n")?.reason.contains("not closed") == true)
        #expect(fault("---\ntitle: T\nlanguage: en\nsource: S\n---\ntext\n")?.reason.contains("lacks \"date\"") == true)
        #expect(fault("---\ntitle: T\nlanguage: english\nsource: S\ndate: 2025\n---\ntext\n")?.line == 3)
        #expect(fault("---\ntitle T\n---\n")?.line == 2)
        #expect(fault("---\ntitle: T\ntitle: U\n---\n")?.reason.contains("twice") == true)
        #expect(fault("---\ntitle: T\nlanguage: en\nsource: S\ndate: 2025-13\n---\ntext\n")?.line == 5)
        #expect(fault("---\ntitle: T\nlanguage: en\nsource: S\ndate: 2025\n---\n\n")?.reason.contains("no text") == true)
        #expect(fault("\u{FEFF}---\r\ntitle: T\r\nlanguage: en\r\nsource: S\r\ndate: 2025-02-03\r\n---\r\nBody\r\n") == nil)
    }

    private func loadError(_ fixture: String) throws -> AgentPackError {
        let folder = try Fixture.agentsFolder(fixture)
        return try #require(throws: AgentPackError.self) { try AgentCatalog(folder: folder) }
    }
}
