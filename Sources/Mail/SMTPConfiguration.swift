import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where and how `SMTPTransport` connects.
package struct SMTPConfiguration: Sendable {
    package var host: String
    package var port: Int
    /// TLS from the first byte (`smtps://`, port 465, RFC 8314) instead of STARTTLS.
    package var implicitTLS: Bool
    package var credentials: SMTPCredentials?
    /// Without implicit TLS: fail unless the server offers STARTTLS. When false, STARTTLS is
    /// still used whenever it is offered; credentials are never sent in plaintext except to a
    /// loopback address (a relay on the same machine).
    package var requireTLS: Bool
    package var certificateVerification: SMTPCertificateVerification
    /// The longest wait for the connection and for each reply, the greeting and the reply to
    /// the end of DATA included.
    package var timeout: Duration
    /// The name this client gives in EHLO/HELO.
    package var heloName: String

    package init(
        host: String, port: Int, implicitTLS: Bool = false, credentials: SMTPCredentials? = nil,
        requireTLS: Bool = false,
        certificateVerification: SMTPCertificateVerification = .system, timeout: Duration = .seconds(30),
        heloName: String? = nil
    ) {
        self.host = host
        self.port = port
        self.implicitTLS = implicitTLS
        self.credentials = credentials
        self.requireTLS = requireTLS
        self.certificateVerification = certificateVerification
        self.timeout = timeout
        self.heloName = heloName ?? Self.defaultHeloName()
    }

    /// `smtp://[user:password@]host[:port]` (STARTTLS when offered, port 25 by default) or
    /// `smtps://…` (implicit TLS, port 465 by default). The user and password are
    /// percent-decoded, so `%40` gives "@"; an IPv6 host is written in brackets.
    package init(
        url: String, requireTLS: Bool = false, certificateVerification: SMTPCertificateVerification = .system,
        timeout: Duration = .seconds(30), heloName: String? = nil
    ) throws(SMTPConfigurationError) {
        let (scheme, rest) = try Self.split(
            url, at: "://", orFail: .invalidURL(url, reason: "no scheme; expected smtp:// or smtps://"))
        let implicitTLS: Bool
        switch scheme.lowercased() {
        case "smtp": implicitTLS = false
        case "smtps": implicitTLS = true
        default: throw .invalidURL(url, reason: "unsupported scheme '\(scheme)' (use smtp:// or smtps://)")
        }
        var authority = Substring(rest)
        if authority.hasSuffix("/") { authority = authority.dropLast() }
        if authority.contains("/") || authority.contains("?") || authority.contains("#") {
            throw .invalidURL(url, reason: "a path, query or fragment has no meaning here")
        }
        // The last "@" ends the user information: a password may contain a raw "@".
        var credentials: SMTPCredentials?
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            let pieces = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard pieces.count == 2, let user = pieces[0].removingPercentEncoding,
                let password = pieces[1].removingPercentEncoding, !user.isEmpty
            else { throw .invalidURL(url, reason: "credentials must be user:password, percent-encoded") }
            credentials = SMTPCredentials(username: user, password: password)
        }
        let host: String
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw .invalidURL(url, reason: "unclosed '[' in the host")
            }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidURL(url, reason: "unexpected text after the host") }
                portText = after.dropFirst()
            }
        } else {
            let pieces = authority.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw .invalidURL(url, reason: "more than one ':' after the host") }
            host = String(pieces[0])
            if pieces.count == 2 { portText = pieces[1] }
        }
        guard !host.isEmpty else { throw .invalidURL(url, reason: "no host") }
        var port = implicitTLS ? 465 : 25
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw .invalidURL(url, reason: "port '\(portText)' is not a number from 1 to 65535")
            }
            port = value
        }
        self.init(
            host: host, port: port, implicitTLS: implicitTLS, credentials: credentials, requireTLS: requireTLS,
            certificateVerification: certificateVerification, timeout: timeout, heloName: heloName)
    }

    private static func split(_ text: String, at separator: String, orFail error: SMTPConfigurationError)
        throws(SMTPConfigurationError) -> (String, String)
    {
        guard let range = text.range(of: separator) else { throw error }
        return (String(text[..<range.lowerBound]), String(text[range.upperBound...]))
    }

    /// This machine's host name (RFC 5321 wants a name the server can look up), else
    /// "localhost".
    static func defaultHeloName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}

/// A user name and password for AUTH PLAIN or LOGIN. The description hides the password.
package struct SMTPCredentials: Sendable, Equatable, CustomStringConvertible {
    package var username: String
    package var password: String

    package init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    package var description: String { "\(username):<hidden>" }
}

/// How the server's certificate is checked.
package enum SMTPCertificateVerification: Sendable, Equatable {
    /// Against the system's trust roots, with the host name.
    case system
    /// Against the CA certificates in a PEM file instead, with the host name (a private CA,
    /// or the tests' self-signed certificate).
    case trustRoots(pemFile: String)
    /// Not at all. Only for tests: anyone on the path can read the mail and the password.
    case none
}

package enum SMTPConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String, reason: String)
    case tls(String)

    package var description: String {
        switch self {
        case .invalidURL(let url, let reason):
            "SMTP URL '\(Self.hidingPassword(url))' is not usable: \(reason)"
        case .tls(let reason): "TLS configuration: \(reason)"
        }
    }

    /// Error messages end up in logs: the URL's password must not.
    private static func hidingPassword(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://"), let at = url.lastIndex(of: "@"), at > schemeEnd.upperBound else {
            return url
        }
        let userInfo = url[schemeEnd.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":<hidden>" + String(url[at...])
    }
}
