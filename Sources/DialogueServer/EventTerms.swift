import Dialogue
import Glossary

/// The glossary side of an event with text: which terms it holds (found once), and the
/// `terms` array each reader language gets (encoded once per language).
struct EventTerms: Sendable {
    /// Terms found in the event's text, in text order.
    let hits: [TermHit]
    /// The glossary version they were found with.
    let glossary: Glossary?

    static let empty = EventTerms(hits: [], glossary: nil)

    /// Finds the terms of an event body's `text` with `glossary` (the version named in the body).
    init(body: JSONValue, glossary: Glossary?) {
        guard let glossary, let text = body["text"]?.stringValue, !text.isEmpty else {
            self.init(hits: [], glossary: glossary)
            return
        }
        self.init(hits: glossary.terms(in: text, language: body["language"]?.stringValue), glossary: glossary)
    }

    init(hits: [TermHit], glossary: Glossary?) {
        self.hits = hits
        self.glossary = glossary
    }

    /// `[{"text","start","end","concept","translation"}]` for a reader of `language`.
    func json(for language: String) -> JSONValue {
        guard let glossary else { return .array([]) }
        return .array(
            hits.map { hit in
                [
                    "text": .string(hit.text), "start": .int(Int64(hit.start)), "end": .int(Int64(hit.end)),
                    "concept": .string(glossary.concepts[hit.conceptIndex].id),
                    "translation": .string(glossary.approvedForm(of: hit.conceptIndex, for: language)),
                ]
            })
    }

    /// The same, as the bytes spliced into an event frame.
    func bytes(for language: String) -> [UInt8] {
        hits.isEmpty ? Array("[]".utf8) : JSONWriter.bytes(json(for: language))
    }
}
