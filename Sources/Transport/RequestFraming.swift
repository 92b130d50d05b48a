/// How an HTTP/1.1 request's body is delimited, judged from its headers before a byte of the
/// body is read. Only one framing is accepted: a single, plain decimal `Content-Length` (or
/// none, for no body). Everything a proxy in front might read differently from this server —
/// `Transfer-Encoding`, a repeated or list-valued `Content-Length`, signs, spaces inside
/// digits — is refused, because that disagreement is what request smuggling rides on.
package enum RequestFraming: Equatable, Sendable {
    /// The body is exactly this many bytes (0: none).
    case length(Int)
    /// Refused with this status and reason; the connection is closed after the answer.
    case refused(status: Int, reason: String)

    /// Judges a request from its `Transfer-Encoding` (nil when absent) and every
    /// `Content-Length` field line it carried, in order.
    package static func judge(transferEncoding: String?, contentLengths: [String]) -> RequestFraming {
        if transferEncoding != nil {
            return .refused(
                status: 501, reason: "Transfer-Encoding is not accepted on requests; send a Content-Length")
        }
        guard let first = contentLengths.first else { return .length(0) }
        guard contentLengths.count == 1 else {
            return .refused(status: 400, reason: "more than one Content-Length header")
        }
        let digits = first.trimmingSpaces
        guard !digits.isEmpty, digits.utf8.count <= 15, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            let length = Int(digits)
        else {
            return .refused(status: 400, reason: "Content-Length must be one decimal number of bytes")
        }
        return .length(length)
    }
}
