/// Which web pages may open WebSockets: by default only the server's own pages, so a
/// foreign site's script cannot ride a visitor's network position or stored session
/// (cross-site WebSocket hijacking). "Own" is the origin whose host and port are the
/// request's `Host` (whatever the scheme: a TLS-terminating proxy makes `https://x` arrive
/// as plain HTTP with `Host: x`), the `--public-url`'s origin, and each `--allow-origin`.
/// A request without `Origin` does not come from a browser page and is let through.
package struct OriginPolicy: Sendable {
    /// Exact origins allowed besides the server's own (`scheme://host[:port]`, lower case).
    package var allowed: Set<String>
    /// `scheme://host[:port]` of `--public-url`, when given.
    package var publicOrigin: String?

    package init(allowed: [String] = [], publicURL: String? = nil) {
        self.allowed = Set(allowed.compactMap(Self.normalized))
        self.publicOrigin = publicURL.flatMap(Self.normalized)
    }

    /// Why an upgrade from `origin` with `Host: host` is refused; nil to accept.
    package func refusal(origin: String?, host: String?) -> String? {
        guard let origin else { return nil }
        guard let normalized = Self.normalized(origin) else { return "origin \(origin) is not a valid origin" }
        if allowed.contains(normalized) || normalized == publicOrigin { return nil }
        if let host, let authority = Self.authority(of: normalized), authority == Self.hostAuthority(host) {
            return nil
        }
        return "origin \(origin) is not allowed (only this server's own pages and --allow-origin)"
    }

    /// `scheme://host[:port]` in lower case, the default port dropped; nil when `text` is not
    /// an http(s) origin or URL.
    static func normalized(_ text: String) -> String? {
        let lower = text.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") {
            scheme = "https"
        } else if lower.hasPrefix("http://") {
            scheme = "http"
        } else {
            return nil
        }
        var rest = lower.dropFirst(scheme.count + 3)
        if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<slash] }
        guard !rest.isEmpty, !rest.contains("@"), !rest.contains(" ") else { return nil }
        let defaultPort = scheme == "https" ? ":443" : ":80"
        if rest.hasSuffix(defaultPort) { rest = rest.dropLast(defaultPort.count) }
        return "\(scheme)://\(rest)"
    }

    /// The `host[:port]` of a normalized origin, with the default port of either scheme dropped.
    private static func authority(of origin: String) -> String? {
        guard let range = origin.range(of: "://") else { return nil }
        return hostAuthority(String(origin[range.upperBound...]))
    }

    /// A `Host` header compared without case and without `:80` / `:443`.
    private static func hostAuthority(_ host: String) -> String {
        var value = host.trimmingSpaces.lowercased()
        for port in [":80", ":443"] where value.hasSuffix(port) { value.removeLast(port.count) }
        return value
    }
}
