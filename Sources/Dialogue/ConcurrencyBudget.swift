/// How many calls to an outbound provider (translator, LLM) run at once and how many may wait:
/// past both, a call is refused at once (an `ask` answered `rate_limited`, a translation
/// dropped with a metric), so a slow or hostile provider never piles up work without bound.
///
/// A place can be reserved ahead (an `ask` reserves one when it is accepted, before the
/// question is stored and retrieved): reservations count against the bound, the next call
/// claims the oldest, and one never claimed (its question was not stored) lapses after
/// `reservationLifetime`, so no failure path can leak a place for good.
package struct ConcurrencyBudget: Sendable, Equatable {
    /// What a new call does.
    package enum Admission: Equatable, Sendable {
        /// Run now.
        case run
        /// Wait for a running call to finish.
        case wait
        /// Refused: as many run and wait as allowed.
        case refuse
    }

    /// Calls running at once.
    package let limit: Int
    /// Calls waiting for a slot (reservations included).
    package let queueLimit: Int
    /// Milliseconds a reservation holds its place unclaimed.
    package let reservationLifetime: Int64
    /// Calls running now.
    package private(set) var running = 0
    /// Calls waiting now.
    package private(set) var waiting = 0
    /// When each unclaimed reservation lapses, oldest first.
    private var reservations: [Int64] = []

    /// At most `limit` (≥ 1) running and `queueLimit` (≥ 0) waiting or reserved.
    package init(limit: Int, queueLimit: Int, reservationLifetime: Int64 = 60_000) {
        self.limit = max(1, limit)
        self.queueLimit = max(0, queueLimit)
        self.reservationLifetime = reservationLifetime
    }

    /// Calls running, waiting and reserved at `now`.
    package func load(now: Int64) -> Int { running + waiting + reservations.count { $0 > now } }

    /// Whether a new call or reservation would be refused.
    package func isFull(now: Int64) -> Bool { load(now: now) >= limit + queueLimit }

    /// Holds a place for a call to come; false when full.
    package mutating func reserve(now: Int64) -> Bool {
        reservations.removeAll { $0 <= now }
        guard !isFull(now: now) else { return false }
        reservations.append(now + reservationLifetime)
        return true
    }

    /// Gives back a reservation no call will claim (the question needed no provider).
    package mutating func unreserve(now: Int64) {
        reservations.removeAll { $0 <= now }
        if !reservations.isEmpty { reservations.removeFirst() }
    }

    /// A new call arrives (claiming the oldest reservation, if any).
    package mutating func request(now: Int64) -> Admission {
        reservations.removeAll { $0 <= now }
        if !reservations.isEmpty {
            reservations.removeFirst()
        } else if isFull(now: now) {
            return .refuse
        }
        if running < limit {
            running += 1
            return .run
        }
        waiting += 1
        return .wait
    }

    /// A running call finished; true when a waiting one takes its slot (it is now running).
    package mutating func finish() -> Bool {
        if waiting > 0 {
            waiting -= 1
            return true
        }
        running = max(0, running - 1)
        return false
    }
}
