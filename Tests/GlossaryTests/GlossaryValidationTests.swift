import Testing

@testable import Glossary

/// One fixture per rule of the glossary format; each must be refused whole, naming the line.
@Suite("Glossary validation")
struct GlossaryValidationTests {
    static let header = "id\tkeep\tvi\ten\tfr\tja\tko\tzh\tnote"

    func refusal(_ tsv: String) -> GlossaryError? {
        do {
            _ = try Glossary(tsv: tsv)
            return nil
        } catch {
            return error
        }
    }

    @Test func wrongColumnCount() throws {
        let error = try #require(refusal("\(Self.header)\nport\t\tcảng\tport\tport\t港\t항\t港\n"))
        #expect(error.line == 2)
        #expect(error.reason.contains("expected 9 tab-separated cells"))
        #expect(error.reason.contains("found 8"))
    }

    @Test func unknownLanguageCode() throws {
        let error = try #require(refusal("id\tvi\tjp\nport\tcảng\t港\n"))
        #expect(error.line == 1)
        #expect(error.reason.contains("unknown language code \"jp\""))
        #expect(refusal("id\tvi\tzh-Hant\tpt-BR\nport\tcảng\t港\tporto\n") == nil)
    }

    @Test func duplicateColumn() throws {
        let error = try #require(refusal("vi\ten\tVI\ncảng\tport\tcảng\n"))
        #expect(error.line == 1)
        #expect(error.reason.contains("appears twice"))
    }

    @Test func noLanguageColumn() throws {
        let error = try #require(refusal("id\tkeep\tnote\na\t\t\n"))
        #expect(error.reason.contains("no language column"))
    }

    @Test func duplicateId() throws {
        let error = try #require(refusal("id\tvi\ten\nport\tcảng\tport\nfoo\tkhu\tzone\nport\tbến\tpier\n"))
        #expect(error.line == 4)
        #expect(error.reason == "duplicate id \"port\" (first on line 2)")
    }

    @Test func emptyConcept() throws {
        let error = try #require(refusal("id\tvi\ten\tnote\nport\tcảng\tport\t\nempty\t\t\tonly a note\n"))
        #expect(error.line == 3)
        #expect(error.reason.contains("empty concept"))
    }

    @Test func aFormOfTwoConceptsInOneLanguage() throws {
        let error = try #require(refusal("id\tvi\ten\nport\tcảng\tport\nharbour\tbến cảng\tPort\n"))
        #expect(error.line == 3)
        #expect(error.reason.contains("already belongs to concept \"port\" on line 2"))
        // The same spelling in two languages is fine; so are spellings equal only once folded.
        #expect(refusal("id\ten\tfr\nport\tport\tport\n") == nil)
        #expect(refusal("id\tvi\nland-lease\tthuê đất\nland-tax\tthuế đất\n") == nil)
        // Equal after normalisation and case: NFD and upper case are the same form.
        let nfd = try #require(refusal("id\tvi\na\tVân Đồn\nb\tVÂN ĐỒN\n"))
        #expect(nfd.line == 3)
    }

    @Test func aFormGivenTwiceInOneCell() throws {
        let error = try #require(refusal("id\ten\nport\tport|seaport|Port\n"))
        #expect(error.reason.contains("given twice"))
    }

    @Test func emptyFormsAndBadKeep() throws {
        #expect(try #require(refusal("id\ten\nport\tport||harbour\n")).reason.contains("empty form"))
        #expect(try #require(refusal("id\ten\nport\t|port\n")).reason.contains("empty form"))
        #expect(try #require(refusal("id\tkeep\ten\nport\tyes\tport\n")).reason.contains("keep must be 1, 0 or empty"))
        #expect(try #require(refusal("id\ten\nport\t--\n")).reason.contains("no letters"))
        #expect(try #require(refusal("")).line == 1)
    }

    @Test func acceptedVariations() throws {
        // CRLF, a BOM, blank lines, no id column (ids derived from English), keep 0.
        let glossary = try Glossary(tsv: "\u{FEFF}vi\ten\tkeep\r\nkhu công nghiệp\tIndustrial Park\t0\r\n\r\ncảng\t\t\r\nHạ Long\tHa Long\t1\r\n")
        #expect(glossary.concepts.map(\.id) == ["industrial-park", "cang", "ha-long"])
        #expect(glossary.concepts[2].keep)
        #expect(glossary.concepts[1].line == 4)
        #expect(glossary.languages == ["vi", "en"])
    }

    @Test func derivedIdsAreUnique() throws {
        let glossary = try Glossary(tsv: "en\tfr\nport\tport\nPort City\tville portuaire\nport city 2\tx\n")
        #expect(Set(glossary.concepts.map(\.id)).count == 3)
    }

    /// Found by fuzz-glossary (Tests/fuzz/glossary/regressions/mark-*): a combining mark
    /// after `|`, after a space or at the start of a cell survived trimming (which works on
    /// Characters, and a space with a mark is one) and made a form the matcher never finds.
    @Test func strayCombiningMarkIsRefused() throws {
        for (line, reason) in [
            ("a|\u{301}b\tx", "U+301"), ("x \u{301}\ty", "U+301"), ("\u{301}a\tq", "U+301"),
            ("\u{20DD}port\tcảng", "U+20DD"),
        ] {
            let error = try #require(refusal("en\tvi\n\(line)\n"), "\(line)")
            #expect(error.line == 2)
            #expect(error.reason.contains("combining mark \(reason) with no letter before it"))
        }
        // Marks on letters are Vietnamese as typed on many keyboards (decomposed): accepted,
        // and found in themselves.
        let glossary = try Glossary(tsv: "en\tvi\nport\tca\u{309}ng|ca\u{302}\u{300}u ca\u{309}ng\n")
        #expect(glossary.terms(in: "ca\u{302}\u{300}u ca\u{309}ng", language: "vi").count == 1)
    }

    /// Found by fuzz-glossary (Tests/fuzz/glossary/regressions/carriage-return-inside-line):
    /// a line starting with a carriage return (old Mac line ends pasted in) kept it in the
    /// form, shown to readers as the approved form and never matched whole.
    @Test func controlCharacterInAFormIsRefused() throws {
        for cell in ["\rport", "po\u{0}rt", "port\u{85}"] {
            let error = try #require(refusal("vi\ten\ncảng\t\(cell)\n"), "\(cell.debugDescription)")
            #expect(error.line == 2)
            #expect(error.reason.contains("control character U+"))
        }
        // Windows line ends are still fine.
        #expect(refusal("vi\ten\r\ncảng\tport\r\n") == nil)
    }
}
