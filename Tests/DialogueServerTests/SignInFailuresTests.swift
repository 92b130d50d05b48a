import Testing

@testable import DialogueServer

@Suite struct SignInFailuresTests {
    @Test func blocksAnAddressAfterTheLimitUntilTheMinuteIsOver() {
        let failures = SignInFailures(limitPerMinute: 3)
        for _ in 0..<3 {
            #expect(!failures.isBlocked("10.0.0.1", now: 1_000))
            failures.record("10.0.0.1", now: 1_000)
        }
        #expect(failures.isBlocked("10.0.0.1", now: 2_000))
        #expect(!failures.isBlocked("10.0.0.2", now: 2_000), "other addresses are not affected")
        #expect(!failures.isBlocked("10.0.0.1", now: 61_001), "a new minute starts a new window")
    }
}

@Suite struct MetricsTests {
    @Test func rendersPrometheusTextWithCumulativeBuckets() {
        let metrics = Metrics()
        metrics.setConnections(3)
        metrics.committed(latencies: [0.0004, 0.003, 0.003, 4])
        metrics.rejectedFrame()
        let text = metrics.render()
        #expect(text.contains("dialogue_connections 3\n"))
        #expect(text.contains("dialogue_events_appended_total 4\n"))
        #expect(text.contains("dialogue_rejected_frames_total 1\n"))
        #expect(text.contains(#"dialogue_append_commit_seconds_bucket{le="0.0005"} 1"#))
        #expect(text.contains(#"dialogue_append_commit_seconds_bucket{le="0.005"} 3"#))
        #expect(text.contains(#"dialogue_append_commit_seconds_bucket{le="+Inf"} 4"#))
        #expect(text.contains("dialogue_append_commit_seconds_count 4\n"))
    }
}
