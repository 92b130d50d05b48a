/// Identifies one WebSocket connection or one HTTP request for its whole life.
package struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    /// Unique within the process.
    package let raw: UInt64
    package init(raw: UInt64) { self.raw = raw }
    package var description: String { "c\(raw)" }

    package static func == (a: ConnectionID, b: ConnectionID) -> Bool { a.raw == b.raw }

    package func hash(into hasher: inout Hasher) { hasher.combine(raw) }

    /// Connection ids are handed out by the server in sequence, never chosen by a peer, so
    /// they need no flooding-resistant SipHash: every delivery looks connections up in a few
    /// dictionaries, and SipHash was 5 % of the server's CPU at 30,000 deliveries/s. A
    /// SplitMix64 finaliser mixed with the dictionary's seed spreads them just as well.
    package func _rawHashValue(seed: Int) -> Int {
        var z = raw &+ UInt64(bitPattern: Int64(seed)) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(bitPattern: UInt(truncatingIfNeeded: z ^ (z >> 31)))
    }
}

/// What the transport tells the dialogue layer, in the order it happened.
package enum TransportEvent: Sendable {
    /// A WebSocket connection was upgraded on the dialogue path; `peer` is the client
    /// address (a trusted proxy's client, else the TCP peer; see `ClientAddressResolver`).
    case opened(ConnectionID, peer: String)
    /// A complete text message arrived (already UTF-8 validated by libwebsockets).
    case message(ConnectionID, [UInt8])
    /// The connection is gone; nothing more will be sent or received on it.
    case closed(ConnectionID)
}

/// An HTTP request with its body read in full.
package struct HTTPRequest: Sendable {
    /// Answer with `WebSocketServer.respond(to:with:)` using this id.
    package var id: ConnectionID
    /// `GET`, `POST`, …
    package var method: String
    /// The path, without the query.
    package var path: String
    /// Query arguments in order, URL-decoded.
    package var query: [(name: String, value: String)]
    /// Headers the API reads, lowercase names.
    package var headers: [String: String]
    /// The body.
    package var body: [UInt8]
    /// The client's address: the TCP peer's, or the client a trusted proxy named.
    package var peer: String
    /// The request carries forwarding headers (`Forwarded`, `X-Forwarded-For`) from a peer
    /// that is not a trusted proxy: some proxy relayed it, so its TCP peer (perhaps
    /// loopback) is not the client, and loopback-only answers must not be given.
    package var forwardedByUntrustedPeer = false

    /// The first value of a query argument.
    package func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }
}

/// An HTTP response to write back.
package struct HTTPResponse: Sendable {
    /// Status code.
    package var status: Int
    /// `Content-Type`.
    package var contentType: String
    /// Other headers.
    package var headers: [(name: String, value: String)]
    /// The body.
    package var body: [UInt8]

    package init(status: Int, contentType: String, headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }
}
