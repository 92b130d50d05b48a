import Foundation

/// A raw HTTP/1.1 request read into the parts libwebsockets hands the transport: the method,
/// the path and the query fragments URL-decoded, the headers the transport asks lws for, and
/// a body of `Content-Length` bytes. A model of lws's parser for the fuzz target, not the
/// server's own code: the server never parses request bytes in Swift.
struct RawRequest {
    var method: String
    var path: String
    var queryFragments: [String]
    var headers: [String: String]
    var body: [UInt8]
    var peer: String

    /// The methods lws recognises (anything else it refuses before the callback).
    static let methods: Set<String> = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]
    /// The headers `DialogueCallback.httpStarted` copies out of lws.
    static let collected: Set<String> = [
        "authorization", "content-type", "content-length", "origin", "accept", "accept-language", "host", "upgrade",
    ]
    /// The transport's body limit (TransportConfiguration.maxBodySize; the glossary's is
    /// larger): bigger bodies are answered 413 by the transport, never reaching the API.
    static let bodyLimit = 1024 * 1024

    /// Nil when lws would refuse the request or wait for more bytes.
    init?(_ bytes: [UInt8]) {
        guard let headEnd = Self.find([0x0D, 0x0A, 0x0D, 0x0A], in: bytes) else { return nil }
        let head = String(decoding: bytes[..<headEnd], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3, Self.methods.contains(String(requestLine[0])),
            requestLine[2] == "HTTP/1.1" || requestLine[2] == "HTTP/1.0", requestLine[1].hasPrefix("/")
        else { return nil }
        method = String(requestLine[0])
        let target = requestLine[1]
        let question = target.firstIndex(of: "?")
        path = Self.percentDecoded(target[..<(question ?? target.endIndex)], plusIsSpace: false)
        queryFragments =
            question.map { target[target.index(after: $0)...].split(separator: "&").map { Self.percentDecoded($0, plusIsSpace: true) } }
            ?? []
        headers = [:]
        // The peer address is chosen by the input's first header line when it is `X-Peer`:
        // loopback and other addresses take different paths (/metrics).
        peer = "127.0.0.1"
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[..<colon].lowercased()
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: [" ", "\t"])
            if name == "x-peer" { peer = value; continue }
            if Self.collected.contains(name) { headers[name] = value }
        }
        let rest = Array(bytes[(headEnd + 4)...])
        let expected = headers["content-length"].flatMap { Int($0) } ?? 0
        guard expected >= 0, expected <= Self.bodyLimit, rest.count >= expected else { return nil }
        body = Array(rest.prefix(expected))
    }

    static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        for start in 0...(bytes.count - needle.count) where bytes[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// `%XX` decoded (and `+` as a space in query arguments); the bytes read as UTF-8 with
    /// invalid sequences replaced, as the transport's `cString` reads lws's buffers.
    static func percentDecoded(_ text: Substring, plusIsSpace: Bool) -> String {
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.popFirst() {
            if byte == UInt8(ascii: "%"), bytes.count >= 2, let high = hexValue(bytes[bytes.startIndex]),
                let low = hexValue(bytes[bytes.startIndex + 1])
            {
                out.append(high << 4 | low)
                bytes = bytes.dropFirst(2)
            } else if plusIsSpace && byte == UInt8(ascii: "+") {
                out.append(0x20)
            } else {
                out.append(byte)
            }
        }
        // lws stops at a NUL: the transport reads C strings.
        return String(decoding: out.prefix { $0 != 0 }, as: UTF8.self)
    }
}
