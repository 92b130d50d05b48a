import Dialogue
import HashChain

/// One event as exported: its canonical body with the hash and chain the store kept for it.
package struct TranscriptEntry: Sendable, Equatable {
    /// Members an export adds to an event's canonical fields; never part of what is hashed.
    package static let exportKeys: Set<String> = [
        "hash", "chain", "redacted", "terms", "translation", "textSalt", "personSalt",
    ]

    /// The event; a redacted one has no `text` member.
    package var event: Event
    /// SHA-256 of the event's canonical bytes, as stored (32 bytes).
    package var hash: [UInt8]
    /// The chain value after this event, as stored (32 bytes).
    package var chain: [UInt8]
    /// Whether the text was removed after the fact; the stored hash then stands for the original.
    package var redacted: Bool
    /// The version-2 salts still held (exported as `textSalt` and `personSalt`, so an outside
    /// verifier can check the commitments); none for a version-1 event.
    package var salts: EventSalts
    /// Glossary terms of the text for the language the transcript was asked in; nil when
    /// none was asked. Exported beside the event, not hashed.
    package var terms: [TranscriptTerm]?
    /// The translation into the transcript's language a reader was shown, when one was
    /// stored: `{"text","language","engine","glossaryOk"}`, and `by`, `at` for a person's.
    /// Exported beside the event, not hashed.
    package var translation: JSONValue?

    /// An entry from stored values.
    package init(event: Event, hash: [UInt8], chain: [UInt8], redacted: Bool = false, salts: EventSalts = .none) {
        self.event = event
        self.hash = hash
        self.chain = chain
        self.redacted = redacted
        self.salts = salts
    }

    /// Entries for `events` (in seq order), hashed and chained from `previous`.
    package static func chained(_ events: [Event], after previous: [UInt8] = HashChain.genesis) -> [TranscriptEntry] {
        var chain = previous
        return events.map { event in
            let hash = HashChain.eventHash(body: event.body)
            chain = HashChain.link(previous: chain, eventHash: hash)
            return TranscriptEntry(event: event, hash: hash, chain: chain)
        }
    }

    /// This entry with its `text` removed and marked redacted; hash and chain are kept, so
    /// the chain still verifies (docs/transcripts.md, "Hash chain").
    package func redacting() -> TranscriptEntry {
        // The hashed form swaps `text` for `textHash`: exactly what was hashed, minus the text
        // (and its salt). Session, seq, kind and from stay, so the body is still a valid event.
        let stripped = (try? Event(body: HashChain.redactedText(event.body, salts: salts))) ?? event
        return TranscriptEntry(
            event: stripped, hash: hash, chain: chain, redacted: true, salts: EventSalts(person: salts.person))
    }

    /// The exported object: the canonical fields plus `hash`, `chain`, and `redacted` when true.
    package func json() -> JSONValue {
        guard case .object(var members) = event.body else { return event.body }
        members["hash"] = .string(Hex.encode(hash))
        members["chain"] = .string(Hex.encode(chain))
        if redacted { members["redacted"] = .bool(true) }
        if let salt = salts.text { members["textSalt"] = .string(Hex.encode(salt)) }
        if let salt = salts.person { members["personSalt"] = .string(Hex.encode(salt)) }
        if let terms, event.kind.hasText, !redacted { members["terms"] = .array(terms.map(\.json)) }
        if let translation, event.kind.hasText, !redacted { members["translation"] = translation }
        return .object(members)
    }

    /// Reads an exported event object (`path` names it in errors).
    package init(json: JSONValue, path: String = "event") throws(TranscriptError) {
        let fields = try JSONFields(json, path: path)
        let hash = try fields.digest("hash")
        let chain = try fields.digest("chain")
        let redacted = try fields.optionalBool("redacted") ?? false
        let salts = try EventSalts(fields)
        let body = JSONValue.object(fields.members.filter { !Self.exportKeys.contains($0.key) })
        let event: Event
        do {
            event = try Event(body: body)
        } catch {
            throw .unreadable("\(path): \(error.message)")
        }
        self.init(event: event, hash: hash, chain: chain, redacted: redacted, salts: salts)
    }
}

extension EventSalts {
    /// The `textSalt` and `personSalt` members of an exported event, when present.
    init(_ fields: JSONFields) throws(TranscriptError) {
        func salt(_ name: String) throws(TranscriptError) -> [UInt8]? {
            guard let value = fields.members[name] else { return nil }
            guard let text = value.stringValue, let bytes = Hex.decode(text), bytes.count == EventSalts.length else {
                throw .unreadable("\(fields.path).\(name) is not \(EventSalts.length) bytes in hex")
            }
            return bytes
        }
        self.init(text: try salt("textSalt"), person: try salt("personSalt"))
    }
}
