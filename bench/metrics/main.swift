import CoreMetrics
import Prometheus
import ServerMetrics

// The cost per call of the metrics the delivery path updates (the hub: per frame refused,
// per connection, per commit; the HTTP layer: per request), swift-metrics handles over the
// swift-prometheus registry against the hand-formatted mutex counters they replaced.
// Single-threaded, uncontended: the hub calls them from one actor. Build in release:
//   swift build -c release --product metrics-bench && .build/release/metrics-bench

let iterations = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 5_000_000
let rounds = 3

/// Nanoseconds per call of `body`, best of `rounds` (the machine is shared).
func measure(_ body: (Int) -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<rounds {
        let start = ContinuousClock.now
        for i in 0..<iterations { body(i) }
        let elapsed = ContinuousClock.now - start
        let ns = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        best = min(best, ns / Double(iterations))
    }
    return best
}

let old = HandFormattedMetrics()
let new = Metrics()
let one: [Double] = [0.0012]
let sixteen: [Double] = (0..<16).map { 0.0001 * Double($0 + 1) }

// The histogram as first written: a swift-metrics `Recorder` over swift-prometheus'
// `ValueHistogram`, one call (and one lock) per latency. Kept to show why it was replaced.
let registry = PrometheusCollectorRegistry()
let recorder = Recorder(
    label: "h", dimensions: [], aggregate: true,
    handler: registry.makeValueHistogram(
        descriptor: MetricNameDescriptor(metricName: "h", unitName: "seconds", helpText: "h"), buckets: Metrics.bounds),
    factory: PrometheusMetricsFactory(registry: registry))
func recordEach(_ latencies: [Double]) { for latency in latencies { recorder.record(latency) } }

let cases: [(String, (Int) -> Void, (Int) -> Void)] = [
    ("rejectedFrame()", { _ in old.rejectedFrame() }, { _ in new.rejectedFrame() }),
    ("httpRequest()", { _ in old.httpRequest() }, { _ in new.httpRequest() }),
    ("setConnections(n)", { old.setConnections($0 & 1023) }, { new.setConnections($0 & 1023) }),
    (
        "providerFailed(\"translator\")", { _ in old.providerFailed("translator") },
        { _ in new.providerFailed("translator") }
    ),
    ("committed(latencies:) ×1", { _ in old.committed(latencies: one) }, { _ in new.committed(latencies: one) }),
    (
        "committed(latencies:) ×16", { _ in old.committed(latencies: sixteen) },
        { _ in new.committed(latencies: sixteen) }
    ),
    ("tried: ValueHistogram ×1", { _ in old.committed(latencies: one) }, { _ in recordEach(one) }),
    ("tried: ValueHistogram ×16", { _ in old.committed(latencies: sixteen) }, { _ in recordEach(sixteen) }),
]

print("iterations \(iterations), best of \(rounds) rounds, ns per call")
print("call | hand-formatted (mutex) | swift-metrics + swift-prometheus | ratio")
for (name, before, after) in cases {
    let a = measure(before)
    let b = measure(after)
    print("\(name) | \(String(format2: a)) | \(String(format2: b)) | \(String(format2: b / a))")
}
// Keep the counts observable so that nothing above is optimised away.
let rendered = old.render().count + new.render().count + registry.emitToString().count
print("rendered \(rendered) bytes")

// A scrape, for scale (not on the delivery path).
let scrapes = max(1, iterations / 1_000)
func perScrape(_ body: () -> Int) -> Double {
    var best = Double.infinity
    for _ in 0..<rounds {
        let start = ContinuousClock.now
        var bytes = 0
        for _ in 0..<scrapes { bytes &+= body() }
        let elapsed = ContinuousClock.now - start
        precondition(bytes > 0)
        best = min(
            best,
            (Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9) / Double(scrapes))
    }
    return best
}
let oldScrape = perScrape { old.render().utf8.count }
let newScrape = perScrape { new.render().utf8.count }
print(
    "render() | \(String(format2: oldScrape)) | \(String(format2: newScrape)) | \(String(format2: newScrape / oldScrape))"
)

extension String {
    init(format2 value: Double) {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        self = "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
