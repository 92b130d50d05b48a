import Testing

@testable import Dialogue

@Suite struct SharedRateLimitsTests {
    let participant = RateLimiter.Policy(perSecond: 10, burst: 5)
    let session = RateLimiter.Policy(perSecond: 20, burst: 8)

    @Test func aParticipantsBucketIsSharedWhateverTheSocket() {
        var limits = SharedRateLimits(participant: participant, session: nil)
        // Five frames, whichever of the participant's connections sent them, then refused.
        let verdicts = (0..<7).map { _ in limits.admit(participant: "inv_a", now: 0) }
        #expect(verdicts == Array(repeating: true, count: 5) + [false, false])
        do {
            let result = limits.admit(participant: "inv_b", now: 0)
            #expect(result, "others have their own")
        }
        do {
            let result = limits.admit(participant: "inv_a", now: 100)
            #expect(result, "refilled at 10/s")
        }
    }

    @Test func aSessionsBucketCapsAllItsParticipantsTogether() {
        var limits = SharedRateLimits(participant: participant, session: session)
        var allowed = 0
        for who in ["a", "b", "c"] {
            for _ in 0..<5 where limits.admit(participant: who, now: 0) && limits.admit(session: "ses_1", now: 0) {
                allowed += 1
            }
        }
        #expect(allowed == 8)
        do {
            let result = limits.admit(session: "ses_1", now: 0)
            #expect(!result)
        }
        do {
            let result = limits.admit(session: "ses_2", now: 0)
            #expect(result, "other sessions are apart")
        }
        do {
            let result = limits.admit(session: "ses_1", now: 50)
            #expect(result, "refilled at 20/s")
        }
    }

    @Test func noPolicyMeansNoLimit() {
        var limits = SharedRateLimits(participant: nil, session: nil)
        for _ in 0..<1_000 {
            do {
                let result = limits.admit(participant: "a", now: 0)
                #expect(result)
            }
            do {
                let result = limits.admit(session: "s", now: 0)
                #expect(result)
            }
        }
        #expect(limits.buckets == 0)
    }

    @Test func refilledBucketsAreForgotten() {
        var limits = SharedRateLimits(participant: participant, session: session)
        for i in 0..<100 {
            _ = limits.admit(participant: "p\(i)", now: 0)
            _ = limits.admit(session: "s\(i % 7)", now: 0)
        }
        #expect(limits.buckets == 107)
        limits.prune(now: 50)
        #expect(limits.buckets == 107, "not yet full again")
        limits.prune(now: 1_000)
        #expect(limits.buckets == 0)
    }
}
