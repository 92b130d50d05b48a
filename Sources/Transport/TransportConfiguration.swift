/// How the libwebsockets listener is set up. Defaults follow the contract.
package struct TransportConfiguration: Sendable {
    /// Address to bind (an IP address or interface name).
    package var host: String = "127.0.0.1"
    /// Port; 0 lets the kernel choose (read it back from `WebSocketServer.port`).
    package var port: Int = 8080
    /// The one path that accepts WebSocket upgrades.
    package var webSocketPath: String = "/v1/ws"
    /// Which page origins may open WebSockets (the server's own and `--allow-origin`s).
    package var origins = OriginPolicy()
    /// Who may name the client behind them (`--trusted-proxy`); none by default.
    package var clientAddresses = ClientAddressResolver()
    /// Most connections at once (`--max-connections`); more get 503 / close 1013. Sized for
    /// the 2-core, 24 GiB reference machine: ~7 KiB per idle WebSocket puts 16,000 at ~110
    /// MiB, and the bench's 15,000 idle connections fit. Never above the descriptor limit.
    package var maxConnections: Int = 16_000
    /// Most connections from one client address at once (`--max-connections-per-address`):
    /// a few browsers behind one NAT fit many times over; one host cannot take the server.
    package var maxConnectionsPerAddress: Int = 256
    /// Request-body bytes buffered at once across all requests (`--max-body-memory`),
    /// reserved from `Content-Length` before reading: four 16 MiB glossary uploads.
    package var bodyMemoryBudget: Int = 64 * 1024 * 1024
    /// Seconds a client has for its request headers, and the base of its body deadline
    /// (`--request-timeout`): a body must arrive within this plus one second per
    /// `minimumBodyRate` bytes, so a client trickling bytes (slowloris) is cut off.
    package var requestTimeout: Int = 20
    /// Slowest body upload tolerated, bytes per second, on top of `requestTimeout`.
    package var minimumBodyRate: Int = 64 * 1024
    /// Send `Strict-Transport-Security` on every HTTP response (the server is reached over
    /// https: its own TLS, or a TLS proxy named by an https `--public-url`).
    package var strictTransportSecurity = false
    /// PEM certificate and key: serve wss/https when both are set.
    package var tlsCertificatePath: String?
    /// See `tlsCertificatePath`.
    package var tlsKeyPath: String?
    /// Offer permessage-deflate (without context takeover).
    package var deflate: Bool = false
    /// Largest WebSocket message accepted; larger ones close with 1009.
    package var maxMessageSize: Int = 64 * 1024
    /// Largest HTTP request body accepted; larger ones get 413.
    package var maxBodySize: Int = 1024 * 1024
    /// Paths allowed a larger body (a glossary upload of 10,000 concepts is a few MiB).
    package var largeBodyPaths: [String: Int] = [:]

    /// Path templates allowed a larger body, `*` standing for one segment
    /// (`/v1/agents/*/documents`): uploads to a resource named in the path.
    package var largeBodyTemplates: [String: Int] = [:]

    /// The body limit for a request to `path`.
    package func bodyLimit(for path: String) -> Int {
        if let limit = largeBodyPaths[path] { return limit }
        guard !largeBodyTemplates.isEmpty else { return maxBodySize }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        for (template, limit) in largeBodyTemplates {
            let pattern = template.split(separator: "/", omittingEmptySubsequences: true)
            if pattern.count == parts.count, zip(pattern, parts).allSatisfy({ $0 == "*" || $0 == $1 }) { return limit }
        }
        return maxBodySize
    }
    /// Idle seconds before a ping; the connection is dropped after 3× that without traffic.
    package var pingInterval: Int = 30
    /// Bytes queued for one connection before it is closed as too slow (1008): a reader that
    /// stops reading must not grow the server's memory without bound.
    package var maxQueuedBytes: Int = 8 * 1024 * 1024

    /// When set, a plain echo endpoint on this path, for the Autobahn conformance suite:
    /// same lws settings as the dialogue path, text and binary echoed, nothing else.
    package var echoPath: String?
    /// Largest message the echo endpoint takes (Autobahn sends up to 16 MiB).
    package var echoMaxMessageSize: Int = 16 * 1024 * 1024

    /// Which loop waits for socket events.
    package enum EventLoop: String, Sendable {
        /// libev (epoll on Linux) through lws's event-library plugin: cost per wake-up does
        /// not grow with the number of idle connections.
        case libev
        /// lws's built-in poll(2) loop: scans every socket on each wake-up.
        case poll
    }

    /// The event loop; libev unless the plugin is missing.
    package var eventLoop: EventLoop = .libev

    package init() {}

    /// Whether TLS is configured.
    package var usesTLS: Bool { tlsCertificatePath != nil && tlsKeyPath != nil }
}
