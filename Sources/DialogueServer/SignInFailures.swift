import Dialogue
import Logging
import Synchronization

/// Failed sign-ins (bad tokens or invite codes, over WebSocket `hello` or HTTP
/// `Authorization`) per peer address, shared by the hub and the HTTP API; the rule is
/// `SignInThrottle`'s: valid tokens always pass, failures past the limit are answered slowly.
final class SignInFailures: Sendable {
    private let throttle: Mutex<SignInThrottle>
    private let metrics: Metrics?
    private let logger: Logger?

    init(limitPerMinute: Int, refusalDelayMilliseconds: Int64 = 1_000, metrics: Metrics? = nil, logger: Logger? = nil) {
        self.throttle = Mutex(SignInThrottle(limit: limitPerMinute, refusalDelay: refusalDelayMilliseconds))
        self.metrics = metrics
        self.logger = logger
    }

    /// Records one failure of `peer` and waits as long as the rule says before the caller
    /// answers it (the connection stays held meanwhile; nothing else waits).
    func failed(_ peer: String, now: Int64 = Timestamp.nowMilliseconds()) async {
        let failure = record(peer, now: now)
        if failure.delayMilliseconds > 0 { try? await Task.sleep(for: .milliseconds(failure.delayMilliseconds)) }
    }

    /// Records one failure of `peer`; logs the one that crosses the limit.
    func record(_ peer: String, now: Int64 = Timestamp.nowMilliseconds()) -> SignInThrottle.Failure {
        let failure = throttle.withLock { $0.recordFailure(peer, now: now) }
        metrics?.signInFailed(throttled: failure.delayMilliseconds > 0)
        if failure.crossedLimit {
            logger?.warning(
                "failed sign-ins over the limit; further failures from this address are answered slowly",
                metadata: [
                    "client.address": "\(peer)", "signin.counted_as": "\(SignInThrottle.bucket(peer))",
                    "signin.limit": "\(throttle.withLock { $0.limit })",
                ])
        }
        return failure
    }

    /// Whether `peer`'s failures are answered slowly now.
    func isThrottled(_ peer: String, now: Int64 = Timestamp.nowMilliseconds()) -> Bool {
        throttle.withLock { $0.isThrottled(peer, now: now) }
    }
}
