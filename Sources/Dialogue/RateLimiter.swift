/// A token bucket: `burst` frames at once, refilled at `perSecond`.
package struct RateLimiter: Sendable {
    /// The limit's settings: `--rate-limit 10/s,50`, or nil for `off`.
    package struct Policy: Sendable, Equatable, CustomStringConvertible {
        /// Tokens added per second.
        package var perSecond: Double
        /// Bucket size.
        package var burst: Double

        /// The contract's default: 10 frames a second after a burst of 50.
        package static let standard = Policy(perSecond: 10, burst: 50)

        package init(perSecond: Double, burst: Double) {
            self.perSecond = perSecond
            self.burst = burst
        }

        /// Parses `R/s,B`, `R/s` (burst = 5 R) or `off` (nil). Throws a readable reason.
        package static func parse(_ text: String) throws(DialogueError) -> Policy? {
            if text == "off" { return nil }
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            guard let rate = parts.first, rate.hasSuffix("/s"), let perSecond = Double(rate.dropLast(2)),
                perSecond > 0, parts.count <= 2
            else { throw DialogueError(.badRequest, "rate limit \"\(text)\" is not of the form R/s,B or off") }
            var burst = perSecond * 5
            if parts.count == 2 {
                guard let b = Double(parts[1]), b >= 1 else {
                    throw DialogueError(.badRequest, "rate limit burst in \"\(text)\" must be a number ≥ 1")
                }
                burst = b
            }
            return Policy(perSecond: perSecond, burst: burst)
        }

        package var description: String { "\(perSecond)/s,\(burst)" }
    }

    private let policy: Policy
    private var tokens: Double
    private var lastRefill: Int64

    /// A full bucket at time `now` (milliseconds).
    package init(policy: Policy, now: Int64) {
        self.policy = policy
        self.tokens = policy.burst
        self.lastRefill = now
    }

    /// Takes one token if there is one; false means the frame is over the limit.
    package mutating func allow(now: Int64) -> Bool {
        let elapsed = Double(max(0, now - lastRefill)) / 1000
        tokens = min(policy.burst, tokens + elapsed * policy.perSecond)
        lastRefill = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

extension RateLimiter {
    /// Whether the bucket would be full at `now`: such a bucket can be forgotten and made
    /// afresh later without anyone gaining a token.
    package func isFull(now: Int64) -> Bool {
        tokens + Double(max(0, now - lastRefill)) / 1000 * policy.perSecond >= policy.burst
    }
}
