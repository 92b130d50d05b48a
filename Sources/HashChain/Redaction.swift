import Dialogue

/// What a redaction removes from one stored event, keeping its hash (docs/transcripts.md,
/// "Redaction"): the body left holds commitments where the words or the person were, and the
/// salts that committed them are dropped, so nothing left can confirm a guess.
package enum Redaction {
    /// How much of an event is removed.
    package enum Scope: String, Sendable {
        /// What was said: `text` and `citations` (a redaction by an officer, or retention).
        case text
        /// What was said and who said it: also `from.name` and `organisation` (erasure of a participant).
        case person
    }

    /// Why an event cannot be redacted.
    package enum Refusal: Error, Equatable, Sendable {
        /// The event holds nothing this scope removes.
        case nothingToRemove
        /// The stored body no longer matches its stored hash: redacting it would hide that.
        case hashMismatch
    }

    /// The body and salts to store instead of `body` and `salts`; their hash equals `hash`.
    package static func apply(
        _ scope: Scope, body: JSONValue, salts: EventSalts, hash: [UInt8]
    ) -> Result<(body: JSONValue, salts: EventSalts), Refusal> {
        guard HashChain.eventHash(body: body, salts: salts) == hash else { return .failure(.hashMismatch) }
        let kept: EventSalts
        switch scope {
        case .text:
            guard HashChain.textMembers.contains(where: { body[$0] != nil }) else { return .failure(.nothingToRemove) }
            kept = EventSalts(person: salts.person)
        case .person:
            kept = .none
        }
        // Only the members whose salt goes are turned into commitments; the rest stay readable.
        let removed = EventSalts(
            text: salts.text, person: scope == .person ? salts.person : nil)
        // Without a text salt (version 1) the text's commitment is its plain SHA-256, which a
        // guess can be checked against; version 2's salt is what takes that away.
        let newBody = HashChain.hashedForm(body, salts: removed)
        guard newBody != body || scope == .person else { return .failure(.nothingToRemove) }
        guard HashChain.eventHash(body: newBody, salts: kept) == hash else { return .failure(.hashMismatch) }
        return .success((newBody, kept))
    }
}
