import Foundation
import PostgresNIO
import Store

/// How a store URL's connections use TLS: libpq's `sslmode` and `sslrootcert` query
/// parameters (`postgres://u@db.example:5432/dialogue?sslmode=verify-full&sslrootcert=ca.pem`).
/// Without `sslmode`, a host that is not this machine gets `require` (a database reached over
/// a network is never spoken to in the clear unless asked), and a local one plain connections.
package struct PostgresTLS: Sendable, Equatable {
    /// libpq's modes (`allow` is not offered: it prefers plain text).
    package enum Mode: String, Sendable, CaseIterable {
        /// Plain connections only.
        case disable
        /// TLS when the server offers it, else plain; the certificate is not checked.
        case prefer
        /// TLS or no connection; the certificate is not checked (unless `sslrootcert` is given:
        /// then as `verify-ca`, like libpq).
        case require
        /// TLS with a certificate signed by the trusted CA (`sslrootcert`, else the system's).
        case verifyCA = "verify-ca"
        /// As `verify-ca`, and the certificate names the host of the URL.
        case verifyFull = "verify-full"
    }

    /// The mode in force (given or defaulted).
    package var mode: Mode
    /// PEM file of the CA(s) trusted to sign the server's certificate; nil: the system's.
    package var rootCertificate: String?

    /// The settings of `url`'s query for `host`; throws a reason for an unknown mode or an
    /// SSL parameter this server does not support.
    package static func parse(host: String, query: [URLQueryItem]) throws(StoreError) -> PostgresTLS {
        var mode: Mode?
        var root: String?
        for item in query {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let parsed = Mode(rawValue: value) else {
                    throw StoreError.openFailed(
                        path: host,
                        reason: "sslmode=\(item.value ?? "") is not one of "
                            + Mode.allCases.map(\.rawValue).joined(separator: ", "))
                }
                mode = parsed
            case "sslrootcert":
                guard let value = item.value, !value.isEmpty else {
                    throw StoreError.openFailed(path: host, reason: "sslrootcert needs the path of a PEM file")
                }
                root = value
            case let name where name.hasPrefix("ssl"):
                throw StoreError.openFailed(
                    path: host, reason: "\(name) is not supported (only sslmode and sslrootcert)")
            default:
                continue
            }
        }
        let settings = PostgresTLS(mode: mode ?? (isLocal(host) ? .disable : .require), rootCertificate: root)
        if settings.mode == .verifyFull, isIPAddress(host) {
            throw StoreError.openFailed(
                path: host,
                reason: "sslmode=verify-full checks the certificate against a host name; \(host) is an address "
                    + "(connect by name, or use verify-ca)")
        }
        return settings
    }

    /// This machine: `localhost`, 127.0.0.0/8, `::1`, or a Unix-socket folder.
    package static func isLocal(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return bare == "localhost" || bare.hasSuffix(".localhost") || bare == "::1" || bare.hasPrefix("127.")
            || bare.hasPrefix("/")
    }

    private static func isIPAddress(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return bare.contains(":") || bare.split(separator: ".").count == 4 && bare.allSatisfy { $0.isNumber || $0 == "." }
    }

    /// Whether the server's certificate chain is checked.
    package var verifiesChain: Bool { mode == .verifyCA || mode == .verifyFull || (mode == .require && rootCertificate != nil) }

    /// NIOSSL's client configuration for this mode; nil for `disable`.
    func tlsConfiguration() -> TLSConfiguration? {
        guard mode != .disable else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        switch mode {
        case .verifyFull: configuration.certificateVerification = .fullVerification
        case _ where verifiesChain: configuration.certificateVerification = .noHostnameVerification
        default: configuration.certificateVerification = .none
        }
        if let rootCertificate { configuration.trustRoots = .file(rootCertificate) }
        return configuration
    }

    /// The pool's TLS setting. Builds the context once, so an unreadable `sslrootcert` is
    /// reported at start, not at the first query.
    func clientTLS() throws(StoreError) -> PostgresClient.Configuration.TLS {
        guard let configuration = tlsConfiguration() else { return .disable }
        _ = try context(configuration)
        return mode == .prefer ? .prefer(configuration) : .require(configuration)
    }

    /// A single connection's TLS setting (the listeners' and the start-up check's).
    func connectionTLS() throws(StoreError) -> PostgresConnection.Configuration.TLS {
        guard let configuration = tlsConfiguration() else { return .disable }
        let context = try context(configuration)
        return mode == .prefer ? .prefer(context) : .require(context)
    }

    private func context(_ configuration: TLSConfiguration) throws(StoreError) -> NIOSSLContext {
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw StoreError.openFailed(
                path: rootCertificate ?? "TLS", reason: "sslrootcert \(rootCertificate ?? "") cannot be used: \(error)")
        }
    }
}
