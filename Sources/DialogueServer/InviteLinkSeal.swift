import Crypto
import Foundation

/// Secrets kept in the store sealed under a key derived (HKDF-SHA256, one key per
/// `purpose`) from the transcript signing key, which every node sharing a store already
/// shares: a copy of the database without that key opens none of them. Each sealed value is
/// bound to its owner's id (authenticated data), so a seal moved to another row does not open.
/// After `key rotate`, what was sealed under the old key no longer opens.
package struct SigningKeySeal: Sendable {
    /// The derived key's bytes (swift-crypto's key type is not Sendable on Linux).
    private let keyBytes: Data
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// The seal for `purpose` under the signing key whose raw private bytes are `signingKey`.
    package init(signingKey: Data, purpose: String) {
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: signingKey), salt: Data("dialogue-server".utf8),
            info: Data(purpose.utf8), outputByteCount: 32)
        keyBytes = derived.withUnsafeBytes { Data($0) }
    }

    /// `bytes` sealed (ChaCha20-Poly1305, random nonce): nonce ‖ ciphertext ‖ tag.
    package func seal(_ bytes: [UInt8], boundTo owner: String) throws -> [UInt8] {
        Array(try ChaChaPoly.seal(bytes, using: key, authenticating: Data(owner.utf8)).combined)
    }

    /// The bytes, or nil when the seal does not open under this key (another key, damaged,
    /// another owner's).
    package func open(_ sealed: [UInt8], boundTo owner: String) -> [UInt8]? {
        guard let box = try? ChaChaPoly.SealedBox(combined: sealed),
            let plain = try? ChaChaPoly.open(box, using: key, authenticating: Data(owner.utf8))
        else { return nil }
        return Array(plain)
    }
}

/// Invite codes, sealed so the mails that repeat a join link (a new time, a reminder) can be
/// written after the invite was created, while only the code's hash serves to sign in. After
/// `key rotate`, codes sealed under the old key no longer open: those mails leave the link
/// out (the first invitation has it).
package struct InviteLinkSeal: Sendable {
    private let seal: SigningKeySeal

    /// The seal under the signing key whose raw private bytes are `signingKey`.
    package init(signingKey: Data) {
        seal = SigningKeySeal(signingKey: signingKey, purpose: "invite links v1")
    }

    /// `code` sealed for `invite`.
    package func seal(_ code: String, invite: String) throws -> [UInt8] {
        try seal.seal(Array(code.utf8), boundTo: invite)
    }

    /// The code, or nil when the seal does not open under this key.
    package func open(_ sealed: [UInt8], invite: String) -> String? {
        seal.open(sealed, boundTo: invite).map { String(decoding: $0, as: UTF8.self) }
    }
}
