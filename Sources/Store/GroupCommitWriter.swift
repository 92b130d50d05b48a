import Dialogue
import Foundation
import GRDB
import Logging
import HashChain

/// What became of a group of submitted events. Results arrive in submission order.
package struct CommitResult: Sendable {
    /// Events now durably stored, in order.
    package var committed: [Event]
    /// The canonical bytes of each committed event (same order), made once for hashing and
    /// reused to build frames.
    package var canonical: [[UInt8]] = []
    /// Events not stored, with the reason (storage failure, or a seq that does not follow).
    package var failed: [FailedAppend]
    /// Monotonic nanoseconds at which each committed event was submitted (same order).
    package var submittedAt: [UInt64]
    /// Monotonic nanoseconds at which the transaction committed.
    package var committedAt: UInt64

    package init(
        committed: [Event], canonical: [[UInt8]] = [], failed: [FailedAppend], submittedAt: [UInt64],
        committedAt: UInt64
    ) {
        self.committed = committed
        self.canonical = canonical
        self.failed = failed
        self.submittedAt = submittedAt
        self.committedAt = committedAt
    }
}

/// An event the writer did not store.
package struct FailedAppend: Sendable {
    /// The event.
    package var event: Event
    /// Why.
    package var error: StoreError

    package init(event: Event, error: StoreError) {
        self.event = event
        self.error = error
    }
}

