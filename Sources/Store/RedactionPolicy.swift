import Dialogue
import HashChain

/// Which events an erasure or the retention policy changes, and how much of each: decided
/// here once, so that both stores remove the same things (docs/transcripts.md, "Redaction").
package enum RedactionPolicy {
    /// One stored event as the policy sees it: its author, kind and moderation target.
    package struct Candidate: Sendable, Equatable {
        /// The event's seq.
        package var seq: Int64
        /// The author's participant id (the `sender` column).
        package var sender: String
        /// The event's kind (`kind` column).
        package var kind: String
        /// The moderation event's `target` (a participant id), nil for other kinds.
        package var target: String?

        /// A candidate from its columns.
        package init(seq: Int64, sender: String, kind: String, target: String?) {
            self.seq = seq
            self.sender = sender
            self.kind = kind
            self.target = target
        }

        /// Whether the event names `participant`: they wrote it, or it mutes or removes them
        /// (a moderation event keeps the target's name in `targetName`).
        package func names(_ participant: String) -> Bool {
            sender == participant || (kind == EventKind.moderation.rawValue && target == participant)
        }
    }

    /// What erasing `participant` does to `event`: `person` when the event names them, nil
    /// when it is left alone.
    package static func erasure(of participant: String, _ event: Candidate) -> Redaction.Scope? {
        event.names(participant) ? .person : nil
    }

    /// What retention does to `event`: `person` when it names one of the session's
    /// `investors` (their own words, or an officer's moderation of them), `text` otherwise.
    package static func retention(investors: Set<String>, _ event: Candidate) -> Redaction.Scope {
        investors.contains { event.names($0) } ? .person : .text
    }

    /// What a store does with one event's planned redaction during retention.
    package enum Outcome: Sendable, Equatable {
        /// The event was rewritten.
        case changed
        /// Nothing was left to remove (already redacted, or a kind without text).
        case unchanged
        /// The stored body no longer matches its hash: left as it is and reported, so one
        /// damaged event neither hides its damage nor stops retention of the rest.
        case damaged(String)
    }

    /// Runs `redact` (one event's rewrite with `requireText: false`; true when it changed
    /// the row) and sorts its result for retention: the only refusal left then is an event
    /// that is unreadable or does not match its hash.
    package static func retentionOutcome(_ redact: () throws -> Bool) throws -> Outcome {
        do {
            return try redact() ? .changed : .unchanged
        } catch StoreError.conflict(let reason) {
            return .damaged(reason)
        }
    }

    /// `retentionOutcome` for an asynchronous rewrite (PostgreSQL).
    package static func retentionOutcome(_ redact: () async throws -> Bool) async throws -> Outcome {
        do {
            return try await redact() ? .changed : .unchanged
        } catch StoreError.conflict(let reason) {
            return .damaged(reason)
        }
    }

    /// The reason recorded with a retention run: how many events were cleared, and which
    /// were left because they do not match their hash.
    package static func retentionReason(changed: Int, damaged: [Int64]) -> String {
        var reason = "retention: \(changed) events cleared"
        if !damaged.isEmpty {
            reason +=
                "; left as they were (they do not match their hash): "
                + damaged.map(String.init).joined(separator: ", ")
        }
        return reason
    }
}
