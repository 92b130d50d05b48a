import Synchronization

/// The HTTP handlers of a serving node, each in a task of its own that is held until it ends
/// (none is dropped). At shutdown they are cancelled and given a grace period; one that does
/// not end within it is left behind, so one slow or uncooperative handler cannot hold the
/// store open (and the node's presence on the board) past a supervisor's patience.
final class RequestHandlers: Sendable {
    private struct Running {
        var next = 0
        var tasks: [Int: Task<Void, Never>] = [:]
    }
    private let running = Mutex(Running())

    /// Handlers not yet ended.
    var count: Int { running.withLock { $0.tasks.count } }

    /// Runs `handler` in a task held until it ends.
    func start(_ handler: @escaping @Sendable () async -> Void) {
        running.withLock { running in
            let id = running.next
            running.next += 1
            // Removes itself when done; the lock is held while it is added, so removal follows.
            running.tasks[id] = Task {
                await handler()
                _ = self.running.withLock { $0.tasks.removeValue(forKey: id) }
            }
        }
    }

    /// Cancels every running handler and waits at most `grace` for them to end; returns how
    /// many did not (still held, never awaited again).
    func cancelAll(grace: Duration) async -> Int {
        for task in running.withLock({ Array($0.tasks.values) }) { task.cancel() }
        let deadline = ContinuousClock.now + grace
        while count > 0 && ContinuousClock.now < deadline && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return count
    }
}
