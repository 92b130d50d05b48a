/// The rule for failed sign-ins (unknown, revoked or expired tokens and invite codes) per
/// client address. It never refuses a sign-in: every token is checked, and a valid one passes
/// however many failures its address had (people behind one proxy or company NAT share an
/// address, and one of them guessing must not lock the others out). Tokens carry 256 bits
/// and invite codes 160, so guessing is hopeless; what failures cost is work and log lines.
/// So past `limit` failures within a minute, an address is *throttled*: each further failure
/// is answered only after `refusalDelay`, which holds the attacker's connection (one
/// failure a second per connection at most) while valid tokens are answered at once; and
/// only the failure that crosses the limit is logged, with a count when the window closes.
package struct SignInThrottle: Sendable {
    /// What a recorded failure means for the caller.
    package struct Failure: Equatable, Sendable {
        /// Milliseconds to wait before answering the refusal (0 below the limit).
        package var delayMilliseconds: Int64
        /// This failure crossed the limit: the one to log (with the address).
        package var crossedLimit: Bool
    }

    private struct Window {
        var count: Int
        var start: Int64
    }

    /// Length of a counting window, in milliseconds.
    package static let window: Int64 = 60_000
    /// Addresses kept before windows that are over are dropped.
    package static let pruneAbove = 10_000

    /// Failures per address and minute answered without delay.
    package let limit: Int
    /// Wait before a throttled address's refusal is answered, in milliseconds.
    package let refusalDelay: Int64
    private var windows: [String: Window] = [:]

    /// `limit` failures a minute answered at once; later ones after `refusalDelay` ms.
    package init(limit: Int, refusalDelay: Int64 = 1_000) {
        self.limit = limit
        self.refusalDelay = refusalDelay
    }

    /// Records one failed sign-in from `peer` at `now` (milliseconds).
    package mutating func recordFailure(_ peer: String, now: Int64) -> Failure {
        var window = windows[peer].flatMap { now - $0.start < Self.window ? $0 : nil } ?? Window(count: 0, start: now)
        window.count += 1
        windows[peer] = window
        if windows.count > Self.pruneAbove { windows = windows.filter { now - $0.value.start < Self.window } }
        let over = window.count > limit
        return Failure(delayMilliseconds: over ? refusalDelay : 0, crossedLimit: window.count == limit + 1)
    }

    /// Failures of `peer` in its current window (0 when none or the window is over).
    package func failures(_ peer: String, now: Int64) -> Int {
        guard let window = windows[peer], now - window.start < Self.window else { return 0 }
        return window.count
    }

    /// Whether `peer`'s failures are answered slowly now.
    package func isThrottled(_ peer: String, now: Int64) -> Bool { failures(peer, now: now) > limit }

    /// Addresses remembered (for tests of the memory bound).
    package var trackedAddresses: Int { windows.count }
}
