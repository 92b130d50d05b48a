/// Identifies one WebSocket connection or one HTTP request for its whole life.
package struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    /// Unique within the process.
    package let raw: UInt64
    package init(raw: UInt64) { self.raw = raw }
    package var description: String { "c\(raw)" }
}

/// What the transport tells the dialogue layer, in the order it happened.
package enum TransportEvent: Sendable {
    /// A WebSocket connection was upgraded on the dialogue path.
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
    /// The peer's address.
    package var peer: String

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
