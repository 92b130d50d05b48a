/// Kinds of stored events (contract section 4).
package enum EventKind: String, Sendable, CaseIterable {
    case joined, left, message, question, answer, draft, status, moderation, ended
    /// An investor's verdict on an answer to their own question (issue 19).
    case rating
    /// A file an officer shared in the session: name, type, size and SHA-256 (issue 19).
    case attachment

    /// Drafts are for officers only, and so are ratings (an investor's verdict, seen live by
    /// officers; the investor who rated hears of it by the ack); every other kind is visible
    /// to every reader.
    package var officersOnly: Bool { self == .draft || self == .rating }

    /// Kinds whose `text` the glossary layer annotates with `terms`.
    package var hasText: Bool {
        switch self {
        case .message, .question, .answer, .draft: return true
        default: return false
        }
    }
}

/// One stored event: its canonical body (docs/transcripts.md) plus the columns the store
/// indexes. The body is what gets hashed, so it is kept exactly as first written.
package struct Event: Sendable, Equatable {
    /// Session id.
    package let session: String
    /// Position in the session, from 1, without gaps.
    package let seq: Int64
    /// What happened.
    package let kind: EventKind
    /// Author's participant id.
    package let senderId: String
    /// The sender's idempotency key, for `message`/`question` events.
    package let clientId: String?
    /// The canonical body: `session, seq, kind, at, from` and the kind's fields.
    package let body: JSONValue

    /// Makes an event from its parts; `fields` are the kind's own members (`text`, …).
    package init(
        session: String, seq: Int64, kind: EventKind, at: String, from: Participant,
        clientId: String? = nil, fields: [String: JSONValue] = [:]
    ) {
        var members = fields.filter { $0.value != .null }
        members["session"] = .string(session)
        members["seq"] = .int(seq)
        members["kind"] = .string(kind.rawValue)
        members["at"] = .string(at)
        members["from"] = from.author
        if let clientId { members["clientId"] = .string(clientId) }
        self.session = session
        self.seq = seq
        self.kind = kind
        self.senderId = from.id
        self.clientId = clientId
        self.body = .object(members)
    }

    /// Rebuilds an event from a stored canonical body.
    package init(body: JSONValue) throws(DialogueError) {
        guard let session = body["session"]?.stringValue, let seq = body["seq"]?.intValue,
            let kind = body["kind"]?.stringValue.flatMap(EventKind.init(rawValue:)),
            let sender = body["from"]?["id"]?.stringValue
        else { throw DialogueError(.badRequest, "stored event lacks session, seq, kind or from") }
        self.session = session
        self.seq = seq
        self.kind = kind
        self.senderId = sender
        self.clientId = body["clientId"]?.stringValue
        self.body = body
    }

    /// The canonical bytes that are hashed and stored.
    package var canonicalBytes: [UInt8] { JSONWriter.bytes(body) }

    /// The event's text, for kinds that have one.
    package var text: String? { body["text"]?.stringValue }

    /// The `event` frame as bytes, spliced onto the canonical body: `{"type":"event",` and
    /// (for kinds with text) `"terms":…,` in front of the body's members. Members are not in
    /// canonical order then, which the wire does not need; hashing uses the body alone.
    package static func frameBytes(
        canonical: [UInt8], hasText: Bool, terms: [UInt8] = Array("[]".utf8), translation: [UInt8]? = nil
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(canonical.count + 32 + terms.count + (translation?.count ?? 0))
        out.append(contentsOf: #"{"type":"event","#.utf8)
        if hasText {
            out.append(contentsOf: #""terms":"#.utf8)
            out.append(contentsOf: terms)
            out.append(UInt8(ascii: ","))
            if let translation {
                out.append(contentsOf: #""translation":"#.utf8)
                out.append(contentsOf: translation)
                out.append(UInt8(ascii: ","))
            }
        }
        out.append(contentsOf: canonical.dropFirst())
        return out
    }

    /// The `event` frame for one reader. `terms` (and later a translation) are per reader;
    /// everything else is the stored body.
    package func frame(terms: JSONValue = .array([]), translation: JSONValue? = nil) -> JSONValue {
        guard case .object(var members) = body else { return body }
        members["type"] = "event"
        if kind.hasText { members["terms"] = terms }
        if let translation { members["translation"] = translation }
        return .object(members)
    }
}