/// Appends events with group commit on a thread of its own: it takes the events queued so
/// far as `CommitBatching` decides (the policy PostgreSQL's writer shares) and writes them
/// in one transaction. One fsync then covers many events, and no caller
/// ever blocks on disk. It also computes the hash chain and refuses any event whose seq
/// does not directly follow the session's last stored one, so gaps cannot be stored, or
/// whose clientId its sender already used in the session, so nothing is stored twice.
// @unchecked: the queue is guarded by `condition`; `heads` is used on the writer thread only.
package final class GroupCommitWriter: EventAppender, @unchecked Sendable {
    private struct Pending {
        var event: Event
        var submittedAt: UInt64
    }

    private let pool: DatabasePool
    private let logger: Logger
    private let condition = NSCondition()
    private var queue: [Pending] = []
    /// When to commit and how much (guarded by `condition`).
    private var batching: CommitBatching
    private var started = false
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)
    /// What the writer knows of each session it wrote to since it started.
    private var heads: [String: SessionHead] = [:]
    private let sink = CommitResults()
    /// Every commit's result, in order; consumed by exactly one task (unless `deliverResults`).
    package var results: AsyncStream<CommitResult> { sink.stream }

    init(pool: DatabasePool, interval: Duration, batchLimit: Int, logger: Logger) {
        self.pool = pool
        batching = CommitBatching(interval: interval, limit: batchLimit)
        self.logger = logger
    }

    package func deliverResults(to handler: @escaping @Sendable (CommitResult) -> Void) {
        sink.deliver(to: handler)
    }

    /// Starts the writer thread; submissions before this wait in the queue.
    package func start() {
        condition.lock()
        defer { condition.unlock() }
        guard !started else { return }
        started = true
        let thread = Thread { [self] in run() }
        thread.name = "group-commit"
        thread.start()
    }

    /// Queues events for the next commit. Never blocks on disk.
    package func submit(_ events: [Event]) {
        guard !events.isEmpty else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        condition.lock()
        guard !stopping else {
            condition.unlock()
            sink.yield(CommitResult(failing: events, .writeFailed("the writer has stopped"), at: now))
            return
        }
        queue.append(contentsOf: events.map { Pending(event: $0, submittedAt: now) })
        condition.signal()
        condition.unlock()
    }

    /// Commits what is queued, then stops the thread and finishes `results`.
    package func shutdown() {
        condition.lock()
        let wasStarted = started
        stopping = true
        condition.signal()
        condition.unlock()
        if wasStarted {
            finished.wait()
            finished.signal()  // let a second shutdown() return too
        } else {
            sink.finish()
        }
    }

    private func run() {
        Thread.current.name = "group-commit"  // set from inside, so the OS sees it (top, perf, /proc)
        while let batch = nextBatch() {
            sink.yield(commit(batch))
        }
        sink.finish()
        finished.signal()
    }

    /// The next batch as `CommitBatching` decides, waiting on `condition` as it says; nil
    /// once stopping with nothing left.
    private func nextBatch() -> [Pending]? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            switch batching.next(queued: queue.count, stopping: stopping, now: .now) {
            case .finish:
                return nil
            case .waitForEvents:
                condition.wait()
            case .gather(let until):
                let (seconds, attoseconds) = (until - .now).components
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) / 1e18))
            case .take(let count):
                let batch = Array(queue.prefix(count))
                queue.removeFirst(count)
                return batch
            }
        }
    }

    private func commit(_ batch: [Pending]) -> CommitResult {
        var committed: [Pending] = []
        var canonical: [[UInt8]] = []
        var failed: [FailedAppend] = []
        // This batch's progress, applied to `heads` only once its transaction commits. The
        // stored clientIds stay in `heads` (read in place, never copied: sessions can be long).
        var newHeads: [String: (seq: Int64, chain: [UInt8])] = [:]
        var newClientKeys: [String: Set<Int>] = [:]
        do {
            try pool.write { db in
                let insert = try db.cachedStatement(
                    sql: """
                        INSERT INTO events (session_id, seq, kind, sender, client_id, body, hash, chain,
                                            text_salt, person_salt)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for pending in batch {
                    let event = pending.event
                    if heads[event.session] == nil { heads[event.session] = try loadHead(db, event.session) }
                    let head = newHeads[event.session] ?? (heads[event.session]!.seq, heads[event.session]!.chain)
                    guard event.seq == head.seq + 1 else {
                        failed.append(
                            FailedAppend(
                                event: event,
                                error: .outOfSequence(
                                    session: event.session, expected: head.seq + 1, got: event.seq)))
                        continue
                    }
                    if let clientId = event.clientId {
                        let key = SessionHead.clientKey(sender: event.senderId, clientId: clientId)
                        if heads[event.session]!.clientKeys.contains(key)
                            || !newClientKeys[event.session, default: []].insert(key).inserted
                        {
                            failed.append(
                                FailedAppend(
                                    event: event,
                                    error: .writeFailed(
                                        "clientId \(clientId) of \(event.senderId) is already stored in \(event.session)"
                                    )))
                            continue
                        }
                    }
                    // One encoding serves the stored bytes and the hash (see `eventHash(body:canonical:…)`).
                    let (bytes, members) = JSONWriter.bytes(event.body, locating: HashChain.splicedMembers)
                    // Every new event commits with fresh salts (transcript version 2).
                    let salts = EventSalts.fresh(for: event.body)
                    let hash = HashChain.eventHash(body: event.body, canonical: bytes, members: members, salts: salts)
                    let chain = HashChain.link(previous: head.chain, eventHash: hash)
                    try insert.execute(arguments: [
                        event.session, event.seq, event.kind.rawValue, event.senderId, event.clientId,
                        String(decoding: bytes, as: UTF8.self), Data(hash), Data(chain), salts.text.map { Data($0) },
                        salts.person.map { Data($0) },
                    ])
                    try project(event, into: db)
                    newHeads[event.session] = (event.seq, chain)
                    committed.append(pending)
                    canonical.append(bytes)
                }
            }
        } catch {
            // Any SQLite error may be one event's fault.
            switch CommitBatching.recovery(count: batch.count, eventsCanBeAtFault: true) {
            case .retryOneByOne:
                logger.warning(
                    "batch commit failed; retrying its events one by one", metadata: ["db.error": "\(error)"])
                return CommitResult(merging: batch.map { commit([$0]) })
            case .failAll:
                logger.error("commit failed", metadata: ["db.error": "\(error)", "db.batch": "\(batch.count)"])
                return CommitResult(
                    failing: batch.map(\.event), .writeFailed("\(error)"), at: DispatchTime.now().uptimeNanoseconds)
            }
        }
        for (session, head) in newHeads {
            heads[session]!.seq = head.seq
            heads[session]!.chain = head.chain
        }
        for (session, keys) in newClientKeys { heads[session]!.clientKeys.formUnion(keys) }
        for pending in committed where pending.event.kind == .ended { heads[pending.event.session] = nil }
        return CommitResult(
            committed: committed.map(\.event), canonical: canonical, failed: failed,
            submittedAt: committed.map(\.submittedAt),
            committedAt: DispatchTime.now().uptimeNanoseconds)
    }

    private func loadHead(_ db: Database, _ session: String) throws -> SessionHead {
        var head = SessionHead(seq: 0, chain: HashChain.genesis)
        if let row = try Row.fetchOne(
            db, sql: "SELECT seq, chain FROM events WHERE session_id = ? ORDER BY seq DESC LIMIT 1",
            arguments: [session])
        {
            let chain: Data = row["chain"]
            head = SessionHead(seq: row["seq"], chain: Array(chain))
        }
        let rows = try Row.fetchCursor(
            db, sql: "SELECT sender, client_id FROM events WHERE session_id = ? AND client_id IS NOT NULL",
            arguments: [session])
        while let row = try rows.next() {
            head.clientKeys.insert(SessionHead.clientKey(sender: row[0], clientId: row[1]))
        }
        return head
    }

    /// Keeps the queryable tables in step with the events, in the same transaction.
    private func project(_ event: Event, into db: Database) throws {
        switch event.kind {
        case .joined:
            let from = event.body["from"]
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO participants (session_id, id, role, name, language, organisation, first_seq)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    event.session, event.senderId, from?["role"]?.stringValue ?? "investor",
                    from?["name"]?.stringValue ?? "", event.body["language"]?.stringValue ?? "en",
                    event.body["organisation"]?.stringValue, event.seq,
                ])
        case .moderation where event.body["action"]?.stringValue == "assistant":
            try db.execute(
                sql: "UPDATE sessions SET assistant = ? WHERE id = ?",
                arguments: [event.body["mode"]?.stringValue, event.session])
        case .moderation:
            let column: String
            let value: Bool
            switch event.body["action"]?.stringValue {
            case "mute": (column, value) = ("muted", true)
            case "unmute": (column, value) = ("muted", false)
            case "remove": (column, value) = ("removed", true)
            default: return
            }
            try db.execute(
                sql: "UPDATE participants SET \(column) = ? WHERE session_id = ? AND id = ?",
                arguments: [value, event.session, event.body["target"]?.stringValue])
        case .ended:
            try db.execute(
                // A cancelled meeting stays cancelled (docs/calendar.md), whatever ends it.
                sql: "UPDATE sessions SET status = CASE status WHEN 'cancelled' THEN status ELSE 'ended' END, ended_at = ? WHERE id = ?",
                arguments: [event.body["at"]?.stringValue, event.session])
        default:
            break
        }
    }
}

/// A session's last stored event and the clientIds stored in it, as the writer knows them.
private struct SessionHead {
    var seq: Int64
    var chain: [UInt8]
    /// Hashes of (sender, clientId): 8 bytes an entry instead of two strings. A collision
    /// would refuse a legitimate message, at odds of about n²/2⁶⁵ for n messages in a session.
    var clientKeys: Set<Int> = []

    static func clientKey(sender: String, clientId: String) -> Int {
        var hasher = Hasher()
        hasher.combine(sender)
        hasher.combine(clientId)
        return hasher.finalize()
    }
}
