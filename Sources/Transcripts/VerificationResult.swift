import Dialogue

/// The outcome of checking a session's hash chain and signature.
package struct VerificationResult: Sendable, Equatable {
    /// True when every event, the head and the signature check out.
    package var ok: Bool
    /// How many events were examined.
    package var events: Int
    /// The first seq found wrong (missing, changed, chained wrongly, or the head's seq for a
    /// bad head or signature); nil when intact.
    package var firstBadSeq: Int64?
    /// What was wrong at `firstBadSeq`: "content changed", "chain broken", "signature invalid", …
    package var reason: String?
    /// The chain head in lowercase hex (the signed one when there is a signature).
    package var head: String
    /// The head's signature in base64; "" when there was none to check.
    package var signature: String
    /// The public key the signature was checked with, in base64; "" when none.
    package var publicKey: String
    /// Seqs of redacted events: their chain links were checked, their remaining fields cannot be.
    package var redacted: [Int64]
    /// Whether the head's key is one of the trusted keys; nil when there were none to check against.
    package var keyTrusted: Bool?
    /// Events after the last signed checkpoint of a live session: not yet signed.
    package var unsigned: Int = 0
    /// How many signed heads (checkpoints and the final head) were checked.
    package var checkpoints: Int = 0
    /// Whether the session ended (and so must be covered whole by a final signed head).
    package var ended: Bool?

    /// The id of the key that signed the head (docs/transcripts.md, "Keys"), "" when none.
    package var keyId: String {
        guard let raw = Base64.decode(publicKey), !raw.isEmpty else { return "" }
        return TrustedKeys.keyId(raw)
    }

    /// A result from its parts.
    package init(
        ok: Bool, events: Int, firstBadSeq: Int64? = nil, reason: String? = nil, head: String, signature: String,
        publicKey: String = "", redacted: [Int64] = []
    ) {
        self.ok = ok
        self.events = events
        self.firstBadSeq = firstBadSeq
        self.reason = reason
        self.head = head
        self.signature = signature
        self.publicKey = publicKey
        self.redacted = redacted
    }

    /// The answer of `GET /v1/sessions/{id}/verify`: `ok, events, head, signature`, plus
    /// `firstBadSeq` and `reason` when tampered, `publicKey`, and `redacted` when any.
    package var json: JSONValue {
        var members: [String: JSONValue] = [
            "ok": .bool(ok), "events": .int(Int64(events)), "head": .string(head), "signature": .string(signature),
        ]
        if let firstBadSeq { members["firstBadSeq"] = .int(firstBadSeq) }
        if let reason { members["reason"] = .string(reason) }
        if !publicKey.isEmpty {
            members["publicKey"] = .string(publicKey)
            members["keyId"] = .string(keyId)
        }
        if let keyTrusted { members["keyTrusted"] = .bool(keyTrusted) }
        if let ended { members["ended"] = .bool(ended) }
        if unsigned > 0 { members["unsigned"] = .int(Int64(unsigned)) }
        if checkpoints > 0 { members["checkpoints"] = .int(Int64(checkpoints)) }
        if !redacted.isEmpty { members["redacted"] = .array(redacted.map { .int($0) }) }
        return .object(members)
    }

    /// One line for the command line: `intact: …` or `tampered at seq N: reason`.
    package var summary: String {
        if ok {
            var note = redacted.isEmpty ? "" : ", redacted: " + redacted.map(String.init).joined(separator: ", ")
            if unsigned > 0 { note += ", last \(unsigned) not yet signed" }
            return "intact: \(events) events, head \(head)\(note)"
        }
        guard let firstBadSeq else { return "tampered: \(reason ?? "unknown")" }
        return "tampered at seq \(firstBadSeq): \(reason ?? "unknown")"
    }
}
