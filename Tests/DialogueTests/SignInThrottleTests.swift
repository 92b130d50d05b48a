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
        var throttle = SignInThrottle(limit: 20, capacity: 1_000)
        for i in 0..<5_000 {
            _ = throttle.recordFailure("a\(i)", now: Int64(i) * 100)  // windows end as time goes on
        }
        #expect(throttle.trackedAddresses <= 601, "only the last minute's windows are kept")
    }

    @Test func aFloodOfFreshAddressesInsideOneMinuteHitsTheHardCap() {
        var throttle = SignInThrottle(limit: 2, capacity: 1_000)
        for i in 0..<20_000 {
            _ = throttle.recordFailure("198.\(i / 65_536).\(i / 256 % 256).\(i % 256)", now: 1_000)
        }
        #expect(throttle.trackedAddresses == 1_000)
        // The newest windows are the ones kept; the oldest were evicted.
        #expect(throttle.failures("198.0.78.31", now: 1_000) == 1)
        #expect(throttle.failures("198.0.0.0", now: 1_000) == 0)
    }

    @Test func ipv6AddressesCountPerSlash64() {
        #expect(SignInThrottle.bucket("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64")
        #expect(SignInThrottle.bucket("2001:db8:1:2::ffff") == "2001:db8:1:2::/64")
        #expect(SignInThrottle.bucket("2001:db8::1") == "2001:db8:0:0::/64")
        #expect(SignInThrottle.bucket("::1") == "0:0:0:0::/64")
        #expect(SignInThrottle.bucket("64:ff9b::192.0.2.1") == "64:ff9b:0:0::/64")
        #expect(SignInThrottle.bucket("1:2:3:4:5:6:7:8") == "1:2:3:4::/64")
        #expect(SignInThrottle.bucket("192.0.2.1") == "192.0.2.1")
        #expect(SignInThrottle.bucket("unknown") == "unknown")
        #expect(SignInThrottle.bucket("1::2::3") == "1::2::3", "not an address: counted as it is")
        var throttle = SignInThrottle(limit: 3)
        // A fresh address of the same /64 per guess: still one address's failures.
        let results = (0..<5).map { i in throttle.recordFailure("2001:db8:1:2::\(i + 1)", now: 0) }
        #expect(results.map(\.delayMilliseconds) == [0, 0, 0, 1_000, 1_000])
        #expect(throttle.isThrottled("2001:db8:1:2:ffff::9", now: 1))
        #expect(!throttle.isThrottled("2001:db8:1:3::1", now: 1), "the next /64 is someone else")
        #expect(throttle.trackedAddresses == 1)
    }

    @Test func aWindowReopenedAfterItsMinuteIsNotDroppedByItsOldEntry() {
        var throttle = SignInThrottle(limit: 1, capacity: 10)
        _ = throttle.recordFailure("p", now: 0)
        _ = throttle.recordFailure("p", now: 70_000)
        _ = throttle.recordFailure("q", now: 70_001)
        #expect(throttle.failures("p", now: 70_002) == 1)
        #expect(throttle.trackedAddresses == 2)
    }
}
