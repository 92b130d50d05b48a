import Crypto
import Foundation

/// Seals invite codes so the mails that repeat a join link (a new time, a reminder) can be
/// written after the invite was created, while the store still holds only the code's hash
/// for sign-in. The key is derived (HKDF-SHA256) from the transcript signing key, which
/// every node sharing a store already shares; a database copied without that key cannot
/// open the seals. After `key rotate`, codes sealed under the old key no longer open: those
/// mails then leave the link out (the first invitation has it).
package struct InviteLinkSeal: Sendable {
    /// The derived key's bytes (swift-crypto's key type is not Sendable on Linux).
    private let keyBytes: Data
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// The seal under the signing key whose raw private bytes are `signingKey`.
    package init(signingKey: Data) {
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: signingKey), salt: Data("dialogue-server".utf8),
            info: Data("invite links v1".utf8), outputByteCount: 32)
        keyBytes = derived.withUnsafeBytes { Data($0) }
    }

    /// `code` sealed (ChaCha20-Poly1305, random nonce): nonce ‖ ciphertext ‖ tag.
    package func seal(_ code: String, invite: String) -> [UInt8] {
        // The invite id is authenticated with it: a seal moved to another invite does not open.
        guard let box = try? ChaChaPoly.seal(Data(code.utf8), using: key, authenticating: Data(invite.utf8)) else {
            return []
        }
        return Array(box.combined)
    }

    /// The code, or nil when the seal does not open under this key (another key, damaged).
    package func open(_ sealed: [UInt8], invite: String) -> String? {
        guard let box = try? ChaChaPoly.SealedBox(combined: sealed),
            let plain = try? ChaChaPoly.open(box, using: key, authenticating: Data(invite.utf8))
        else { return nil }
        return String(data: plain, encoding: .utf8)
    }
}
