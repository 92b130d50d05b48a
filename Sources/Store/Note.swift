/// A reviewer's or officer's annotation on one event; kept apart from the hash chain.
package struct Note: Sendable, Equatable {
    /// Row id.
    package var id: Int64
    /// Session.
    package var session: String
    /// The event annotated.
    package var seq: Int64
    /// The note.
    package var text: String
    /// Staff account name.
    package var author: String
    /// RFC 3339.
    package var at: String

    package init(id: Int64, session: String, seq: Int64, text: String, author: String, at: String) {
        self.id = id
        self.session = session
        self.seq = seq
        self.text = text
        self.author = author
        self.at = at
    }
}
