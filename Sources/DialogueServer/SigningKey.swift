import Crypto
import Foundation
import Store

/// The server's Ed25519 transcript key, kept in its own file beside (not inside) the
/// database, so a copy of the database alone cannot forge signed heads.
package enum SigningKey {
    /// File name inside the data folder.
    package static let fileName = "signing-key.ed25519"

    /// Loads the key, creating it (mode 0600) on first start.
    package static func loadOrCreate(dataDirectory: String) throws -> Curve25519.Signing.PrivateKey {
        try loadOrCreate(path: (dataDirectory as NSString).appendingPathComponent(fileName))
    }

    /// Loads the key at `path`, creating it (mode 0600) when missing.
    package static func loadOrCreate(path: String) throws -> Curve25519.Signing.PrivateKey {
        let dataDirectory = (path as NSString).deletingLastPathComponent
        if let data = FileManager.default.contents(atPath: path) {
            do {
                return try Curve25519.Signing.PrivateKey(rawRepresentation: data)
            } catch {
                throw StoreError.badSigningKey(path: path, reason: "not a 32-byte Ed25519 private key")
            }
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let key = Curve25519.Signing.PrivateKey()
        guard
            FileManager.default.createFile(
                atPath: path, contents: key.rawRepresentation, attributes: [.posixPermissions: 0o600])
        else { throw StoreError.badSigningKey(path: path, reason: "cannot be written") }
        return key
    }
}
