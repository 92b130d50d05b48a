/// Which address a request comes from. Only a TCP peer inside a trusted proxy block may say
/// who its client is, in the ONE header the proxies are set up to write (`header`:
/// `X-Forwarded-For` by default, or RFC 7239 `Forwarded: for=`); the other header is never
/// read, since a proxy that only appends to one passes a client's own copy of the other on
/// unchanged. Anyone else's forwarding headers are ignored, since a client can write whatever
/// it likes into them.
/// Within a trusted peer's chain the client is the rightmost hop that is not itself a trusted
/// proxy: hops left of it were written by the client and prove nothing.
package struct ClientAddressResolver: Sendable {
    /// Blocks whose peers are proxies we put there (`--trusted-proxy`).
    package var trustedProxies: [CIDR]
    /// The header the trusted proxies write the client into (`--forwarded-header`).
    package var header: ForwardedHeader

    /// A forwarding header the server can be told to read.
    package enum ForwardedHeader: String, Sendable, CaseIterable {
        /// `X-Forwarded-For: client, proxy1, …` (nginx `$proxy_add_x_forwarded_for`, HAProxy `forwardfor`).
        case xForwardedFor = "x-forwarded-for"
        /// RFC 7239 `Forwarded: for=client, for=proxy1` (HAProxy `option forwarded`).
        case forwarded
    }

    /// The address given when a trusted proxy forwarded a request but its chain names no
    /// usable client (`for=unknown`, an obfuscated name, garbage): one shared bucket, and
    /// never loopback, so it earns no loopback privilege.
    package static let unknown = "unknown"

    package init(trustedProxies: [CIDR] = [], header: ForwardedHeader = .xForwardedFor) {
        self.trustedProxies = trustedProxies
        self.header = header
    }

    /// The client address for a request whose TCP peer is `peer` (as the socket reports it);
    /// of the two forwarding headers only the one named by `header` is read.
    package func clientAddress(peer: String, forwarded: String?, forwardedFor: String?) -> String {
        guard let peerAddress = IPAddress(peer) else { return peer }
        guard isTrusted(peerAddress) else { return peerAddress.description }
        let hops: [String]
        switch header {
        case .forwarded:
            guard let forwarded, !forwarded.isEmpty else { return peerAddress.description }
            guard let parsed = Self.forwardedFor(forwarded) else { return Self.unknown }
            hops = parsed
        case .xForwardedFor:
            guard let forwardedFor, !forwardedFor.isEmpty else { return peerAddress.description }
            hops = forwardedFor.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingSpaces
            }
        }
        var client = peerAddress
        for hop in hops.reversed() {
            guard let address = Self.hopAddress(hop) else { return Self.unknown }
            client = address
            if !isTrusted(address) { break }
        }
        return client.description
    }

    /// Whether `address` is one of the trusted proxies.
    package func isTrusted(_ address: IPAddress) -> Bool { trustedProxies.contains { $0.contains(address) } }

    /// The `for=` values of a `Forwarded` header, one per element in order; nil when the
    /// header does not parse (then nothing in it can be believed) or an element has no `for`.
    static func forwardedFor(_ header: String) -> [String]? {
        var hops: [String] = []
        var current: String?
        var name = ""
        var value = ""
        var inValue = false
        var quoted = false
        var escaped = false
        var closedQuote = false

        func finishPair() -> Bool {
            let key = name.trimmingSpaces.lowercased()
            let text = value.trimmingSpaces
            defer { name = ""; value = ""; inValue = false; closedQuote = false }
            if key.isEmpty && text.isEmpty && !inValue { return true }  // empty pair (`;;`)
            guard !key.isEmpty, key.utf8.allSatisfy(Self.isTokenByte), inValue else { return false }
            if key == "for" {
                guard current == nil else { return false }  // two `for` in one element
                current = text
            }
            return true
        }
        func finishElement() -> Bool {
            guard finishPair(), let hop = current else { return false }
            hops.append(hop)
            current = nil
            return true
        }

        for character in header {
            if quoted {
                if escaped {
                    value.append(character); escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    quoted = false; closedQuote = true
                } else {
                    value.append(character)
                }
                continue
            }
            switch character {
            case "=" where !inValue:
                inValue = true
            case "\"" where inValue && value.trimmingSpaces.isEmpty && !closedQuote:
                quoted = true
            case ";":
                guard finishPair() else { return nil }
            case ",":
                guard finishElement() else { return nil }
            default:
                if closedQuote && character != " " && character != "\t" { return nil }
                if inValue {
                    guard character == " " || character == "\t" || character.isASCII && character.asciiValue! > 32 else {
                        return nil
                    }
                    value.append(character)
                } else {
                    name.append(character)
                }
            }
        }
        guard !quoted, finishElement() else { return nil }
        return hops
    }

    /// The address in one hop: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]`,
    /// `[2001:db8::1]:4711` or a bare `2001:db8::1`; nil for `unknown`, `_hidden` and garbage.
    static func hopAddress(_ hop: String) -> IPAddress? {
        if hop.hasPrefix("[") {
            guard let close = hop.firstIndex(of: "]") else { return nil }
            let rest = hop[hop.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && isPort(rest.dropFirst())) else { return nil }
            let inner = hop[hop.index(after: hop.startIndex)..<close]
            guard inner.contains(":"), let address = IPAddress(inner) else { return nil }
            return address
        }
        if let address = IPAddress(hop) { return address }
        // IPv4 with a port; a bare IPv6 address was taken above.
        let parts = hop.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, isPort(parts[1]), let address = IPAddress(parts[0]), address.isIPv4 else { return nil }
        return address
    }

    private static func isPort(_ text: Substring) -> Bool {
        // RFC 7239 allows an obfuscated port (`_abc`) as well as digits.
        guard !text.isEmpty, text.count <= 16 else { return false }
        if text.hasPrefix("_") { return text.dropFirst().utf8.allSatisfy { isTokenByte($0) } }
        return text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } && text.count <= 5 && Int(text)! <= 65535
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
