import Dialogue
import Synchronization

/// The `ConcurrencyBudget` of one outbound provider, for tasks: `acquire` runs at once, waits
/// its turn (first come, first served) or is refused; every granted call ends with `release`.
final class ProviderGate: Sendable {
    private struct State {
        var budget: ConcurrencyBudget
        /// Calls waiting for a slot, in arrival order.
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// Slots handed to waiting calls that had not stored their continuation yet.
        var handedEarly = 0
    }

    private let state: Mutex<State>

    init(limit: Int, queueLimit: Int) {
        state = Mutex(State(budget: ConcurrencyBudget(limit: limit, queueLimit: queueLimit)))
    }

    /// Holds a place for a call to come (an accepted `ask`); false when full: the hub answers
    /// such an `ask` with `rate_limited`.
    func reserve(now: Int64 = Timestamp.nowMilliseconds()) -> Bool {
        state.withLock { $0.budget.reserve(now: now) }
    }

    /// Gives back a reservation that no call will claim.
    func unreserve(now: Int64 = Timestamp.nowMilliseconds()) { state.withLock { $0.budget.unreserve(now: now) } }

    /// Waits for a slot; false when the queue is full (nothing to release then).
    func acquire() async -> Bool {
        let now = Timestamp.nowMilliseconds()
        switch state.withLock({ $0.budget.request(now: now) }) {
        case .run: return true
        case .refuse: return false
        case .wait:
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if state.handedEarly > 0 {
                        state.handedEarly -= 1
                        return true
                    }
                    state.waiters.append(continuation)
                    return false
                }
                if now { continuation.resume() }
            }
            return true
        }
    }

    /// Ends a granted call, handing its slot to the first waiting one.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.budget.finish() else { return nil }
            if state.waiters.isEmpty {
                state.handedEarly += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
