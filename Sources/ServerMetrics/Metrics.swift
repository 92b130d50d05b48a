import CoreMetrics
import Prometheus
import Synchronization

/// The counters, gauges and the append-to-commit histogram behind `/metrics`, in Prometheus
/// text format. Callers update them through swift-metrics handles (`CoreMetrics.Counter`,
/// `Meter`) backed by one `PrometheusCollectorRegistry` per instance, never by
/// the process-wide `MetricsSystem`: two servers in one process (the in-process tests) keep
/// apart, and nothing is bootstrapped twice. Three kinds of family are written at scrape
/// time instead (`MetricsExposition`): counts kept elsewhere (the transport's refusals); the
/// two gauges, which Prometheus' `Gauge` would print as `3.0` where clients read `3`; and the
/// append→commit histogram, which the writer feeds a batch at a time on the delivery path,
/// where swift-prometheus' `ValueHistogram` (a lock per value) cost 20 times as much
/// (docs/benchmarks.md, "Metrics on the delivery path").
package final class Metrics: Sendable {
    /// Histogram bucket upper bounds in seconds.
    package static let bounds: [Double] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
    /// The providers whose requests are counted by name, in the order they are shown.
    package static let providers = ["translator", "llm"]
    /// The transport's refusal kinds, in the order they are shown.
    package static let refusalKinds = ["server_full", "address_full", "upgrade", "request"]

    /// Where the counters live; rendered at every scrape.
    package let registry = PrometheusCollectorRegistry()

    private let connections: Meter
    private let liveSessions: Meter
    private let connectionCount = IntegerGauge()
    private let liveSessionCount = IntegerGauge()
    private let eventsAppended: CoreMetrics.Counter
    private let rejectedFrames: CoreMetrics.Counter
    private let httpRequests: CoreMetrics.Counter
    private let commitFailures: CoreMetrics.Counter
    private let signInFailures: CoreMetrics.Counter
    private let signInFailuresThrottled: CoreMetrics.Counter
    /// By provider, in `providers` order.
    private let providerDropped: [CoreMetrics.Counter]
    private let providerFailures: [CoreMetrics.Counter]
    /// Append→commit latencies, fed a commit at a time (not a swift-metrics `Recorder`: see above).
    private let appendCommit = LatencyHistogram(bounds: Metrics.bounds)
    /// Where the transport's refusal counts are read at render time (by kind: `server_full`,
    /// `address_full`, `upgrade`, `request`); they are kept by the transport itself.
    /// Boxed: a bare closure in a Mutex is re-wrapped in two reabstraction thunks at every
    /// `withLock` (inout through the generic Value), so each read got slower than the last.
    private let refusals = Mutex<RefusalSource?>(nil)

    private struct RefusalSource: Sendable {
        let read: @Sendable () -> [String: Int]
    }

    /// Every metric registered, at zero.
    package init() {
        let factory = PrometheusMetricsFactory(registry: registry)
        let registry = registry
        func counter(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> CoreMetrics.Counter {
            precondition(name.hasSuffix("_total"), "a counter's name ends in _total")
            let descriptor = MetricNameDescriptor(
                metricName: String(name.dropLast(6)), unitName: "total", helpText: help)
            return CoreMetrics.Counter(
                label: descriptor.name, dimensions: labels,
                handler: registry.makeCounter(descriptor: descriptor, labels: labels), factory: factory)
        }
        connections = Meter(
            label: MetricsExposition.connections.name, dimensions: [], handler: connectionCount, factory: factory)
        liveSessions = Meter(
            label: MetricsExposition.liveSessions.name, dimensions: [], handler: liveSessionCount, factory: factory)
        eventsAppended = counter("dialogue_events_appended_total", "Events durably committed.")
        rejectedFrames = counter("dialogue_rejected_frames_total", "Frames refused with an error or a close.")
        httpRequests = counter("dialogue_http_requests_total", "HTTP requests served.")
        commitFailures = counter("dialogue_commit_failures_total", "Events whose commit failed.")
        signInFailures = counter(
            "dialogue_sign_in_failures_total", "Sign-ins refused: unknown, revoked or expired token or invite code.")
        signInFailuresThrottled = counter(
            "dialogue_sign_in_failures_throttled_total",
            "Failed sign-ins answered slowly (their address was over the limit).")
        providerDropped = Self.providers.map {
            counter(
                "dialogue_provider_dropped_total",
                "Translation and answer requests not made because the provider's queue was full.", [("provider", $0)])
        }
        providerFailures = Self.providers.map {
            counter(
                "dialogue_provider_failures_total",
                "Translation and answer requests that failed, timed out or were refused.", [("provider", $0)])
        }
    }

    /// Reads the transport's refusal counts from `source` whenever the metrics are rendered.
    package func readRefusals(_ source: @escaping @Sendable () -> [String: Int]) { refusals.withLock { $0 = RefusalSource(read: source) } }

    /// Open WebSocket connections.
    package func setConnections(_ n: Int) { connections.set(n) }
    /// Sessions with live state in memory.
    package func setLiveSessions(_ n: Int) { liveSessions.set(n) }
    /// A frame answered with an error or closed.
    package func rejectedFrame() { rejectedFrames.increment() }
    /// An HTTP request served.
    package func httpRequest() { httpRequests.increment() }
    /// A failed commit.
    package func commitFailed(events: Int) { commitFailures.increment(by: events) }
    /// A provider request that failed or whose answer was refused (`translator`, `llm`).
    package func providerFailed(_ provider: String) {
        // Another name was counted but never shown before: it is not counted now.
        if let index = Self.providers.firstIndex(of: provider) { providerFailures[index].increment() }
    }

    /// A failed sign-in; `throttled` when its address was over the limit (answered slowly).
    package func signInFailed(throttled: Bool) {
        signInFailures.increment()
        if throttled { signInFailuresThrottled.increment() }
    }
    /// A provider request not made because its queue was full (`translator`, `llm`).
    package func providerDropped(_ provider: String) {
        if let index = Self.providers.firstIndex(of: provider) { providerDropped[index].increment() }
    }

    /// The service barometer's latest period (the current month): mean survey score per
    /// dimension, answers, response rate and the helpful share of rated answers.
    package func setBarometer(scores: [String: Double], responses: Int, responseRate: Double, helpfulShare: Double) {
        for (dimension, score) in scores {
            registry.makeGauge(
                name: "dialogue_barometer_score", labels: [("dimension", dimension)],
                help: "Mean survey score (1-5) per DDCI dimension, current month.").set(score)
        }
        registry.makeGauge(name: "dialogue_barometer_responses", help: "Survey answers, current month.")
            .set(Double(responses))
        registry.makeGauge(
            name: "dialogue_barometer_response_rate", help: "Survey answers per invitation of ended meetings, current month."
        ).set(responseRate)
        registry.makeGauge(
            name: "dialogue_barometer_helpful_share", help: "Share of rated answers rated helpful, current month."
        ).set(helpfulShare)
    }

    /// Events committed, with their append→commit latencies in seconds.
    package func committed(latencies: [Double]) {
        eventsAppended.increment(by: latencies.count)
        appendCommit.record(latencies)
    }

    /// The Prometheus exposition text: the registry's families and the ones collected now,
    /// in the order `MetricsExposition.order` gives.
    package func render() -> String {
        let counts = refusals.withLock { $0 }?.read() ?? [:]
        var collected: [String: String] = [:]
        collected[MetricsExposition.connections.name] = MetricsExposition.connections.render(
            [(nil, connectionCount.value)])
        collected[MetricsExposition.liveSessions.name] = MetricsExposition.liveSessions.render(
            [(nil, liveSessionCount.value)])
        collected[MetricsExposition.refusals.name] = MetricsExposition.refusals.render(
            Self.refusalKinds.map { (("reason", $0), counts[$0] ?? 0) })
        collected[MetricsExposition.appendCommit.name] = MetricsExposition.appendCommit.render(appendCommit.snapshot())
        return MetricsExposition.assemble(registry: registry.emitToString(), collected: collected)
    }
}

/// A histogram of seconds fed a batch at a time: one lock per batch (a commit's latencies),
/// where swift-prometheus' `ValueHistogram` takes one per value.
package final class LatencyHistogram: Sendable {
    /// What a scrape reads: the count in each bucket (not cumulative; the last is above
    /// every bound), the sum and the count.
    package struct Snapshot: Sendable, Equatable {
        /// The upper bounds, ascending.
        package var bounds: [Double]
        /// Per bucket, `bounds.count + 1` of them.
        package var buckets: [Int]
        /// The sum of the values.
        package var sum = 0.0
        /// How many values.
        package var count = 0
    }

    private let state: Mutex<Snapshot>

    /// An empty histogram over `bounds` (ascending).
    package init(bounds: [Double]) {
        state = Mutex(Snapshot(bounds: bounds, buckets: [Int](repeating: 0, count: bounds.count + 1)))
    }

    /// Adds `values`.
    package func record(_ values: [Double]) {
        guard !values.isEmpty else { return }
        state.withLock { s in
            for value in values {
                let index = s.bounds.firstIndex { value <= $0 } ?? s.bounds.count
                s.buckets[index] += 1
                s.sum += value
            }
            s.count += values.count
        }
    }

    /// The counts now.
    package func snapshot() -> Snapshot { state.withLock { $0 } }
}

/// A gauge of whole numbers for a swift-metrics `Meter`: one atomic word, printed as an
/// integer at scrape time.
package final class IntegerGauge: MeterHandler, Sendable {
    private let atomic = Atomic<Int>(0)

    /// An empty gauge.
    package init() {}

    /// The value now.
    package var value: Int { atomic.load(ordering: .relaxed) }

    /// Sets the value.
    package func set(_ value: Int64) { atomic.store(Int(value), ordering: .relaxed) }
    /// Sets the value, rounded towards zero.
    package func set(_ value: Double) { atomic.store(Int(value), ordering: .relaxed) }
    /// Adds `amount`, rounded towards zero.
    package func increment(by amount: Double) { atomic.add(Int(amount), ordering: .relaxed) }
    /// Subtracts `amount`, rounded towards zero.
    package func decrement(by amount: Double) { atomic.subtract(Int(amount), ordering: .relaxed) }
}

/// How `/metrics` reads: the order of the families, and the families written at scrape
/// time rather than kept in the registry.
package enum MetricsExposition {
    /// A family written at scrape time from values read then.
    package struct Collected: Sendable {
        /// The metric's name.
        package var name: String
        /// Its `# HELP` text.
        package var help: String
        /// `gauge` or `counter`.
        package var type: String

        /// `# HELP`, `# TYPE` and one sample line per value (`label` nil: no label).
        package func render(_ samples: [(label: (String, String)?, value: Int)]) -> String {
            var out = "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (label, value) in samples {
                if let (key, labelValue) = label {
                    out += "\(name){\(key)=\"\(labelValue)\"} \(value)\n"
                } else {
                    out += "\(name) \(value)\n"
                }
            }
            return out
        }
    }

    /// A histogram family written at scrape time.
    package struct CollectedHistogram: Sendable {
        /// The metric's name.
        package var name: String
        /// Its `# HELP` text.
        package var help: String

        /// `# HELP`, `# TYPE`, cumulative buckets (`le` as Prometheus' clients print a
        /// `Double`: `0.0005`, `1.0`), `+Inf`, sum and count.
        package func render(_ snapshot: LatencyHistogram.Snapshot) -> String {
            var out = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
            var cumulative = 0
            for (index, bound) in snapshot.bounds.enumerated() {
                cumulative += snapshot.buckets[index]
                out += "\(name)_bucket{le=\"\(bound)\"} \(cumulative)\n"
            }
            cumulative += snapshot.buckets[snapshot.bounds.count]
            out += "\(name)_bucket{le=\"+Inf\"} \(cumulative)\n"
            out += "\(name)_sum \(snapshot.sum)\n\(name)_count \(snapshot.count)\n"
            return out
        }
    }

    static let appendCommit = CollectedHistogram(
        name: "dialogue_append_commit_seconds", help: "Time from an event's submission to its durable commit.")
    static let connections = Collected(name: "dialogue_connections", help: "Open WebSocket connections.", type: "gauge")
    static let liveSessions = Collected(
        name: "dialogue_sessions_live", help: "Sessions with live state in memory.", type: "gauge")
    static let refusals = Collected(
        name: "dialogue_refusals_total", help: "Connections, upgrades and requests refused by the transport.",
        type: "counter")

    /// The families in the order `/metrics` has always shown them.
    package static let order = [
        "dialogue_connections", "dialogue_sessions_live", "dialogue_events_appended_total",
        "dialogue_rejected_frames_total", "dialogue_http_requests_total", "dialogue_commit_failures_total",
        "dialogue_sign_in_failures_total", "dialogue_sign_in_failures_throttled_total",
        "dialogue_provider_dropped_total", "dialogue_provider_failures_total", "dialogue_refusals_total",
        "dialogue_append_commit_seconds", "dialogue_barometer_score", "dialogue_barometer_responses",
        "dialogue_barometer_response_rate", "dialogue_barometer_helpful_share",
    ]

    /// Label values in the order their samples are shown within a family.
    package static let labelOrder = Metrics.providers

    /// Where a sample line goes among its family's: the place of its (last) label's value
    /// in `labelOrder`, or -1 (a header, a histogram bucket: before, in their own order).
    static func rank(of line: Substring) -> Int {
        guard !line.hasPrefix("#"), let open = line.firstIndex(of: "{"), let close = line.firstIndex(of: "}"),
            open < close
        else { return -1 }
        let labels = line[line.index(after: open)..<close]
        guard let quote = labels.dropLast().lastIndex(of: "\""), labels.last == "\"" else { return -1 }
        let value = labels[labels.index(after: quote)..<labels.index(before: labels.endIndex)]
        return labelOrder.firstIndex { $0 == value } ?? -1
    }

    /// The registry's text cut into families (each begins with its `# HELP` line) and put
    /// back in `order` with the collected ones, a family not in `order` last; within a
    /// family, samples labelled with a `labelOrder` value come in that order. The registry
    /// walks dictionaries, so without this its order would change from process to process.
    package static func assemble(registry text: String, collected: [String: String]) -> String {
        var families = collected
        var rest: [String] = []
        var name: String?
        var block: [Substring] = []
        func flush() {
            guard !block.isEmpty else { return }
            // Stable: lines without such a label (headers, histogram buckets) keep their places.
            let ranked = block.enumerated().map { (offset, line) in
                (rank: rank(of: line), offset: offset, line: line)
            }
            let text = ranked.sorted { ($0.rank, $0.offset) < ($1.rank, $1.offset) }.map { $0.line + "\n" }.joined()
            if let name, order.contains(name) { families[name, default: ""] += text } else { rest.append(text) }
            block = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# HELP ") {
                flush()
                name = line.dropFirst("# HELP ".count).split(separator: " ", maxSplits: 1).first.map(String.init)
            }
            block.append(line)
        }
        flush()
        return order.compactMap { families[$0] }.joined() + rest.joined()
    }
}
