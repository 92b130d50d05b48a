import Synchronization

/// The `Metrics` class as it was before swift-metrics (commit 09fc7f7), kept here only as the
/// baseline of the micro-benchmark: one mutex over plain integers, formatted by hand.
final class HandFormattedMetrics: Sendable {
    private struct Values {
        var connections = 0
        var liveSessions = 0
        var eventsAppended = 0
        var rejectedFrames = 0
        var httpRequests = 0
        var commitFailures = 0
        var signInFailures = 0
        var signInFailuresThrottled = 0
        var providerDropped: [String: Int] = [:]
        var providerFailures: [String: Int] = [:]
        var buckets = [Int](repeating: 0, count: HandFormattedMetrics.bounds.count + 1)
        var latencySum = 0.0
        var latencyCount = 0
    }

    /// Histogram bucket upper bounds in seconds.
    static let bounds: [Double] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
    private let values = Mutex(Values())
    /// Where the transport's refusal counts are read at render time (by kind: `server_full`,
    /// `address_full`, `upgrade`, `request`); they are kept by the transport itself.
    private let refusals = Mutex<(@Sendable () -> [String: Int])?>(nil)

    init() {}

    /// Reads the transport's refusal counts from `source` whenever the metrics are rendered.
    func readRefusals(_ source: @escaping @Sendable () -> [String: Int]) { refusals.withLock { $0 = source } }

    /// Open WebSocket connections.
    func setConnections(_ n: Int) { values.withLock { $0.connections = n } }
    /// Sessions with live state in memory.
    func setLiveSessions(_ n: Int) { values.withLock { $0.liveSessions = n } }
    /// A frame answered with an error or closed.
    func rejectedFrame() { values.withLock { $0.rejectedFrames += 1 } }
    /// An HTTP request served.
    func httpRequest() { values.withLock { $0.httpRequests += 1 } }
    /// A failed commit.
    func commitFailed(events: Int) { values.withLock { $0.commitFailures += events } }
    /// A provider request that failed or whose answer was refused (`translator`, `llm`).
    func providerFailed(_ provider: String) { values.withLock { $0.providerFailures[provider, default: 0] += 1 } }

    /// A failed sign-in; `throttled` when its address was over the limit (answered slowly).
    func signInFailed(throttled: Bool) {
        values.withLock {
            $0.signInFailures += 1
            if throttled { $0.signInFailuresThrottled += 1 }
        }
    }
    /// A provider request not made because its queue was full (`translator`, `llm`).
    func providerDropped(_ provider: String) { values.withLock { $0.providerDropped[provider, default: 0] += 1 } }

    /// Events committed, with their append→commit latencies in seconds.
    func committed(latencies: [Double]) {
        values.withLock { v in
            v.eventsAppended += latencies.count
            for latency in latencies {
                let index = Self.bounds.firstIndex { latency <= $0 } ?? Self.bounds.count
                v.buckets[index] += 1
                v.latencySum += latency
            }
            v.latencyCount += latencies.count
        }
    }

    /// The Prometheus exposition text.
    func render() -> String {
        let v = values.withLock { $0 }
        var out = ""
        func gauge(_ name: String, _ help: String, _ type: String, _ value: Int) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        gauge("dialogue_connections", "Open WebSocket connections.", "gauge", v.connections)
        gauge("dialogue_sessions_live", "Sessions with live state in memory.", "gauge", v.liveSessions)
        gauge("dialogue_events_appended_total", "Events durably committed.", "counter", v.eventsAppended)
        gauge("dialogue_rejected_frames_total", "Frames refused with an error or a close.", "counter", v.rejectedFrames)
        gauge("dialogue_http_requests_total", "HTTP requests served.", "counter", v.httpRequests)
        gauge("dialogue_commit_failures_total", "Events whose commit failed.", "counter", v.commitFailures)
        gauge(
            "dialogue_sign_in_failures_total", "Sign-ins refused: unknown, revoked or expired token or invite code.",
            "counter", v.signInFailures)
        gauge(
            "dialogue_sign_in_failures_throttled_total",
            "Failed sign-ins answered slowly (their address was over the limit).", "counter", v.signInFailuresThrottled)
        let dropped = "dialogue_provider_dropped_total"
        out += "# HELP \(dropped) Translation and answer requests not made because the provider's queue was full.\n"
        out += "# TYPE \(dropped) counter\n"
        for provider in ["translator", "llm"] {
            out += "\(dropped){provider=\"\(provider)\"} \(v.providerDropped[provider] ?? 0)\n"
        }
        let failures = "dialogue_provider_failures_total"
        out += "# HELP \(failures) Translation and answer requests that failed, timed out or were refused.\n"
        out += "# TYPE \(failures) counter\n"
        for provider in ["translator", "llm"] {
            out += "\(failures){provider=\"\(provider)\"} \(v.providerFailures[provider] ?? 0)\n"
        }
        let refused = "dialogue_refusals_total"
        let counts = refusals.withLock { $0 }?() ?? [:]
        out += "# HELP \(refused) Connections, upgrades and requests refused by the transport.\n"
        out += "# TYPE \(refused) counter\n"
        for reason in ["server_full", "address_full", "upgrade", "request"] {
            out += "\(refused){reason=\"\(reason)\"} \(counts[reason] ?? 0)\n"
        }
        let name = "dialogue_append_commit_seconds"
        out += "# HELP \(name) Time from an event's submission to its durable commit.\n# TYPE \(name) histogram\n"
        var cumulative = 0
        for (index, bound) in Self.bounds.enumerated() {
            cumulative += v.buckets[index]
            out += "\(name)_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        cumulative += v.buckets[Self.bounds.count]
        out +=
            "\(name)_bucket{le=\"+Inf\"} \(cumulative)\n\(name)_sum \(v.latencySum)\n\(name)_count \(v.latencyCount)\n"
        return out
    }
}
