import Dialogue
import Logging
import Store
import Synchronization

/// Signs checkpoints of live sessions off the hub (docs/transcripts.md, "Checkpoints"):
/// the commit delivery tells it what committed (`note`, a lock and a counter, no I/O),
/// and its own loop signs a session once `events` of its events are unsigned or the oldest
/// unsigned one is `interval` old. What goes undetected if the database is rewritten is so
/// bounded by those two numbers.
package final class Checkpointer: Sendable {
    /// What is unsigned in one session.
    private struct Pending {
        /// Events committed since the last checkpoint.
        var count: Int
        /// When the oldest of them committed.
        var since: ContinuousClock.Instant
    }

    private let service: TranscriptService
    private let events: Int
    private let interval: Duration
    private let logger: Logger
    private let pending = Mutex<[String: Pending]>([:])
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>

    /// A checkpointer signing through `service` every `events` events or `interval`.
    package init(service: TranscriptService, events: Int, interval: Duration, logger: Logger) {
        self.service = service
        self.events = max(1, events)
        self.interval = interval
        self.logger = logger
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Records a commit's events; wakes the loop when a session reached `events`.
    package func note(_ result: CommitResult) {
        guard !result.committed.isEmpty else { return }
        let now = ContinuousClock.now
        let due = pending.withLock { pending in
            var due = false
            for event in result.committed {
                if event.kind == .ended {
                    pending[event.session] = nil  // sealed by the archiver
                    continue
                }
                pending[event.session, default: Pending(count: 0, since: now)].count += 1
                if pending[event.session]!.count >= events { due = true }
            }
            return due
        }
        if due { wake.yield() }
    }

    /// Signs the sessions that are due until cancelled; first, every live session left with
    /// unsigned events by a crash (at most what one interval leaves).
    package func run() async {
        do {
            for info in try await service.store.sessions(matching: nil, status: .live) {
                try await sign(info.id)
            }
        } catch {
            logger.error("start-up checkpoints failed", metadata: ["error": "\(error)"])
        }
        let tick = min(interval, .seconds(1))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [wake] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: tick)
                    wake.yield()
                }
            }
            for await _ in wakes {
                if Task.isCancelled { break }
                await signDue()
            }
            group.cancelAll()
        }
    }

    /// Stops the loop (after `signAll` at shutdown).
    package func finish() { wake.finish() }

    /// Signs every session with unsigned events now (at shutdown).
    package func signAll() async {
        let sessions = pending.withLock { pending in
            let ids = Array(pending.keys)
            pending.removeAll()
            return ids
        }
        for session in sessions { try? await sign(session) }
    }

    private func signDue() async {
        let now = ContinuousClock.now
        let due = pending.withLock { pending in
            let ids = pending.filter { $0.value.count >= events || now - $0.value.since >= interval }.map(\.key)
            for id in ids { pending[id] = nil }
            return ids
        }
        for session in due {
            do {
                try await sign(session)
            } catch {
                logger.error("checkpoint failed", metadata: ["session.id": "\(session)", "error": "\(error)"])
            }
        }
    }

    private func sign(_ session: String) async throws {
        if let head = try await service.checkpoint(session: session) {
            logger.debug("checkpoint signed", metadata: ["session.id": "\(session)", "seq": "\(head.seq)"])
        }
    }
}
