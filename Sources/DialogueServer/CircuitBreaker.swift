import Logging
import Synchronization

/// The circuit breaker of an outbound provider (translation, LLM), as a value: closed while
/// requests succeed; open after `failuresToOpen` failures in a row, when no request is sent;
/// half-open once `openFor` has passed, when requests go out again as trials: the first
/// success closes it, the first failure opens it again for `openFor`. Half-open lets every
/// request through, not a single probe: a dialogue's translations come a few at a time, and
/// that is how the translator's breaker has always behaved. The caller holds it in a mutex
/// and passes the time in, so it is tested without clocks.
struct CircuitBreaker: Sendable, Equatable {
    /// Where the breaker stands.
    enum State: Sendable, Equatable {
        /// Requests go out; `failures` in a row so far.
        case closed(failures: Int)
        /// No request until `until`.
        case open(until: ContinuousClock.Instant)
        /// The cool-down is over: requests go out, and the next outcome decides.
        case halfOpen
    }

    /// Failures in a row that open a closed breaker.
    let failuresToOpen: Int
    /// How long an open breaker refuses requests.
    let openFor: Duration
    /// Where it stands now.
    private(set) var state: State = .closed(failures: 0)

    /// Five failures in a row open the breaker for 30 seconds, for both providers.
    init(failuresToOpen: Int = 5, openFor: Duration = .seconds(30)) {
        precondition(failuresToOpen > 0, "a breaker opens after one failure at least")
        self.failuresToOpen = failuresToOpen
        self.openFor = openFor
    }

    /// Whether a request may go out at `now`; an open breaker whose cool-down is over turns
    /// half-open and says yes.
    mutating func allowsRequest(now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed, .halfOpen: return true
        case .open(let until):
            guard now >= until else { return false }
            state = .halfOpen
            return true
        }
    }

    /// A request that succeeded: the breaker closes.
    mutating func recordSuccess() { state = .closed(failures: 0) }

    /// What a failure did to the breaker.
    enum FailureOutcome: Sendable, Equatable {
        /// Still closed (fewer than `failuresToOpen` failures in a row): a retry may go out.
        case stillClosed
        /// This failure opened it: it is told once, and no retry goes out.
        case opened
        /// It was open already (a request that left before it opened): nothing changes.
        case alreadyOpen
    }

    /// A request that failed at `now` (a transport failure, a timeout, an HTTP error or a
    /// reply of the wrong shape; not an answer refused under the grounding rules).
    mutating func recordFailure(now: ContinuousClock.Instant) -> FailureOutcome {
        switch state {
        case .closed(let failures):
            guard failures + 1 >= failuresToOpen else {
                state = .closed(failures: failures + 1)
                return .stillClosed
            }
            state = .open(until: now + openFor)
            return .opened
        case .halfOpen:
            state = .open(until: now + openFor)
            return .opened
        case .open:
            return .alreadyOpen
        }
    }
}

/// A provider's `CircuitBreaker` behind a mutex, and what a failed request does the same way
/// for both providers: it is counted in `/metrics`
/// (`dialogue_provider_failures_total{provider}`), logged as a warning, and the breaker's
/// opening is logged once as an error.
final class ProviderCircuit: Sendable {
    /// `translator` or `llm`: the metric's label.
    let provider: String
    /// How the opening's log line names the provider: `translation provider`, `llm provider`.
    let title: String
    private let breaker: Mutex<CircuitBreaker>
    let logger: Logger
    let metrics: Metrics?

    /// A closed breaker for `provider`.
    init(
        provider: String, title: String, breaker: CircuitBreaker = CircuitBreaker(), logger: Logger, metrics: Metrics?
    ) {
        self.provider = provider
        self.title = title
        self.breaker = Mutex(breaker)
        self.logger = logger
        self.metrics = metrics
    }

    /// Whether a request may go out now.
    func allowsRequest() -> Bool { breaker.withLock { $0.allowsRequest(now: .now) } }

    /// A request that succeeded.
    func succeeded() { breaker.withLock { $0.recordSuccess() } }

    /// A request that failed: counted, logged as `message` with `metadata` and the error;
    /// true when a retry may go out (the breaker is still closed).
    func failed(_ message: Logger.Message, error: any Error, metadata: Logger.Metadata) -> Bool {
        let (outcome, breaker) = breaker.withLock { ($0.recordFailure(now: .now), $0) }
        metrics?.providerFailed(provider)
        logger.warning(message, metadata: metadata.merging(["error": "\(error)"]) { $1 })
        if outcome == .opened {
            logger.error(
                "\(title) failing: no request for \(breaker.openFor)",
                metadata: [
                    "provider.engine": metadata["provider.engine"] ?? "", "failures": "\(breaker.failuresToOpen)",
                ])
        }
        return outcome == .stillClosed
    }
}
