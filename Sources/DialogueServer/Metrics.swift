import ServerMetrics

/// The counters behind `/metrics` (module `ServerMetrics`), under the name the hub, the HTTP
/// layer and the providers have always used.
package typealias Metrics = ServerMetrics.Metrics
