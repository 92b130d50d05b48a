import Crypto
import Dialogue
import Foundation
import Store
import Transcripts

#if canImport(Glibc)
    import Glibc
#endif

/// The server's Ed25519 transcript key, kept in its own file beside (not inside) the
/// database, so a copy of the database alone cannot forge signed heads; and the retired
/// public keys kept beside it, so transcripts signed before a rotation still verify.
package enum SigningKey {
    /// File name inside the data folder.
    package static let fileName = "signing-key.ed25519"

    /// The key file's path: `path` when given, else `signing-key.ed25519` in `dataDirectory`.
    package static func path(dataDirectory: String, override path: String?) -> String {
        path ?? (dataDirectory as NSString).appendingPathComponent(fileName)
    }

    /// The file of retired public keys beside the key file at `keyPath`: one base64 key per
    /// line, optionally followed by a space and when it was retired. Nodes that share the
    /// key file share it too.
    package static func retiredPath(keyPath: String) -> String { keyPath + ".retired" }

    /// Loads the key, creating it (mode 0600) on first start.
    package static func loadOrCreate(dataDirectory: String) throws -> Curve25519.Signing.PrivateKey {
        try loadOrCreate(path: (dataDirectory as NSString).appendingPathComponent(fileName))
    }

    /// Loads the key at `path`, creating it when missing: mode 0600, in a folder made 0700
    /// (created so, or narrowed when group or others could enter it), so nothing beside the
    /// key is open to others either.
    package static func loadOrCreate(path: String) throws -> Curve25519.Signing.PrivateKey {
        if let key = try load(path: path) { return key }
        let key = Curve25519.Signing.PrivateKey()
        try writeKey(key, to: path, exclusive: true)
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, chmod(folder, 0o700) != 0 {
            throw StoreError.badSigningKey(
                path: path, reason: "its folder cannot be made private (\(String(cString: strerror(errno))))")
        }
        return key
    }

    /// Loads the key at `path`; nil when there is no file. Refuses a key that group or
    /// others may read or write: whoever can read it can sign transcripts.
    package static func load(path: String) throws -> Curve25519.Signing.PrivateKey? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        try checkPrivate(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError.badSigningKey(path: path, reason: "cannot be read")
        }
        do {
            return try Curve25519.Signing.PrivateKey(rawRepresentation: data)
        } catch {
            throw StoreError.badSigningKey(path: path, reason: "not a 32-byte Ed25519 private key")
        }
    }

    /// The public keys to trust: `current`'s and the retired ones beside `keyPath`.
    package static func trustedKeys(keyPath: String, current: Curve25519.Signing.PublicKey?) throws -> TrustedKeys {
        TrustedKeys((current.map { [Array($0.rawRepresentation)] } ?? []) + (try retiredKeys(keyPath: keyPath)))
    }

    /// The retired public keys beside `keyPath` ([] when there is no file). The file must
    /// not be writable by others either: a key added to it would be trusted.
    package static func retiredKeys(keyPath: String) throws -> [[UInt8]] {
        let path = retiredPath(keyPath: keyPath)
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        try checkPrivate(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError.badSigningKey(path: path, reason: "cannot be read")
        }
        var keys: [[UInt8]] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            let text = line.split(separator: " ").first.map(String.init) ?? ""
            if text.isEmpty || text.hasPrefix("#") { continue }
            guard let raw = Base64.decode(text), raw.count == 32 else {
                throw StoreError.badSigningKey(
                    path: path, reason: "line \(index + 1) is not a base64 32-byte Ed25519 public key")
            }
            keys.append(raw)
        }
        return keys
    }

    /// Replaces the key at `path` by a new one and keeps the old public key as retired, so
    /// what it signed still verifies. Returns the old public key (nil when there was none)
    /// and the new key. Servers using the file sign with the new key once restarted.
    package static func rotate(path: String) throws -> (retired: [UInt8]?, new: Curve25519.Signing.PrivateKey) {
        let old = try load(path: path)
        if let old {
            let retired = retiredPath(keyPath: path)
            let line = Base64.encode(Array(old.publicKey.rawRepresentation)) + " " + Timestamp.now() + "\n"
            let existing = FileManager.default.contents(atPath: retired) ?? Data()
            try writePrivate(existing + Data(line.utf8), to: retired + ".tmp", exclusive: false)
            try rename(retired + ".tmp", to: retired)
        }
        let key = Curve25519.Signing.PrivateKey()
        try writeKey(key, to: path + ".new", exclusive: false)
        try rename(path + ".new", to: path)
        return (old.map { Array($0.publicKey.rawRepresentation) }, key)
    }

    /// Refuses a file that group or others may read or write, naming it and its mode.
    static func checkPrivate(_ path: String) throws {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let mode = (attributes?[.posixPermissions] as? NSNumber)?.intValue else {
            throw StoreError.badSigningKey(path: path, reason: "cannot read its permissions")
        }
        if mode & 0o077 != 0 {
            throw StoreError.badSigningKey(
                path: path,
                reason: "mode \(String(mode & 0o777, radix: 8)) lets group or others read or write it; "
                    + "make it private (chmod 600 \(path)) and consider the key exposed")
        }
    }

    private static func writeKey(_ key: Curve25519.Signing.PrivateKey, to path: String, exclusive: Bool) throws {
        try writePrivate(key.rawRepresentation, to: path, exclusive: exclusive)
    }

    /// Writes `data` to a new file created 0600 (never wider, whatever the umask), its
    /// folder created 0700 when missing.
    private static func writePrivate(_ data: Data, to path: String, exclusive: Bool) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        if !exclusive { unlink(path) }
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError.badSigningKey(
                path: path, reason: "cannot be written (\(String(cString: strerror(errno))))")
        }
        defer { Glibc.close(fd) }
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(fd) == 0 else {
            throw StoreError.badSigningKey(
                path: path, reason: "cannot be written (\(String(cString: strerror(errno))))")
        }
    }

    private static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw StoreError.badSigningKey(path: to, reason: "cannot be replaced (\(String(cString: strerror(errno))))")
        }
    }
}
