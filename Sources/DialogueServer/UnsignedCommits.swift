import Store
import Synchronization

/// The live sessions that have events this process committed since their last checkpoint:
/// the only events the server signs (docs/transcripts.md, "When the server signs"). Events
/// found unsigned in the database but not committed here (after a crash, or written by
/// someone else) are never signed for their own sake.
package final class UnsignedCommits: Sendable {
    /// What is unsigned in one session.
    struct Pending: Sendable {
        /// Events committed since the last checkpoint.
        var count: Int
        /// When the oldest of them committed.
        var since: ContinuousClock.Instant
    }

    private let sessions = Mutex<[String: Pending]>([:])

    /// An empty tally.
    package init() {}

    /// Records a commit's events (no I/O: this runs on the commit delivery path); true when
    /// a session now has `threshold` unsigned events. An `ended` event clears its session:
    /// its final head is the archiver's.
    func note(_ result: CommitResult, threshold: Int) -> Bool {
        guard !result.committed.isEmpty else { return false }
        let now = ContinuousClock.now
        return sessions.withLock { sessions in
            var due = false
            for event in result.committed {
                if event.kind == .ended {
                    sessions[event.session] = nil
                    continue
                }
                sessions[event.session, default: Pending(count: 0, since: now)].count += 1
                if sessions[event.session]!.count >= threshold { due = true }
            }
            return due
        }
    }

    /// Takes `session` off the tally; true when it had unsigned events committed here.
    func take(_ session: String) -> Bool {
        sessions.withLock { $0.removeValue(forKey: session) != nil }
    }

    /// Takes the sessions with `threshold` unsigned events, or whose oldest is `interval` old.
    func takeDue(threshold: Int, interval: Duration) -> [String] {
        let now = ContinuousClock.now
        return sessions.withLock { sessions in
            let due = sessions.filter { $0.value.count >= threshold || now - $0.value.since >= interval }.map(\.key)
            for id in due { sessions[id] = nil }
            return due
        }
    }

    /// Takes every session with unsigned events (at shutdown).
    func takeAll() -> [String] {
        sessions.withLock { sessions in
            defer { sessions.removeAll() }
            return Array(sessions.keys)
        }
    }
}

/// The last head this process signed in each live session, as it signed it: the prefix
/// the next checkpoint need not read or verify again, as long as the store still holds
/// that chain value at that seq (docs/transcripts.md, "Checkpoints and the final head").
/// Without it every checkpoint re-read and re-verified the whole session, a cost growing
/// with the session's length (a sixth of the server's CPU at 1,000 messages/s).
package final class SignedPrefixes: Sendable {
    private let heads = Mutex<[String: (seq: Int64, chain: [UInt8])]>([:])

    /// None known yet.
    package init() {}

    /// What this process last signed in `session`, if anything.
    func last(of session: String) -> (seq: Int64, chain: [UInt8])? {
        heads.withLock { $0[session] }
    }

    /// Remembers a head signed (or checked whole) by this process.
    func remember(session: String, seq: Int64, chain: [UInt8]) {
        heads.withLock { heads in
            if let known = heads[session], known.seq > seq { return }
            heads[session] = (seq, chain)
        }
    }

    /// Forgets a session (sealed, or its prefix no longer stored as signed).
    func forget(session: String) {
        heads.withLock { _ = $0.removeValue(forKey: session) }
    }
}
