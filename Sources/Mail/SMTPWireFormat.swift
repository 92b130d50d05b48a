/// One SMTP reply (RFC 5321 §4.2): a three-digit code and one or more lines of text.
struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    let code: Int
    let lines: [String]

    /// 2xx done, 3xx go on, 4xx try again later, 5xx never.
    var kind: Int { code / 100 }

    var description: String {
        let text = lines.filter { !$0.isEmpty }.joined(separator: " / ")
        return text.isEmpty ? "\(code)" : "\(code) \(text)"
    }
}

/// Why the conversation broke, below the level of reply codes.
enum SMTPConnectionError: Error, Sendable, CustomStringConvertible {
    case timedOut
    case closed
    case malformedReply(String)
    case unexpectedReply(SMTPReply)
    case dataAfterStartTLS
    case commandBeforeReply

    var description: String {
        switch self {
        case .timedOut: "timed out"
        case .closed: "the server closed the connection"
        case .malformedReply(let why): "malformed reply: \(why)"
        case .unexpectedReply(let reply): "the server sent a reply nobody asked for: \(reply)"
        case .dataAfterStartTLS: "the server sent more data right after agreeing to STARTTLS (possible injection)"
        case .commandBeforeReply: "internal error: a command was sent before the reply to the previous one"
        }
    }
}

/// Cuts the bytes from the server into replies: lines `250-first`, `250-more`, `250 last`
/// (RFC 5321 §4.2.1). Bare LF is accepted as a line end, as many clients do.
struct SMTPReplyParser {
    /// RFC 5321 §4.5.3.1.5 allows 512 octets a reply line; some servers send longer ones.
    static let maxLineLength = 4096
    /// A bound on one reply, against a server that never ends one.
    static let maxLinesPerReply = 256

    private var buffer: [UInt8] = []
    private var code: Int?
    private var lines: [String] = []

    /// Nothing received that is not part of a complete reply yet.
    var isIdle: Bool { buffer.isEmpty && lines.isEmpty }

    /// Adds bytes; returns the replies they complete, in order.
    mutating func feed(_ bytes: some Sequence<UInt8>) throws(SMTPConnectionError) -> [SMTPReply] {
        buffer.append(contentsOf: bytes)
        var replies: [SMTPReply] = []
        while let newline = buffer.firstIndex(of: 0x0A) {
            var line = buffer[..<newline]
            if line.last == 0x0D { line = line.dropLast() }
            let text = Array(line)
            buffer.removeSubrange(...newline)
            if let reply = try addLine(text) { replies.append(reply) }
        }
        if buffer.count > Self.maxLineLength { throw .malformedReply("a line longer than \(Self.maxLineLength) bytes") }
        return replies
    }

    private mutating func addLine(_ line: [UInt8]) throws(SMTPConnectionError) -> SMTPReply? {
        guard line.count >= 3, line[0...2].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), (0x32...0x35).contains(line[0])
        else {
            throw .malformedReply(
                "'\(String(decoding: line.prefix(80), as: UTF8.self))' does not start with a reply code")
        }
        let lineCode = Int(line[0] - 0x30) * 100 + Int(line[1] - 0x30) * 10 + Int(line[2] - 0x30)
        if let code, code != lineCode { throw .malformedReply("reply code \(lineCode) inside a \(code) reply") }
        let separator = line.count > 3 ? line[3] : 0x20
        guard separator == 0x20 || separator == 0x2D else {
            throw .malformedReply(
                "'\(String(decoding: line.prefix(80), as: UTF8.self))' has no space or hyphen after the code")
        }
        code = lineCode
        lines.append(line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : "")
        if lines.count > Self.maxLinesPerReply {
            throw .malformedReply("more than \(Self.maxLinesPerReply) lines in a reply")
        }
        guard separator == 0x20 else { return nil }
        let reply = SMTPReply(code: lineCode, lines: lines)
        code = nil
        lines = []
        return reply
    }
}

/// The extensions a server listed in its EHLO reply (RFC 5321 §4.1.1.1): keyword, uppercased,
/// to its parameters.
struct SMTPExtensions: Sendable {
    let keywords: [String: [String]]

    init(ehloReply: SMTPReply) {
        var keywords: [String: [String]] = [:]
        for line in ehloReply.lines.dropFirst() {
            var words = line.split(separator: " ").map(String.init)
            guard !words.isEmpty else { continue }
            var keyword = words.removeFirst().uppercased()
            // Old servers write "AUTH=LOGIN PLAIN".
            if keyword.hasPrefix("AUTH=") {
                words.insert(String(keyword.dropFirst(5)), at: 0)
                keyword = "AUTH"
            }
            keywords[keyword, default: []] += words
        }
        self.keywords = keywords
    }

    /// No extensions (the server answered HELO).
    init() { keywords = [:] }

    func has(_ keyword: String) -> Bool { keywords[keyword] != nil }
    var authMechanisms: Set<String> { Set((keywords["AUTH"] ?? []).map { $0.uppercased() }) }
    /// The server's message size limit; nil when it does not say or says 0 (no limit).
    var sizeLimit: Int? { keywords["SIZE"]?.first.flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } }
}

/// The message as DATA carries it (RFC 5321 §4.5.2): every line break CRLF (a bare CR or LF
/// too), a "." doubled at the start of a line, and the final CRLF "." CRLF.
enum SMTPDataEncoder {
    static func encode(_ message: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(message.count + message.count / 50 + 5)
        var atLineStart = true
        var index = 0
        while index < message.count {
            let byte = message[index]
            index += 1
            switch byte {
            case 0x0D, 0x0A:
                if byte == 0x0D, index < message.count, message[index] == 0x0A { index += 1 }
                output += [0x0D, 0x0A]
                atLineStart = true
            default:
                if atLineStart, byte == UInt8(ascii: ".") { output.append(byte) }
                output.append(byte)
                atLineStart = false
            }
        }
        if !atLineStart { output += [0x0D, 0x0A] }
        output += Array(".\r\n".utf8)
        return output
    }
}
