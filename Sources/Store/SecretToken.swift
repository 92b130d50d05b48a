import Crypto
import Foundation

/// Random identifiers and secrets. `SystemRandomNumberGenerator` reads the kernel's CSPRNG.
package enum SecretToken {
    private static let base32 = Array("abcdefghijkmnpqrstuvwxyz23456789".utf8)  // no l, o, 0, 1

    /// `bits` random bits as lowercase base32 (5 bits a character).
    package static func base32(bits: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let count = (bits + 4) / 5
        return String(decoding: (0..<count).map { _ in base32[Int(generator.next() % 32)] }, as: UTF8.self)
    }

    /// An id such as `ses_k3v9q2m4x7c1b8n5` (80 random bits).
    package static func identifier(prefix: String) -> String { prefix + "_" + base32(bits: 80) }

    /// A staff bearer token: `dst_` and 256 random bits in base64url.
    package static func staffToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "dst_" + base64
    }

    /// An invite code: 160 random bits in base32 (32 characters, safe in a URL fragment).
    package static func inviteCode() -> String { base32(bits: 160) }

    /// What the database keeps of a secret: its SHA-256.
    package static func digest(_ secret: String) -> Data { Data(SHA256.hash(data: Data(secret.utf8))) }
}
