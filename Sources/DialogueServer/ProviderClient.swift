import AsyncHTTPClient
import Dialogue
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// The one HTTP client of the outbound providers (machine translation and the LLM): JSON
/// `POST`s on async-http-client, a whole-request timeout, a cap on the reply's size, and
/// failures as `ProviderFailure` (status and an excerpt of the body, a timeout, a refused
/// connection). One `HTTPClient` on NIO's shared event loops serves every provider; it is
/// made at the first request, so a server without providers never starts one, and
/// `shutdown()` (or the end of `run()`) closes it: the server calls it when it stops.
package final class ProviderClient: Sendable {
    private enum State {
        case idle
        case running(HTTPClient)
        case shutDown
    }

    private let state = Mutex(State.idle)
    /// The largest reply read, in bytes; a longer one fails as `.tooLarge`.
    let maximumReplyBytes: Int

    /// Four MiB by default: an answer of 512 tokens or a translation of 4,096 is far less.
    package init(maximumReplyBytes: Int = 4 << 20) {
        self.maximumReplyBytes = maximumReplyBytes
    }

    /// The settings every request shares: a connection that cannot be made fails the
    /// request at once (async-http-client would otherwise retry until the deadline, and a
    /// dead provider must fail as fast as it did with URLSession: "connection refused").
    static var configuration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.idleTimeout = .seconds(30)
        return configuration
    }

    private func client() throws(ProviderFailure) -> HTTPClient {
        try state.withLock { state throws(ProviderFailure) -> HTTPClient in
            switch state {
            case .running(let client): return client
            case .shutDown: throw .shutDown
            case .idle:
                let client = HTTPClient(
                    eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: Self.configuration)
                state = .running(client)
                return client
            }
        }
    }

    /// `POST`s `body` as JSON to `url` and returns the parsed JSON reply of a `200`; the whole
    /// exchange (connection, request, reply) must end within `timeout`.
    func postJSON(
        to url: URL, body: JSONValue, headers: [(String, String)] = [], timeout: Duration
    ) async throws(ProviderFailure) -> JSONValue {
        let client = try client()
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(JSONWriter.bytes(body))
        let limit = maximumReplyBytes
        do {
            // The timer and the exchange race; async-http-client's deadline covers the reply's
            // head only, and a provider may stall in the middle of a body.
            let reply = try await withThrowingTaskGroup(of: (status: Int, body: [UInt8])?.self) { group in
                group.addTask { [request] in
                    let response = try await client.execute(request, timeout: TimeAmount(timeout))
                    let body = try await response.body.collect(upTo: limit)
                    return (Int(response.status.code), Array(buffer: body))
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            guard let reply else { throw ProviderFailure.timedOut(timeout) }
            return try Self.decode(status: reply.status, body: reply.body)
        } catch {
            throw ProviderFailure(error, timeout: timeout, limit: limit)
        }
    }

    /// The JSON of a `200` reply; any other status fails with an excerpt of its body.
    static func decode(status: Int, body: [UInt8]) throws(ProviderFailure) -> JSONValue {
        guard status == 200 else { throw .status(status, excerpt: ProviderFailure.excerpt(body)) }
        do { return try JSONParser.parse(body) } catch { throw .shape("not JSON: \(error)") }
    }

    /// Closes the connections and stops the client; requests after it fail with
    /// `.shutDown`. Safe to call more than once.
    package func shutdown() async {
        let running = state.withLock { state -> HTTPClient? in
            defer { state = .shutDown }
            if case .running(let client) = state { return client }
            return nil
        }
        try? await running?.shutdown()
    }

    /// A client dropped without `shutdown()` (an app that was never started, a test that
    /// threw) is shut down without waiting: async-http-client stops the process otherwise.
    deinit {
        if case .running(let client) = state.withLock({ $0 }) { client.shutdown { _ in } }
    }

    /// Waits until the task running it is cancelled, then shuts the client down: the shape
    /// of a swift-service-lifecycle `Service`'s `run()`.
    package func run() async {
        let (stopped, stop) = AsyncStream<Never>.makeStream()
        await withTaskCancellationHandler {
            for await _ in stopped {}
        } onCancel: {
            stop.finish()
        }
        await shutdown()
    }
}

/// Why a provider's request failed, in words for the log: `HTTP status 500 (body: …)`,
/// `timed out after 8 s`, `connection refused`, a reply without the expected members.
enum ProviderFailure: Error, CustomStringConvertible, Equatable {
    /// A status other than 200, with the start of the body.
    case status(Int, excerpt: String)
    /// A reply that is not JSON or lacks the expected members.
    case shape(String)
    /// No complete reply within the timeout.
    case timedOut(Duration)
    /// Nothing listens at the provider's address.
    case refused
    /// A reply longer than the client reads.
    case tooLarge(Int)
    /// Any other transport failure, in the system's words.
    case transport(String)
    /// The server is stopping: its client no longer sends.
    case shutDown

    var description: String {
        switch self {
        case .status(let code, let excerpt):
            excerpt.isEmpty ? "HTTP status \(code)" : "HTTP status \(code) (body: \(excerpt))"
        case .shape(let what): "a reply without the expected members (\(what))"
        case .timedOut(let timeout): "timed out after \(Self.seconds(timeout)) s"
        case .refused: "connection refused"
        case .tooLarge(let limit): "a reply over \(limit) bytes"
        case .transport(let text): "network error: \(text)"
        case .shutDown: "the provider client is shut down"
        }
    }

    /// Any error of a request in these terms.
    init(_ error: any Error, timeout: Duration, limit: Int) {
        switch error {
        case let failure as ProviderFailure: self = failure
        case let error as HTTPClientError
        where [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout].contains(error):
            self = .timedOut(timeout)
        case is NIOTooManyBytesError: self = .tooLarge(limit)
        case ChannelError.connectTimeout: self = .timedOut(timeout)
        case let error as IOError where error.errnoCode == ECONNREFUSED: self = .refused
        case let error as NIOConnectionError
        where error.connectionErrors.contains { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }:
            self = .refused
        default: self = .transport("\(error)")
        }
    }

    /// At most 200 characters of a body, on one line.
    static func excerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(800), as: UTF8.self)
            .split(whereSeparator: \.isNewline).joined(separator: " ")
        return text.count > 200 ? text.prefix(200) + "…" : text
    }

    /// `8`, `0.5`: seconds as the flags give them.
    static func seconds(_ duration: Duration) -> String {
        let (whole, attoseconds) = duration.components
        guard attoseconds != 0 else { return "\(whole)" }
        return "\(Double(whole) + Double(attoseconds) / 1e18)"
    }
}
