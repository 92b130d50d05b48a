#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address as bytes (4 or 16), parsed strictly: no host names, no zones.
/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) are taken as the IPv4 address they carry,
/// so one client is one address whichever way the socket reports it.
package struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6, network order.
    package let bytes: [UInt8]

    /// Parses a bare address (`192.0.2.1`, `2001:db8::1`); nil for anything else.
    package init?(_ text: some StringProtocol) {
        let string = String(text)
        guard !string.isEmpty, string.utf8.count <= 45 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, string, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, string, &v6) == 1 else { return nil }
        let raw = withUnsafeBytes(of: &v6) { Array($0) }
        bytes = raw[0..<10].allSatisfy { $0 == 0 } && raw[10] == 0xff && raw[11] == 0xff ? Array(raw[12...]) : raw
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// Whether this is an IPv4 address.
    package var isIPv4: Bool { bytes.count == 4 }

    /// 127.0.0.0/8 or ::1.
    package var isLoopback: Bool {
        isIPv4 ? bytes[0] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    /// The canonical text form (`inet_ntop`), which is what the server logs and counts by.
    package var description: String {
        var out = [CChar](repeating: 0, count: 64)
        var copy = bytes
        let family = isIPv4 ? AF_INET : AF_INET6
        guard inet_ntop(family, &copy, &out, socklen_t(out.count)) != nil else { return "?" }
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An address block such as `10.0.0.0/8` or `fd00::/8`; a bare address is a block of one.
package struct CIDR: Hashable, Sendable, CustomStringConvertible {
    /// The block's first address (host bits cleared).
    package let base: IPAddress
    /// Leading bits that must match.
    package let prefix: Int

    /// Parses `ADDRESS/BITS` or `ADDRESS`; nil when either part is malformed or the prefix
    /// is longer than the address.
    package init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(parts[0]) else { return nil }
        // `::ffff:10.0.0.0/104` names an IPv4 block: its prefix counts the 96 mapped bits.
        let written = parts[0].contains(":") ? 128 : 32
        var bits = written
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), parts[1].count <= 3,
                let parsed = Int(parts[1]), parsed <= written
            else { return nil }
            bits = parsed
        }
        if address.isIPv4 && written == 128 {
            guard bits >= 96 else { return nil }
            bits -= 96
        }
        prefix = bits
        base = IPAddress(bytes: Self.masked(address.bytes, bits))
    }

    /// Whether `address` lies inside the block (an IPv4 address never lies in an IPv6 block).
    package func contains(_ address: IPAddress) -> Bool {
        address.bytes.count == base.bytes.count && Self.masked(address.bytes, prefix) == base.bytes
    }

    package var description: String { "\(base)/\(prefix)" }

    private static func masked(_ bytes: [UInt8], _ bits: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let keep = max(0, min(8, bits - index * 8))
            return keep == 8 ? byte : byte & ~(UInt8(0xff) >> keep)
        }
    }
}
