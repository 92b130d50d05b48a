import Testing

@testable import DialogueServer

/// The one circuit breaker of both providers, without a clock: closed → open after N
/// failures in a row → half-open after the cool-down → closed on a success.
@Suite struct CircuitBreakerTests {
    let start = ContinuousClock.now

    /// `breaker` asked at `start + seconds`, and what it answered.
    func allows(_ breaker: inout CircuitBreaker, after seconds: Int) -> Bool {
        breaker.allowsRequest(now: start + .seconds(seconds))
    }

    /// A failure at `start + seconds`, and what it did.
    func fail(_ breaker: inout CircuitBreaker, after seconds: Int = 0) -> CircuitBreaker.FailureOutcome {
        breaker.recordFailure(now: start + .seconds(seconds))
    }

    @Test func opensAfterNFailuresInARowAndRefusesUntilTheCoolDownEnds() {
        var breaker = CircuitBreaker(failuresToOpen: 3, openFor: .seconds(30))
        var outcomes: [CircuitBreaker.FailureOutcome] = []
        var allowed: [Bool] = []
        for _ in 0..<3 {
            allowed.append(allows(&breaker, after: 0))
            outcomes.append(fail(&breaker))
        }
        #expect(allowed == [true, true, true])
        #expect(outcomes == [.stillClosed, .stillClosed, .opened])
        #expect(breaker.state == .open(until: start + .seconds(30)))
        let refused = [allows(&breaker, after: 0), allows(&breaker, after: 29)]
        #expect(refused == [false, false])
        // A request that left before it opened fails: nothing changes, it is told once only.
        let late = fail(&breaker, after: 29)
        #expect(late == .alreadyOpen)
        #expect(breaker.state == .open(until: start + .seconds(30)))
    }

    @Test func aSuccessInARowOfFailuresStartsTheCountAgain() {
        var breaker = CircuitBreaker(failuresToOpen: 3, openFor: .seconds(30))
        _ = fail(&breaker)
        _ = fail(&breaker)
        breaker.recordSuccess()
        #expect(breaker.state == .closed(failures: 0))
        let outcomes = [fail(&breaker), fail(&breaker), fail(&breaker)]
        #expect(outcomes == [.stillClosed, .stillClosed, .opened])
    }

    @Test func halfOpenAfterTheCoolDownThenClosedOnASuccess() {
        var breaker = CircuitBreaker(failuresToOpen: 1, openFor: .seconds(30))
        let opened = fail(&breaker)
        #expect(opened == .opened)
        let afterCoolDown = allows(&breaker, after: 30)
        #expect(afterCoolDown)
        #expect(breaker.state == .halfOpen)
        // Half-open lets requests through as trials (a few translations at a time).
        let another = allows(&breaker, after: 31)
        #expect(another)
        breaker.recordSuccess()
        #expect(breaker.state == .closed(failures: 0))
    }

    @Test func aFailureWhileHalfOpenOpensItAgainAtOnce() {
        var breaker = CircuitBreaker(failuresToOpen: 5, openFor: .seconds(30))
        let outcomes = (0..<5).map { _ in fail(&breaker) }
        #expect(outcomes.last == .opened)
        let trial = allows(&breaker, after: 45)
        #expect(trial)
        // One failure, not five: the provider is still down.
        let again = fail(&breaker, after: 45)
        #expect(again == .opened)
        #expect(breaker.state == .open(until: start + .seconds(75)))
        let meanwhile = allows(&breaker, after: 55)
        #expect(!meanwhile)
    }

    @Test func bothProvidersUseFiveFailuresAndThirtySeconds() {
        let breaker = CircuitBreaker()
        #expect(breaker.failuresToOpen == 5 && breaker.openFor == .seconds(30))
    }
}
