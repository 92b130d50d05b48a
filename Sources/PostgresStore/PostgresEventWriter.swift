import Dialogue
import Foundation
import Logging
import PostgresNIO
import Store
import Synchronization
import HashChain

/// Appends events to PostgreSQL with group commit, like SQLite's `GroupCommitWriter` and on
/// the same policy (`CommitBatching`): the events queued so far go in one transaction, results come back in
/// submission order, and nothing blocks the caller. What SQLite's single writer knows from
/// being alone, this one learns under locks, because other nodes append to the same
/// sessions: each session's `event_heads` row is locked FOR UPDATE while its seq is checked
/// and its chain extended, and `event_client_ids` refuses a (sender, clientId) stored
/// before, whichever node stored it. After the commit, one NOTIFY per session tells the
/// other nodes which seqs to read.
package final class PostgresEventWriter: EventAppender {
    /// The channel other nodes LISTEN on; payload `node:session:firstSeq:lastSeq`, then the
    /// stored bodies one per line when they fit (see schema v4).
    package static let channel = "dialogue_events"

    private struct Pending {
        var event: Event
        var submittedAt: UInt64
    }

    private struct Queue {
        var pending: [Pending] = []
        var started = false
        var stopping = false
        /// When to commit and how much: the policy SQLite's writer shares.
        var batching: CommitBatching
        var task: Task<Void, Never>?
        /// Sessions with a refused event: their later events were decided on rules that
        /// assumed it, so they are refused too until the hub reloads the session (`reopen`).
        var fenced: Set<String> = []
    }

    private let client: PostgresClient
    /// This node, named in its notices so it can skip them.
    private let nodeId: String
    private let logger: Logger
    private let queue: Mutex<Queue>
    /// Submissions and the stop wake the writer's task through it.
    private let wakeup = WriterWakeup()
    private let sink = CommitResults()
    package var results: AsyncStream<CommitResult> { sink.stream }

    init(client: PostgresClient, nodeId: String, interval: Duration, batchLimit: Int, logger: Logger) {
        self.client = client
        self.nodeId = nodeId
        queue = Mutex(Queue(batching: CommitBatching(interval: interval, limit: batchLimit)))
        self.logger = logger
    }

    package func deliverResults(to handler: @escaping @Sendable (CommitResult) -> Void) {
        sink.deliver(to: handler)
    }

    package func start() {
        queue.withLock { queue in
            guard !queue.started else { return }
            queue.started = true
            queue.task = Task { await run() }
        }
    }

    package func submit(_ events: [Event]) {
        guard !events.isEmpty else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let accepted = queue.withLock { queue in
            guard !queue.stopping else { return false }
            queue.pending.append(contentsOf: events.map { Pending(event: $0, submittedAt: now) })
            return true
        }
        if accepted {
            wakeup.signal()
        } else {
            sink.yield(CommitResult(failing: events, .writeFailed("the writer has stopped"), at: now))
        }
    }

    package func reopen(session: String) {
        queue.withLock { _ = $0.fenced.remove(session) }
    }

    package func shutdown() async {
        let task = queue.withLock { queue in
            queue.stopping = true
            return queue.started ? queue.task : nil
        }
        wakeup.signal()
        if let task { await task.value } else { sink.finish() }
    }

    private func run() async {
        while true {
            let batch = await nextBatch()
            guard let batch else { break }
            sink.yield(await commit(batch))
        }
        sink.finish()
    }

    /// The next batch as `CommitBatching` decides, waiting as it says; nil once stopping
    /// with nothing left. A gathering batch waits until the policy's instant or the next
    /// submission, whichever comes first, so the policy sees each arrival (the quiet gap, a
    /// batch grown to `enough`, the stop) as SQLite's condition wait does.
    private func nextBatch() async -> [Pending]? {
        while true {
            let (step, taken) = queue.withLock { queue -> (CommitBatching.Step, [Pending]) in
                let step = queue.batching.next(queued: queue.pending.count, stopping: queue.stopping, now: .now)
                guard case .take(let count) = step else { return (step, []) }
                let taken = Array(queue.pending.prefix(count))
                queue.pending.removeFirst(count)
                return (step, taken)
            }
            switch step {
            case .finish: return nil
            case .waitForEvents: await wakeup.wait()
            case .gather(let until): await wakeup.wait(until: until)
            case .take: return taken
            }
        }
    }

    private func commit(_ batch: [Pending]) async -> CommitResult {
        let logger = logger
        let fenced = queue.withLock { $0.fenced }
        let (client, node) = (client, nodeId)
        let events = batch.map(\.event)
        do {
            let outcome = try await withDeadline(Self.commitDeadline, untilStarted: Self.leaseDeadline) { started in
                try await Self.append(
                    events, fenced: fenced, node: node, client: client, logger: logger, started: started)
            }
            let refused = Set(outcome.failed.map(\.event.session))
            if !refused.isEmpty { queue.withLock { $0.fenced.formUnion(refused) } }
            var submitted: [UInt64] = []
            var committed: [Event] = []
            var canonical: [[UInt8]] = []
            for (pending, bytes) in zip(batch, outcome.canonical) where bytes != nil {
                committed.append(pending.event)
                canonical.append(bytes!)
                submitted.append(pending.submittedAt)
            }
            return CommitResult(
                committed: committed, canonical: canonical, failed: outcome.failed, submittedAt: submitted,
                committedAt: DispatchTime.now().uptimeNanoseconds)
        } catch {
            // Only an error PostgreSQL reported for the statement can be one event's fault;
            // after a timeout or a lost connection, retrying each event alone would only add
            // load (and the batch may still commit: the hub reloads the sessions).
            if CommitBatching.recovery(count: batch.count, eventsCanBeAtFault: Self.isStatementError(error))
                == .retryOneByOne
            {
                logger.warning(
                    "batch commit failed; retrying its events one by one", metadata: ["db.error": "\(describe(error))"])
                var parts: [CommitResult] = []
                for pending in batch { parts.append(await commit([pending])) }
                return CommitResult(merging: parts)
            }
            let reason = StoreError.writeFailed(describe(error))
            logger.error("commit failed", metadata: ["db.error": "\(describe(error))"])
            // The statement may still commit (a deadline passed while it waited on a lock):
            // a later event of these sessions must not commit after it as if it had not, so
            // they are refused until the hub has reloaded them (`reopen`).
            queue.withLock { $0.fenced.formUnion(batch.map(\.event.session)) }
            return CommitResult(failing: batch.map(\.event), reason, at: DispatchTime.now().uptimeNanoseconds)
        }
    }

    /// Longest wait for a connection before a commit's events are reported not stored. A
    /// request for a connection made while PostgreSQL restarts can be lost by the pool and
    /// never answered; without a deadline the writer, and every session behind it, would wait
    /// forever. Should a late transaction still commit, nothing is stored twice: its seqs and
    /// clientIds are checked again, and the hub reloads the session from the store after a
    /// failure.
    static let leaseDeadline: Duration = .seconds(5)
    /// Longest a commit may take once its statement is on the server. Longer: a loaded server
    /// is slow, not gone, and failing its commits would only add the retries' load to it.
    static let commitDeadline: Duration = .seconds(30)

    /// Whether PostgreSQL refused the statement for its data (classes 22 data exception, 23
    /// integrity, 42 syntax or access, P0 PL/pgSQL), which one event can cause; not for a
    /// lost connection or a shutting-down server.
    private static func isStatementError(_ error: any Error) -> Bool {
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return ["22", "23", "42", "P0"].contains(String(state.prefix(2)))
    }

    /// What one transaction did: per event its canonical bytes (nil when refused), and the refusals.
    private struct Outcome: Sendable {
        var canonical: [[UInt8]?] = []
        var failed: [FailedAppend] = []
    }

    /// Appends `events` in one statement, `dialogue_append` (schema v2), which is its own
    /// transaction: one round trip per commit, whatever the batch holds. The event hashes
    /// are made here (canonical JSON), the chain links there, under the sessions' locks.
    private static func append(
        _ events: [Event], fenced: Set<String>, node: String, client: PostgresClient, logger: Logger,
        started: @escaping @Sendable () -> Void
    ) async throws -> Outcome {
        var canonical: [[UInt8]] = []
        var hashes: [String] = []
        var salts: [EventSalts] = []
        canonical.reserveCapacity(events.count)
        for event in events {
            let (bytes, members) = JSONWriter.bytes(event.body, locating: HashChain.splicedMembers)
            // Every new event commits with fresh salts (transcript version 2).
            let eventSalts = EventSalts.fresh(for: event.body)
            canonical.append(bytes)
            salts.append(eventSalts)
            hashes.append(
                Hex.encode(
                    HashChain.eventHash(body: event.body, canonical: bytes, members: members, salts: eventSalts)))
        }
        let query = appendQuery(
            events, bodies: canonical.map { String(decoding: $0, as: UTF8.self) }, hashes: hashes, salts: salts,
            fenced: fenced, node: node)
        let answers = try await client.withConnection { connection in
            started()  // leased: from here on PostgreSQL is working on it
            var answers: [(String, Int64)] = []
            for try await answer in try await connection.query(query, logger: logger).decode((String, Int64).self) {
                answers.append(answer)
            }
            return answers
        }
        var outcome = Outcome()
        var index = 0
        for (status, expected) in answers {
            guard index < events.count else { break }
            let event = events[index]
            switch status {
            case "stored":
                outcome.canonical.append(canonical[index])
            case "duplicate":
                outcome.canonical.append(nil)
                outcome.failed.append(
                    FailedAppend(
                        event: event,
                        error: .writeFailed(
                            "clientId \(event.clientId ?? "") of \(event.senderId) is already stored in \(event.session)")))
            default:
                outcome.canonical.append(nil)
                outcome.failed.append(
                    FailedAppend(
                        event: event, error: .outOfSequence(session: event.session, expected: expected, got: event.seq)))
            }
            index += 1
        }
        guard index == events.count else {
            throw StoreError.writeFailed("dialogue_append answered \(index) of \(events.count) events")
        }
        return outcome
    }

    /// The `dialogue_append` call for `events`, with their stored bodies and event hashes
    /// (hex); it answers one `(status, expected)` row per event, in order. The writer runs it
    /// on its own, `migrate-store` inside the transaction that copies a session.
    static func appendQuery(
        _ events: [Event], bodies: [String], hashes: [String], salts: [EventSalts], fenced: Set<String> = [],
        node: String
    ) -> PostgresQuery
    {
        let textSalts = salts.map { $0.text.map(Hex.encode) ?? "" }
        let personSalts = salts.map { $0.person.map(Hex.encode) ?? "" }
        let sessions = events.map(\.session)
        let seqs = events.map(\.seq)
        let kinds = events.map(\.kind.rawValue)
        let senders = events.map(\.senderId)
        let clientIds = events.map { $0.clientId ?? "" }
        return """
            SELECT status, expected FROM dialogue_append(\(sessions), \(seqs), \(kinds), \(senders), \(clientIds),
              \(bodies), \(hashes), \(Array(fenced)), \(channel), \(node), \(textSalts), \(personSalts))
            """
    }
}
