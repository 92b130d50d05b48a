import Testing

@testable import ServerMetrics

/// `/metrics` through the swift-prometheus registry reads as it did when it was written by
/// hand: the same names, types, help texts, labels, integer values and order.
@Suite struct ServerMetricsTests {
    /// The exposition of a fresh instance, line for line as the hand-formatted one was.
    static let fresh = """
        # HELP dialogue_connections Open WebSocket connections.
        # TYPE dialogue_connections gauge
        dialogue_connections 0
        # HELP dialogue_sessions_live Sessions with live state in memory.
        # TYPE dialogue_sessions_live gauge
        dialogue_sessions_live 0
        # HELP dialogue_events_appended_total Events durably committed.
        # TYPE dialogue_events_appended_total counter
        dialogue_events_appended_total 0
        # HELP dialogue_rejected_frames_total Frames refused with an error or a close.
        # TYPE dialogue_rejected_frames_total counter
        dialogue_rejected_frames_total 0
        # HELP dialogue_http_requests_total HTTP requests served.
        # TYPE dialogue_http_requests_total counter
        dialogue_http_requests_total 0
        # HELP dialogue_commit_failures_total Events whose commit failed.
        # TYPE dialogue_commit_failures_total counter
        dialogue_commit_failures_total 0
        # HELP dialogue_sign_in_failures_total Sign-ins refused: unknown, revoked or expired token or invite code.
        # TYPE dialogue_sign_in_failures_total counter
        dialogue_sign_in_failures_total 0
        # HELP dialogue_sign_in_failures_throttled_total Failed sign-ins answered slowly (their address was over the limit).
        # TYPE dialogue_sign_in_failures_throttled_total counter
        dialogue_sign_in_failures_throttled_total 0
        # HELP dialogue_provider_dropped_total Translation and answer requests not made because the provider's queue was full.
        # TYPE dialogue_provider_dropped_total counter
        dialogue_provider_dropped_total{provider="translator"} 0
        dialogue_provider_dropped_total{provider="llm"} 0
        # HELP dialogue_provider_failures_total Translation and answer requests that failed, timed out or were refused.
        # TYPE dialogue_provider_failures_total counter
        dialogue_provider_failures_total{provider="translator"} 0
        dialogue_provider_failures_total{provider="llm"} 0
        # HELP dialogue_refusals_total Connections, upgrades and requests refused by the transport.
        # TYPE dialogue_refusals_total counter
        dialogue_refusals_total{reason="server_full"} 0
        dialogue_refusals_total{reason="address_full"} 0
        dialogue_refusals_total{reason="upgrade"} 0
        dialogue_refusals_total{reason="request"} 0
        # HELP dialogue_append_commit_seconds Time from an event's submission to its durable commit.
        # TYPE dialogue_append_commit_seconds histogram
        dialogue_append_commit_seconds_bucket{le="0.0005"} 0
        dialogue_append_commit_seconds_bucket{le="0.001"} 0
        dialogue_append_commit_seconds_bucket{le="0.002"} 0
        dialogue_append_commit_seconds_bucket{le="0.005"} 0
        dialogue_append_commit_seconds_bucket{le="0.01"} 0
        dialogue_append_commit_seconds_bucket{le="0.025"} 0
        dialogue_append_commit_seconds_bucket{le="0.05"} 0
        dialogue_append_commit_seconds_bucket{le="0.1"} 0
        dialogue_append_commit_seconds_bucket{le="0.25"} 0
        dialogue_append_commit_seconds_bucket{le="0.5"} 0
        dialogue_append_commit_seconds_bucket{le="1.0"} 0
        dialogue_append_commit_seconds_bucket{le="2.5"} 0
        dialogue_append_commit_seconds_bucket{le="+Inf"} 0
        dialogue_append_commit_seconds_sum 0.0
        dialogue_append_commit_seconds_count 0

        """

    @Test func aFreshInstanceReadsExactlyAsBefore() {
        #expect(Metrics().render() == Self.fresh)
    }

    @Test func everyUpdateLandsInItsFamily() {
        let metrics = Metrics()
        metrics.setConnections(7)
        metrics.setConnections(3)
        metrics.setLiveSessions(2)
        metrics.committed(latencies: [0.0004, 0.003, 0.003, 4])
        metrics.committed(latencies: [])
        metrics.rejectedFrame()
        metrics.httpRequest()
        metrics.httpRequest()
        metrics.commitFailed(events: 5)
        metrics.signInFailed(throttled: false)
        metrics.signInFailed(throttled: true)
        metrics.providerDropped("translator")
        metrics.providerFailed("llm")
        metrics.providerFailed("llm")
        metrics.providerFailed("someone-else")  // never shown, as before
        metrics.readRefusals { ["upgrade": 5, "address_full": 25] }
        let lines = Set(metrics.render().split(separator: "\n").map(String.init))
        for expected in [
            "dialogue_connections 3", "dialogue_sessions_live 2", "dialogue_events_appended_total 4",
            "dialogue_rejected_frames_total 1", "dialogue_http_requests_total 2", "dialogue_commit_failures_total 5",
            "dialogue_sign_in_failures_total 2", "dialogue_sign_in_failures_throttled_total 1",
            #"dialogue_provider_dropped_total{provider="translator"} 1"#,
            #"dialogue_provider_dropped_total{provider="llm"} 0"#,
            #"dialogue_provider_failures_total{provider="translator"} 0"#,
            #"dialogue_provider_failures_total{provider="llm"} 2"#,
            #"dialogue_refusals_total{reason="upgrade"} 5"#, #"dialogue_refusals_total{reason="address_full"} 25"#,
            #"dialogue_refusals_total{reason="server_full"} 0"#,
            #"dialogue_append_commit_seconds_bucket{le="0.0005"} 1"#,
            #"dialogue_append_commit_seconds_bucket{le="0.002"} 1"#,
            #"dialogue_append_commit_seconds_bucket{le="0.005"} 3"#,
            #"dialogue_append_commit_seconds_bucket{le="2.5"} 3"#,
            #"dialogue_append_commit_seconds_bucket{le="+Inf"} 4"#,
            "dialogue_append_commit_seconds_sum 4.0064", "dialogue_append_commit_seconds_count 4",
        ] {
            #expect(lines.contains(expected), "\(expected)")
        }
    }

    @Test func twoInstancesInOneProcessKeepApart() {
        let a = Metrics()
        let b = Metrics()
        a.rejectedFrame()
        #expect(a.render().contains("dialogue_rejected_frames_total 1\n"))
        #expect(b.render() == Self.fresh)
    }

    @Test func familiesComeInTheirOrderWhateverTheRegistrysOrder() {
        let registry = """
            # HELP b_total B.
            # TYPE b_total counter
            b_total 2
            # HELP dialogue_events_appended_total Events durably committed.
            # TYPE dialogue_events_appended_total counter
            dialogue_events_appended_total 1

            """
        let text = MetricsExposition.assemble(
            registry: registry, collected: ["dialogue_connections": "# HELP dialogue_connections x\n"])
        #expect(
            text == """
                # HELP dialogue_connections x
                # HELP dialogue_events_appended_total Events durably committed.
                # TYPE dialogue_events_appended_total counter
                dialogue_events_appended_total 1
                # HELP b_total B.
                # TYPE b_total counter
                b_total 2

                """)
    }
}
