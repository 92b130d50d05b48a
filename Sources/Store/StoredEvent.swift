import Dialogue
import HashChain

/// An event as stored, with its digests: what exports and verification need.
package struct StoredEvent: Sendable {
    /// The seq column (the body's own seq may have been tampered with).
    package var seq: Int64
    /// The event (a placeholder when the stored body no longer parses).
    package var event: Event
    /// The stored body text's bytes (canonical unless someone changed them).
    package var storedBody: [UInt8]
    /// SHA-256 of the canonical body.
    package var hash: [UInt8]
    /// Chain value after this event.
    package var chain: [UInt8]
    /// The version-2 salts still stored (none for a version-1 event).
    package var salts: EventSalts

    /// A row as read from a store: the body is parsed when it still parses (a tampered one
    /// may not; its raw bytes are kept so verification can say so).
    package init(
        session: String, seq: Int64, body: String, hash: [UInt8], chain: [UInt8], salts: EventSalts = .none
    ) {
        let event =
            (try? Event(body: JSONParser.parse(body)))
            ?? Event(
                session: session, seq: 0, kind: .message, at: "",
                from: Participant(id: "?", role: .investor, name: "?", language: "en"))
        self.init(seq: seq, event: event, storedBody: Array(body.utf8), hash: hash, chain: chain, salts: salts)
    }

    /// A stored event from its parts.
    package init(
        seq: Int64, event: Event, storedBody: [UInt8], hash: [UInt8], chain: [UInt8], salts: EventSalts = .none
    ) {
        self.seq = seq
        self.event = event
        self.storedBody = storedBody
        self.hash = hash
        self.chain = chain
        self.salts = salts
    }
}

extension Event {
    /// An event from its stored body, for either store; a body that no longer parses is a
    /// read failure.
    package init(storedBody body: String) throws {
        do {
            self = try Event(body: JSONParser.parse(body))
        } catch {
            throw StoreError.readFailed("stored event is unreadable: \(error)")
        }
    }
}
