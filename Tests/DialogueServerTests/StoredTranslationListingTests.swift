import Dialogue
import Store
import Testing

@testable import DialogueServer

/// A stored translation as `GET /v1/sessions/{id}/translations` lists it and an export
/// carries it (made in DialogueServer: Store does not depend on Transcripts).
@Suite struct StoredTranslationListingTests {
    @Test func aPersonsTranslationIsListedWithWhoMadeItAndWhen() {
        let human = StoredTranslation(
            session: "ses_a", seq: 3, language: "vi", text: "x", engine: "human", glossaryVersion: nil,
            glossaryOk: true, by: TranslationAuthor(id: "stf_lan", name: "Lan", role: "interpreter"),
            at: "2026-11-26T04:40:00.000Z")
        #expect(human.listed.objectValue?.keys.sorted() == [
            "at", "by", "engine", "glossaryOk", "language", "seq", "text",
        ])
        #expect(human.listed["by"] == ["id": "stf_lan", "name": "Lan", "role": "interpreter"])
        #expect(human.transcript.seq == 3 && human.transcript.at == human.at)
    }
}
