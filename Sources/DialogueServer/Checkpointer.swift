import Dialogue
import Logging
import Store

/// Signs checkpoints of live sessions off the hub (docs/transcripts.md, "Checkpoints"):
/// the commit delivery tells it what committed (`note`, a counter under a lock, no I/O),
/// and its own loop signs a session once `events` of its events are unsigned or the oldest
/// unsigned one is `interval` old. What goes undetected if the database is rewritten is so
/// bounded by those two numbers.
package final class Checkpointer: Sendable {
    private let service: TranscriptService
    private let events: Int
    private let interval: Duration
    private let logger: Logger
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
        if service.unsigned.note(result, threshold: events) { wake.yield() }
    }

    /// Signs the sessions that are due until `finish`.
    package func run() async {
        let tick = min(interval, .seconds(1))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [wake] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: tick)
                    wake.yield()
                }
            }
            for await _ in wakes {
                await sign(service.unsigned.takeDue(threshold: events, interval: interval), paced: true)
            }
            group.cancelAll()
        }
    }

    /// Stops the loop (after `signAll` at shutdown).
    package func finish() { wake.finish() }

    /// Signs every session with unsigned events committed here (at shutdown).
    package func signAll() async {
        await sign(service.unsigned.takeAll())
    }

    /// The pause between two signatures when many sessions are due at once (the time rule,
    /// 30 s after a burst of joins): each costs store reads, a signature and two fsyncs, and
    /// a thousand in a row held the core for about a second, delaying live frames.
    static let pace: Duration = .milliseconds(2)

    private func sign(_ sessions: [String], paced: Bool = false) async {
        for (index, session) in sessions.enumerated() {
            // Not when stopping: a cancelled sleep returns at once and the rest are signed.
            if paced, index > 0, sessions.count > 4 { try? await Task.sleep(for: Self.pace) }
            do {
                if let head = try await service.checkpoint(session: session) {
                    logger.debug("checkpoint signed", metadata: ["session.id": "\(session)", "seq": "\(head.seq)"])
                }
            } catch {
                logger.error("checkpoint refused", metadata: ["session.id": "\(session)", "error": "\(error)"])
            }
        }
    }
}
