import Crypto
import Dialogue
import HashChain

/// The signature over a whole version-2 export (docs/transcripts.md, "Exported JSON"):
/// Ed25519 over the SHA-256 of the canonical JSON of the export without its
/// `documentSignature` member, so every other member (session, participants, notes,
/// translations, and any member added later) is covered, not only the chain.
package enum DocumentSignature {
    /// The member that holds it: `{"keyId","publicKey","signature"}`.
    package static let member = "documentSignature"

    /// The digest a document signature covers.
    package static func digest(_ root: [String: JSONValue]) -> [UInt8] {
        var members = root
        members[member] = nil
        return HashChain.sha256(JSONWriter.bytes(.object(members)))
    }

    /// The signed bytes: a labelled line, then the digest in hex.
    package static func message(digest: [UInt8]) -> [UInt8] {
        Array("dialogue-server transcript document v2\nsha256: \(Hex.encode(digest))\n".utf8)
    }

    /// `root` with its document signature added.
    package static func sign(_ root: JSONValue, with key: Curve25519.Signing.PrivateKey) throws -> JSONValue {
        guard case .object(var members) = root else { return root }
        let signature = try key.signature(for: message(digest: digest(members)))
        let publicKey = Array(key.publicKey.rawRepresentation)
        members[member] = [
            "keyId": .string(TrustedKeys.keyId(publicKey)), "publicKey": .string(Base64.encode(publicKey)),
            "signature": .string(Base64.encode(Array(signature))),
        ]
        return .object(members)
    }

    /// Why `root`'s document signature fails, or nil when it holds. With keys to trust, the
    /// signing key must be one of them; without, only the document's own key is tried.
    package static func failure(_ root: [String: JSONValue], trusted: TrustedKeys?) -> String? {
        guard let value = root[member] else { return "\(member) missing: the export is not signed whole" }
        guard let fields = try? JSONFields(value, path: member), let publicKey = try? fields.base64("publicKey"),
            let signature = try? fields.base64("signature")
        else { return "\(member) is not {keyId, publicKey, signature}" }
        let signed = message(digest: digest(root))
        if let trusted {
            guard trusted.signer(of: signed, signature: signature, hint: publicKey) != nil else {
                return trusted.trusts(publicKey) || !isValid(signed, signature, publicKey)
                    ? "document signature invalid: a member was changed after export"
                    : "document signed by a key this verifier does not trust (key id \(TrustedKeys.keyId(publicKey)))"
            }
            return nil
        }
        return isValid(signed, signature, publicKey)
            ? nil : "document signature invalid: a member was changed after export"
    }

    private static func isValid(_ message: [UInt8], _ signature: [UInt8], _ publicKey: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}
