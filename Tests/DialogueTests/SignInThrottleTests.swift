import Testing

@testable import Dialogue

@Suite struct SignInThrottleTests {
    @Test func failuresBelowTheLimitAreAnsweredAtOnce() {
        var throttle = SignInThrottle(limit: 3, refusalDelay: 1_000)
        for _ in 0..<3 {
            do {
                let result = throttle.recordFailure("10.0.0.1", now: 1_000)
                #expect(result.delayMilliseconds == 0)
            }
        }
        #expect(!throttle.isThrottled("10.0.0.1", now: 1_000))
    }

    @Test func failuresPastTheLimitAreDelayedAndOnlyTheCrossingOneIsLogged() {
        var throttle = SignInThrottle(limit: 3, refusalDelay: 1_000)
        let results = (0..<10).map { _ in throttle.recordFailure("10.0.0.1", now: 1_000) }
        #expect(results.map(\.delayMilliseconds) == [0, 0, 0] + Array(repeating: 1_000, count: 7))
        #expect(results.map(\.crossedLimit) == [false, false, false, true] + Array(repeating: false, count: 6))
        #expect(throttle.isThrottled("10.0.0.1", now: 2_000))
        #expect(!throttle.isThrottled("10.0.0.2", now: 2_000), "other addresses are not affected")
    }

    @Test func aNewMinuteStartsANewWindow() {
        var throttle = SignInThrottle(limit: 1, refusalDelay: 500)
        _ = throttle.recordFailure("p", now: 0)
        do {
            let result = throttle.recordFailure("p", now: 10)
            #expect(result.delayMilliseconds == 500)
        }
        #expect(!throttle.isThrottled("p", now: 60_000))
        do {
            let result = throttle.recordFailure("p", now: 60_000)
            #expect(result.delayMilliseconds == 0)
        }
        #expect(throttle.failures("p", now: 60_001) == 1)
    }

    @Test func memoryStaysBoundedUnderFailuresFromManyAddresses() {
        var throttle = SignInThrottle(limit: 20)
        for i in 0..<(SignInThrottle.pruneAbove + 500) {
            _ = throttle.recordFailure("a\(i)", now: Int64(i) * 10)  // all windows over by the end
        }
        #expect(throttle.trackedAddresses <= SignInThrottle.pruneAbove)
    }
}
