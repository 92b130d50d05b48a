/// The `code` of an `error` frame (contract section 4).
package enum ErrorCode: String, Sendable, Equatable {
    /// Bad or missing `hello`; the connection is closed with 1008 after it.
    case unauthorized
    /// The role may not do this, the sender is muted, or the session is not theirs.
    case forbidden
    /// The session, participant or draft does not exist.
    case notFound = "not_found"
    /// The session has ended, or the state already is what was asked.
    case conflict
    /// The frame is malformed or misses a field.
    case badRequest = "bad_request"
    /// The connection sent frames faster than its limit.
    case rateLimited = "rate_limited"
    /// The action exists in the protocol but not yet on this server.
    case notImplemented = "not_implemented"
    /// Storage refused the write (disk full, read-only); nothing was stored, retry later.
    case unavailable
}

/// A refusal to send back as an `error` frame; the connection stays open.
package struct DialogueError: Error, Sendable, Equatable {
    /// The machine-readable code.
    package var code: ErrorCode
    /// A human-readable reason.
    package var message: String
    /// The `clientId` of the frame that caused it, when it had one.
    package var ref: String?

    package init(_ code: ErrorCode, _ message: String, ref: String? = nil) {
        self.code = code
        self.message = message
        self.ref = ref
    }

    /// The `error` frame for this refusal.
    package var frame: JSONValue {
        var members: [String: JSONValue] = [
            "type": "error", "code": .string(code.rawValue), "message": .string(message),
        ]
        if let ref { members["ref"] = .string(ref) }
        return .object(members)
    }
}
