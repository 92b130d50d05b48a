import Dialogue
import Store
import Testing

@testable import DialogueServer

/// The translation a reader gets with an event: a person's over the phrasebook's over a machine's.
@Suite struct ReaderTranslationTests {
    static let phrase: JSONValue = [
        "text": "Xin chờ", "language": "vi", "phraseTexts": ["vi": "Xin chờ", "ja": "少々お待ちください"],
    ]
    static let plain: JSONValue = ["text": "Xin chờ", "language": "vi"]

    static func stored(_ engine: String, _ text: String) -> StoredTranslation {
        StoredTranslation(
            session: "ses_a", seq: 3, language: "ja", text: text, engine: engine, glossaryVersion: nil, glossaryOk: true,
            by: engine == "human" ? TranslationAuthor(id: "stf_lan", name: "Lan", role: "interpreter") : nil,
            at: "2026-11-26T04:50:00.000Z")
    }

    @Test func aPersonsTranslationWinsOverThePhrasebookWhichWinsOverAMachines() {
        let human = Self.stored("human", "お待ちください（通訳）")
        let machine = Self.stored("libretranslate", "待ってください")
        #expect(ReaderTranslation.choose(body: Self.phrase, stored: human, for: "ja") == human.json)
        #expect(ReaderTranslation.choose(body: Self.phrase, stored: machine, for: "ja")?["engine"] == "phrasebook")
        #expect(ReaderTranslation.choose(body: Self.phrase, stored: nil, for: "ja")?["text"] == "少々お待ちください")
        #expect(ReaderTranslation.choose(body: Self.plain, stored: machine, for: "ja") == machine.json)
        #expect(ReaderTranslation.choose(body: Self.plain, stored: human, for: "ja")?["by"]?["name"] == "Lan")
        #expect(ReaderTranslation.choose(body: Self.plain, stored: nil, for: "ja") == nil)
    }
}
