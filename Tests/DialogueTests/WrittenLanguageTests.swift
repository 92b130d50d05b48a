import Foundation
import Testing

@testable import Dialogue

/// The cases live in Tests/web/written-language.json, which the pages' text.test.js reads
/// too: the server's rule and the pages' `writtenLanguage` must agree.
@Suite struct WrittenLanguageTests {
    struct Case: Decodable, CustomTestStringConvertible {
        var text: String
        var claimed: String
        var written: String
        var why: String
        var testDescription: String { why }
    }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../web/written-language.json").standardized
        struct File: Decodable { var cases: [Case] }
        guard let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data) else {
            return []
        }
        return file.cases
    }()

    @Test func theSharedCasesAreThere() {
        #expect(Self.cases.count >= 10, "Tests/web/written-language.json is missing or unreadable")
    }

    @Test(arguments: cases) func theWrittenLanguageOfEachCase(_ example: Case) {
        #expect(WrittenLanguage.of(example.text, claimed: example.claimed) == example.written)
    }
}
