import Dialogue
import Testing

@testable import Transcripts

/// Translations in transcripts: the export lists every one with who made it (beside the
/// chain, so it still verifies), and the renderings say who translated.
@Suite struct TranscriptTranslationTests {
    let fixture = TranscriptFixture()

    static let lan: JSONValue = ["id": "stf_lan", "name": "Nguyễn Thị Lan", "role": "interpreter"]

    /// The fixture's document with a machine translation of seq 3 and a person's of seq 4.
    func translated() throws -> TranscriptDocument {
        var document = try fixture.document()
        document.translations = [
            TranscriptTranslation(
                seq: 3, language: "en", text: "Hello, welcome to Van Don.", engine: "libretranslate", glossaryOk: true,
                by: nil, at: "2026-11-26T04:42:31.000Z"),
            TranscriptTranslation(
                seq: 4, language: "vi", text: "Thời hạn thuê đất là bao lâu?", engine: "human", glossaryOk: false,
                by: Self.lan, at: "2026-11-26T04:50:00.000Z"),
        ]
        return document
    }

    @Test func theExportListsTranslationsWithWhoMadeThemAndStillVerifies() throws {
        let document = try translated()
        let json = try fixture.exportedJSON(document)
        #expect(
            json["translations"]?.arrayValue?.last == [
                "seq": 4, "language": "vi", "text": "Thời hạn thuê đất là bao lâu?", "engine": "human",
                "glossaryOk": false, "by": Self.lan, "at": "2026-11-26T04:50:00.000Z",
            ])
        #expect(json["translations"]?.arrayValue?.first?["by"] == nil)
        #expect(try TranscriptDocument(json: json) == document)
        #expect(try TranscriptVerifier.verify(export: json).ok)
        // Not hashed into the chain (translations may come after the meeting), but signed
        // with the whole export: one removed afterwards is found.
        guard case .object(var root) = json else { return }
        root["translations"] = []
        let edited = try TranscriptVerifier.verify(export: .object(root))
        #expect(!edited.ok && edited.firstBadSeq == nil)
        #expect(edited.reason?.hasPrefix("document signature invalid") == true)
        // An export written before translations were listed still reads.
        root["translations"] = nil
        #expect(try TranscriptDocument(json: .object(root)).translations.isEmpty)
    }

    @Test func renderingsSayWhoTranslatedAndWhichMachineDid() throws {
        var document = try translated()
        document.events[2].translation = [
            "text": "Hello, welcome to Van Don.", "language": "en", "engine": "libretranslate", "glossaryOk": true,
        ]
        document.events[3].translation = [
            "text": "Thời hạn thuê đất là bao lâu?", "language": "vi", "engine": "human", "glossaryOk": false,
            "by": Self.lan, "at": "2026-11-26T04:50:00.000Z",
        ]
        let md = MarkdownTranscript.render(document, language: "en")
        #expect(md.contains("  - _Machine translation (libretranslate):_ Hello, welcome to Van Don."))
        #expect(
            md.contains(
                "  - _Translation by Nguyễn Thị Lan (interpreter) (human, glossary not kept):_ Thời hạn thuê đất là bao lâu?"
            ), "\(md)")
        let vi = MarkdownTranscript.render(document, language: "vi")
        #expect(vi.contains("_Bản dịch của Nguyễn Thị Lan (phiên dịch viên) (human, không giữ đúng thuật ngữ):_"))
        let html = HTMLTranscript.render(document, language: "en")
        #expect(
            html.contains(
                "<p class=\"translation human\"><strong>Translation by Nguyễn Thị Lan (interpreter) (human, glossary not kept):</strong>"
            ))
        #expect(html.contains("<p class=\"translation\"><strong>Machine translation (libretranslate):</strong>"))
    }

    @Test func everyLanguageNamesTheInterpreter() {
        let names = ["en", "fr", "vi", "ja", "ko", "zh"].map { TranscriptLabels.forLanguage($0).role("interpreter") }
        #expect(names == ["interpreter", "interprète", "phiên dịch viên", "通訳者", "통역사", "译员"])
    }
}
