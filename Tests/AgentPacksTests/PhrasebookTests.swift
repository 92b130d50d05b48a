import Foundation
import Testing

@testable import AgentPacks

/// `phrases.tsv`: the glossary's file rules, refused whole with the line and the reason;
/// the shipped phrasebook covers an officer's meeting in six languages.
@Suite("Phrasebook")
struct PhrasebookTests {
    let header = "id\tvi\ten\tja\tnote"

    @Test func aValidFileKeepsItsOrderLanguagesAndNotes() throws {
        let book = try Phrasebook.parse(
            "\u{FEFF}\(header)\r\nwait-moment\tXin chờ một chút.\tOne moment, please.\t少々お待ちください。\tWhile checking\n\n"
                + "thanks\tCảm ơn.\tThank you.\tありがとうございます。\t\n")
        #expect(book.languages == ["vi", "en", "ja"])
        #expect(book.phrases.map(\.id) == ["wait-moment", "thanks"])
        #expect(book.phrase(id: "wait-moment")?.text(in: "ja") == "少々お待ちください。")
        #expect(book.phrase(id: "wait-moment")?.text(in: "en-GB") == "One moment, please.")
        #expect(book.phrase(id: "wait-moment")?.note == "While checking")
        #expect(book.phrase(id: "thanks")?.line == 4)
    }

    @Test(arguments: [
        ("id\tvi\tnote\nok\t\tnote", 2, "has no vi text"),
        ("id\tvi\nok\tChào\tmore", 2, "expected 2 tab-separated cells"),
        ("id\tvi\nok\tChào\nok\tChào lại", 3, "already used on line 2"),
        ("id\tvi\nNot An Id\tChào", 2, "is not lowercase"),
        ("vi\ten\nChào\tHello", 1, "no \"id\" column"),
        ("id\tvi\tcolour\nok\tChào\tred", 1, "neither id, note nor a language code"),
        ("id\tnote\nok\tnote", 1, "names no language column"),
        ("", 1, "empty file"),
    ])
    func aBrokenFileIsRefusedWithItsLine(text: String, line: Int, reason: String) {
        #expect(throws: Phrasebook.ParseError.self) { try Phrasebook.parse(text) }
        do {
            _ = try Phrasebook.parse(text)
        } catch {
            #expect(error.line == line)
            #expect(error.reason.contains(reason), "\(error.reason)")
        }
    }

    @Test func aPhraseIsStoredInTheSendersLanguageElseThePacksDefault() throws {
        let phrase = try #require(
            try Phrasebook.parse("\(header)\nhi\tXin chào\tHello\tこんにちは\t").phrase(id: "hi"))
        let japanese = PhraseChoice(phrase: phrase, senderLanguage: "ja", packLanguage: "vi")
        #expect(japanese.text == "こんにちは" && japanese.language == "ja")
        #expect(PhraseChoice(phrase: phrase, senderLanguage: "en-US", packLanguage: "vi").language == "en")
        #expect(PhraseChoice(phrase: phrase, senderLanguage: "ko", packLanguage: "vi").text == "Xin chào")
    }

    @Test func theShippedPhrasebookCoversAMeetingInSixLanguages() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Agents/quang-ninh-ipa")
        let pack = try AgentPack(folder: folder)
        let book = try #require(pack.phrasebook)
        #expect(book.phrases.count >= 40)
        #expect(Set(book.languages) == ["vi", "en", "fr", "ja", "ko", "zh"])
        for id in ["greeting-welcome", "wait-moment", "project-capital", "project-land-area", "project-employees",
                   "docs-send-email", "desk-land-contact", "visit-arrange", "closing-thanks-time"] {
            #expect(book.phrase(id: id) != nil, "\(id)")
        }
    }

    /// Found by fuzz-phrasebook (Tests/fuzz/phrasebook/regressions/control-character-in-text):
    /// a DEL, NUL or carriage return inside a cell was sent to readers as approved wording.
    @Test(arguments: ["Go\u{7F}db", "\rHello", "He\u{0}llo", "Hello\u{85}"])
    func aControlCharacterInATextIsRefused(text: String) {
        do {
            _ = try Phrasebook.parse("id\ten\nok\t\(text)\n")
            Issue.record("accepted \(text.debugDescription)")
        } catch {
            #expect(error.line == 2)
            #expect(error.reason.contains("control character U+"), "\(error.reason)")
        }
    }
}
