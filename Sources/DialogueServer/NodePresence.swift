import Logging
import Store
import Synchronization

/// This node's side of the presence board several nodes share: publishes the hub's changes
/// in order, beats so the other nodes know it is alive, reads the whole board on every beat
/// for the hub (correcting anything a lost notice left wrong), and rewrites this node's rows
/// whenever they may have been lost. One task does all of it, so changes reach the board in
/// the order the hub made them.
final class NodePresence: Sendable {
    let board: any PresenceBoard
    /// Time between heartbeats; a node silent for three of them is taken for dead.
    let interval: Duration
    let logger: Logger
    private let work = Mutex(Work())
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    /// What waits for the task: changes in order, and whether a heartbeat is due.
    private struct Work {
        var changes: [PresenceChange] = []
        var beatDue = true
    }

    init(board: any PresenceBoard, interval: Duration, logger: Logger) {
        self.board = board
        self.interval = interval
        self.logger = logger
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        wake.yield()  // the first heartbeat, at once
    }

    /// Queues one change of the hub's; never waits.
    func record(_ change: PresenceChange) {
        work.withLock { $0.changes.append(change) }
        wake.yield()
    }

    /// Publishes and beats until cancelled (the `presence` part of the server's lifecycle).
    func run(hub: DialogueHub) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    work.withLock { $0.beatDue = true }
                    wake.yield()
                }
            }
            await publish(hub: hub)
            group.cancelAll()
        }
    }

    /// Publishes the hub's changes and beats on each wake, until cancelled.
    private func publish(hub: DialogueHub) async {
        // Whether the board holds exactly this node's connections; false at start, and after
        // anything that may have lost a change.
        var inStep = false
        var beats = 0
        for await _ in wakes {
            let next = work.withLock { pending in
                defer { pending = Work(changes: [], beatDue: false) }
                return pending
            }
            let began = ContinuousClock.now
            if next.beatDue {
                // Every twelfth beat the rows are rewritten whole: a publish that timed out
                // yet committed later cannot leave someone online for ever.
                beats += 1
                if beats % 12 == 0 { inStep = false }
                do {
                    if try await beat() { inStep = false }
                    await hub.heartbeat(reached: true)
                } catch {
                    logger.error("heartbeat to the shared store failed", metadata: ["error": "\(error)"])
                    await hub.heartbeat(reached: false)
                }
            }
            do {
                if !inStep {
                    try await board.replaceOwn(await hub.localPresence())
                    inStep = true
                } else if !next.changes.isEmpty {
                    try await board.publish(next.changes)
                }
            } catch {
                inStep = false  // rewritten whole on the next turn
                logger.error("publishing presence failed", metadata: ["error": "\(error)"])
            }
            if next.beatDue {
                await hub.presenceReadStarts()
                if let elsewhere = try? await board.onlineElsewhere() { await hub.reconcilePresence(elsewhere) }
                let took = ContinuousClock.now - began
                if took > interval {
                    // Three such turns in a row and the other nodes take this one for dead.
                    logger.warning("a heartbeat turn took longer than the interval", metadata: ["took": "\(took)"])
                }
            }
        }
    }

    /// One heartbeat, tried a second time after a short pause (two nodes forgetting the same
    /// dead node at once can collide); true when this node had been taken for dead.
    private func beat() async throws -> Bool {
        do {
            return try await board.beat(timeout: interval * 3)
        } catch {
            try? await Task.sleep(for: .milliseconds(100))
            return try await board.beat(timeout: interval * 3)
        }
    }

    /// Stops: this node's rows go, and the other nodes hear at once.
    func leave() async {
        do { try await board.leave() } catch {
            logger.warning("leaving the presence board failed", metadata: ["error": "\(error)"])
        }
    }
}
