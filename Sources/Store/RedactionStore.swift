import Dialogue
import HashChain

/// Removing what people said, or who they were, from stored events while the chain still
/// verifies (docs/transcripts.md, "Redaction"). Each store does it in one transaction that
/// also drops the events' translations and records who, when and why.
package protocol RedactionStore: ClosableStore {
    /// Redacts one event: its text members (scope `text`), or its author too (`person`).
    /// Throws `notFound` for an unknown event and `conflict` when it holds nothing to remove.
    func redact(session: String, seq: Int64, scope: Redaction.Scope, actor: String, reason: String) async throws
        -> RedactionRecord
    /// Erases an invite's participant: name and organisation in the invite and participant
    /// rows, and every event they authored (scope `person`). Returns the session and the seqs.
    func eraseParticipant(invite: String, actor: String, reason: String) async throws -> (
        session: String, seqs: [Int64]
    )
    /// Every redaction of a session, oldest first.
    func redactions(session: String) async throws -> [RedactionRecord]
    /// Ended sessions that ended before `cutoff` (RFC 3339) and were not yet cleared by retention.
    func sessionsDue(endedBefore cutoff: String) async throws -> [String]
    /// Applies the retention policy to one ended session (docs/transcripts.md, "Retention"):
    /// every text redacted, every investor erased, translations and notes deleted; the
    /// signed head stays. Returns the seqs changed.
    func clearForRetention(session: String, actor: String) async throws -> [Int64]
}

/// One recorded redaction: who removed what, when and why.
package struct RedactionRecord: Sendable, Equatable {
    /// Session.
    package var session: String
    /// The event's seq (0 for a whole-session retention record).
    package var seq: Int64
    /// `text`, `person` or `retention`.
    package var scope: String
    /// Who asked (a staff id, `cli`, `retention`).
    package var actor: String
    /// Why, as given.
    package var reason: String
    /// RFC 3339.
    package var at: String

    /// A record from its parts.
    package init(session: String, seq: Int64, scope: String, actor: String, reason: String, at: String) {
        self.session = session
        self.seq = seq
        self.scope = scope
        self.actor = actor
        self.reason = reason
        self.at = at
    }

    /// The exported object: `{"seq","scope","by","reason","at"}`.
    package var json: JSONValue {
        ["seq": .int(seq), "scope": .string(scope), "by": .string(actor), "reason": .string(reason), "at": .string(at)]
    }
}

/// Placeholder stored for an erased participant's name in invite and participant rows.
package let erasedName = "(erased)"

extension Redaction {
    /// What a store writes for one stored event, or nil when there is nothing to change
    /// (already redacted, or, unless `requireText`, a kind without text); throws the store's
    /// `conflict` when it may not be redacted.
    package static func plan(
        _ scope: Scope, session: String, seq: Int64, bodyText: String, hash: [UInt8], salts: EventSalts,
        requireText: Bool = true
    ) throws -> (body: String, salts: EventSalts)? {
        let body: JSONValue
        do { body = try JSONParser.parse(Array(bodyText.utf8)) } catch {
            throw StoreError.conflict("event \(seq) of session \(session) is unreadable; it was not redacted")
        }
        switch apply(scope, body: body, salts: salts, hash: hash) {
        case .success(let (newBody, kept)):
            return (JSONWriter.string(newBody), kept)
        case .failure(.nothingToRemove):
            if requireText && scope == .text && !HashChain.textMembers.contains(where: { body[$0 + "Hash"] != nil }) {
                throw StoreError.conflict("event \(seq) of session \(session) has no text to redact")
            }
            return nil
        case .failure(.hashMismatch):
            throw StoreError.conflict("event \(seq) of session \(session) does not match its hash; it was not redacted")
        }
    }
}
