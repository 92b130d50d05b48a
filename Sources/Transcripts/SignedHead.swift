import HashChain
import Crypto
import Foundation

/// A session's chain head and its Ed25519 signature (docs/transcripts.md, "Signature"): a
/// checkpoint of a live session, or the final head of an ended one.
package struct SignedHead: Sendable, Equatable {
    /// What a version-2 signature says about the session when it was made.
    package enum State: String, Sendable, Equatable {
        /// A checkpoint: more events may follow.
        case live
        /// The final head: the session ended at `seq`, nothing may follow.
        case ended
    }

    /// The session.
    package var session: String
    /// The seq of the last event covered.
    package var seq: Int64
    /// The chain value of that event (32 bytes); 32 zero bytes for an empty session.
    package var chain: [UInt8]
    /// Ed25519 signature of `message`.
    package var signature: [UInt8]
    /// The raw 32-byte public key that verifies it (as claimed: verification looks it up
    /// among the trusted keys, it never trusts a key because it is written here).
    package var publicKey: [UInt8]
    /// Live checkpoint or final head; nil for a version-1 signature, which said neither.
    package var state: State?
    /// When it was signed (RFC 3339), part of a version-2 signed message; nil for version 1.
    package var signedAt: String?

    package init(
        session: String, seq: Int64, chain: [UInt8], signature: [UInt8], publicKey: [UInt8], state: State? = nil,
        signedAt: String? = nil
    ) {
        self.session = session
        self.seq = seq
        self.chain = chain
        self.signature = signature
        self.publicKey = publicKey
        self.state = state
        self.signedAt = signedAt
    }

    /// The exact bytes of a version-1 signature (no state, no time).
    package static func message(session: String, seq: Int64, chain: [UInt8]) -> [UInt8] {
        Array("dialogue-server transcript v1\nsession: \(session)\nseq: \(seq)\nhead: \(Hex.encode(chain))\n".utf8)
    }

    /// The exact bytes of a version-2 signature: the state and the time are signed too, so a
    /// checkpoint cannot pass for a final head nor the other way round.
    package static func message(session: String, seq: Int64, chain: [UInt8], state: State, signedAt: String) -> [UInt8]
    {
        Array(
            ("dialogue-server transcript v2\nsession: \(session)\nseq: \(seq)\nhead: \(Hex.encode(chain))\n"
                + "state: \(state.rawValue)\nsigned-at: \(signedAt)\n").utf8)
    }

    /// The bytes this head's signature covers (version 2 when it has a state).
    package var message: [UInt8] {
        if let state {
            return Self.message(session: session, seq: seq, chain: chain, state: state, signedAt: signedAt ?? "")
        }
        return Self.message(session: session, seq: seq, chain: chain)
    }

    /// Signs a head with `key` in the version-1 form (kept for tests of old transcripts).
    package static func sign(session: String, seq: Int64, chain: [UInt8], with key: Curve25519.Signing.PrivateKey)
        throws -> SignedHead
    {
        let signature = try key.signature(for: message(session: session, seq: seq, chain: chain))
        return SignedHead(
            session: session, seq: seq, chain: chain, signature: Array(signature),
            publicKey: Array(key.publicKey.rawRepresentation))
    }

    /// Signs a checkpoint or final head with `key` in the version-2 form.
    package static func sign(
        session: String, seq: Int64, chain: [UInt8], state: State, signedAt: String,
        with key: Curve25519.Signing.PrivateKey
    ) throws -> SignedHead {
        let signature = try key.signature(
            for: message(session: session, seq: seq, chain: chain, state: state, signedAt: signedAt))
        return SignedHead(
            session: session, seq: seq, chain: chain, signature: Array(signature),
            publicKey: Array(key.publicKey.rawRepresentation), state: state, signedAt: signedAt)
    }

    /// Whether the signature is valid for this head and its own `publicKey` (says nothing
    /// about whether that key is to be trusted: see `TrustedKeys.signer(of:)`).
    package var isValid: Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message)
    }

    /// The key id of `publicKey` (see `TrustedKeys.keyId`).
    package var keyId: String { TrustedKeys.keyId(publicKey) }
}
