import Dialogue
import Store
import Transcripts

// Here, not in Store: the store keeps translations, the transcripts list them, and Store
// does not depend on Transcripts.
extension StoredTranslation {
    /// As listed by `GET /v1/sessions/{id}/translations` and in exported transcripts:
    /// `{"seq","language","text","engine","glossaryOk","by"?,"at"}`.
    package var listed: JSONValue { transcript.json() }

    /// As an exported transcript lists it, with who made it.
    package var transcript: TranscriptTranslation {
        TranscriptTranslation(
            seq: seq, language: language, text: text, engine: engine, glossaryOk: glossaryOk, by: by?.json, at: at)
    }
}
