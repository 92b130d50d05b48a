import Testing

@testable import DialogueServer

@Suite struct SignInFailuresTests {
    @Test func countsFailuresAndReportsThemInTheMetrics() {
        let metrics = Metrics()
        let failures = SignInFailures(limitPerMinute: 2, metrics: metrics)
        for _ in 0..<3 { _ = failures.record("10.0.0.1", now: 1_000) }
        #expect(failures.isThrottled("10.0.0.1", now: 2_000))
        #expect(!failures.isThrottled("10.0.0.2", now: 2_000))
        let text = metrics.render()
        #expect(text.contains("dialogue_sign_in_failures_total 3\n"))
        #expect(text.contains("dialogue_sign_in_failures_throttled_total 1\n"))
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
