import HashChain
import Crypto

/// The public keys a verifier accepts signatures from: the server's own signing key and
/// the retired keys kept beside it (never a key read from the database or from the
/// document being checked).
package struct TrustedKeys: Sendable, Equatable {
    /// Raw 32-byte Ed25519 public keys, the current one first.
    package var keys: [[UInt8]]

    /// Keys from their raw bytes; duplicates are dropped, order kept.
    package init(_ keys: [[UInt8]]) {
        var seen: Set<[UInt8]> = []
        self.keys = keys.filter { seen.insert($0).inserted }
    }

    /// Whether there is no key to trust (a verifier then can only check self-consistency).
    package var isEmpty: Bool { keys.isEmpty }

    /// A key's id: the lowercase hex of the first 16 bytes of SHA-256 of the raw public key.
    package static func keyId(_ publicKey: [UInt8]) -> String {
        Hex.encode(Array(Array(SHA256.hash(data: publicKey)).prefix(16)))
    }

    /// Whether `publicKey` is one of the trusted keys.
    package func trusts(_ publicKey: [UInt8]) -> Bool { keys.contains(publicKey) }

    /// The trusted key whose signature `head` carries, or nil when none made it: the key
    /// written in the head is only tried first, it is never believed.
    package func signer(of head: SignedHead) -> [UInt8]? {
        signer(of: head.message, signature: head.signature, hint: head.publicKey)
    }

    /// The trusted key that signed `message`, trying `hint` first when it is trusted.
    package func signer(of message: [UInt8], signature: [UInt8], hint: [UInt8]? = nil) -> [UInt8]? {
        let ordered = (hint.map { trusts($0) ? [$0] : [] } ?? []) + keys.filter { $0 != hint }
        for raw in ordered {
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { continue }
            if key.isValidSignature(signature, for: message) { return raw }
        }
        return nil
    }
}
