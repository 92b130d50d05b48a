import Synchronization

/// How PostgreSQL's writer waits for a submission, or for one until an instant (a gathering
/// batch): as SQLite's writer waits on its condition, so the batching policy sees each arrival,
/// including the one that makes a batch large enough, and a stop, as it happens.
final class WriterWakeup: Sendable {
    private struct State {
        /// A signal no waiter has taken yet (at most one is kept: the waiter looks at the queue).
        var signalled = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())

    /// Wakes the waiter, or the next wait when nobody waits.
    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.signalled = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns once signalled (at once when a signal is pending), or at `deadline`. One waiter
    /// at a time: the writer's own task.
    func wait(until deadline: ContinuousClock.Instant? = nil) async {
        guard let deadline else { return await waitForSignal() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Cancelled when a signal came first: then it must not signal.
                do {
                    try await Task.sleep(until: deadline, clock: .continuous)
                    self.signal()
                } catch {}
            }
            await waitForSignal()
            group.cancelAll()
        }
    }

    private func waitForSignal() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.signalled {
                    state.signalled = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }
}
