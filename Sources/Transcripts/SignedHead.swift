import Crypto
import Foundation

/// A session's chain head and its Ed25519 signature (docs/transcripts.md, "Signature").
package struct SignedHead: Sendable, Equatable {
    /// The session.
    package var session: String
    /// The seq of the last event covered.
    package var seq: Int64
    /// The chain value of that event (32 bytes); 32 zero bytes for an empty session.
    package var chain: [UInt8]
    /// Ed25519 signature of `message`.
    package var signature: [UInt8]
    /// The raw 32-byte public key that verifies it.
    package var publicKey: [UInt8]

    package init(session: String, seq: Int64, chain: [UInt8], signature: [UInt8], publicKey: [UInt8]) {
        self.session = session
        self.seq = seq
        self.chain = chain
        self.signature = signature
        self.publicKey = publicKey
    }

    /// The exact bytes that are signed.
    package static func message(session: String, seq: Int64, chain: [UInt8]) -> [UInt8] {
        Array("dialogue-server transcript v1\nsession: \(session)\nseq: \(seq)\nhead: \(Hex.encode(chain))\n".utf8)
    }

    /// Signs a head with `key`.
    package static func sign(session: String, seq: Int64, chain: [UInt8], with key: Curve25519.Signing.PrivateKey)
        throws -> SignedHead
    {
        let signature = try key.signature(for: message(session: session, seq: seq, chain: chain))
        return SignedHead(
            session: session, seq: seq, chain: chain, signature: Array(signature),
            publicKey: Array(key.publicKey.rawRepresentation))
    }

    /// Whether the signature is valid for this head and key.
    package var isValid: Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: Self.message(session: session, seq: seq, chain: chain))
    }
}
