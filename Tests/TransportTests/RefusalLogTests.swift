import Testing

@testable import Transport

/// Refusals are all counted, but logged once per kind and address a minute.
@Suite struct RefusalLogTests {
    @Test func aRepeatedRefusalIsLoggedOnceAMinuteAndCountedEveryTime() {
        var log = RefusalLog()
        #expect(log.refused(.addressFull, address: "192.0.2.1", now: 0) == 0)
        for t in 1...500 { #expect(log.refused(.addressFull, address: "192.0.2.1", now: Int64(t)) == nil) }
        // Another kind or another address is a line of its own; the next line of the kind
        // says how many went unlogged before it.
        #expect(log.refused(.upgrade, address: "192.0.2.1", now: 600) == 0)
        #expect(log.refused(.addressFull, address: "192.0.2.2", now: 700) == 500)
        #expect(log.total(.addressFull) == 502 && log.total(.upgrade) == 1 && log.total(.serverFull) == 0)
        // A minute later the address is logged again, with what was held back since.
        #expect(log.refused(.addressFull, address: "192.0.2.1", now: 30_000) == nil)
        #expect(log.refused(.addressFull, address: "192.0.2.1", now: 60_000) == 1)
    }

    @Test func aFloodOfFreshAddressesSharesOneLinePastTheCapacity() {
        var log = RefusalLog(capacity: 10)
        let lines = (0..<10_000).compactMap { log.refused(.request, address: "198.51.\($0 / 256).\($0 % 256)", now: 5) }
        #expect(lines.count == 11, "ten addresses, then one line for all the others")
        #expect(log.total(.request) == 10_000)
    }

    @Test func aClockGoingBackStartsANewWindow() {
        var log = RefusalLog()
        #expect(log.refused(.serverFull, address: "a", now: 100_000) == 0)
        #expect(log.refused(.serverFull, address: "a", now: 50) == 0)
    }
}
