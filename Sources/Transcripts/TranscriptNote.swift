import Dialogue

/// A staff annotation on one event of a transcript; notes sit outside the hash chain.
package struct TranscriptNote: Sendable, Equatable {
    /// The note's id in the store.
    package var id: Int64
    /// The seq of the event it annotates.
    package var seq: Int64
    /// What the note says.
    package var text: String
    /// Who wrote it (the staff account's name).
    package var author: String
    /// When it was written, RFC 3339 UTC.
    package var at: String

    /// A note from its parts.
    package init(id: Int64, seq: Int64, text: String, author: String, at: String) {
        self.id = id
        self.seq = seq
        self.text = text
        self.author = author
        self.at = at
    }

    /// The exported object `{"id","seq","text","author","at"}`.
    package func json() -> JSONValue {
        ["id": .int(id), "seq": .int(seq), "text": .string(text), "author": .string(author), "at": .string(at)]
    }

    /// Reads an exported note object (`path` names it in errors).
    package init(json: JSONValue, path: String = "note") throws(TranscriptError) {
        let fields = try JSONFields(json, path: path)
        self.init(
            id: try fields.int("id"), seq: try fields.int("seq"), text: try fields.string("text"),
            author: try fields.string("author"), at: try fields.string("at"))
    }
}
