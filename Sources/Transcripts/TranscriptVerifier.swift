import Dialogue
import HashChain

/// Checks a transcript's hash chain and head signature (docs/transcripts.md): offline from
/// an exported file, or from the store's own rows.
package enum TranscriptVerifier {
    /// One event as the chain check sees it, whatever it was read from.
    private struct Link {
        /// The seq the event claims.
        var seq: Int64
        /// Its body without the export's members; nil when the stored bytes are not JSON.
        var body: JSONValue?
        /// Why the body could not be read, when it could not.
        var fault: String?
        /// Whether the event is marked redacted (its stored hash is then trusted).
        var redacted: Bool
        /// The stored event hash.
        var storedHash: [UInt8]
        /// The stored chain value.
        var storedChain: [UInt8]
        /// The version-2 salts still held (none for a version-1 event).
        var salts: EventSalts = .none
    }

    /// Verifies the bytes of an export file; throws when they are not a readable transcript.
    /// `trusted`: the keys the head and document signatures must come from; nil checks them
    /// only against the document's own `publicKey` (which proves nothing about who signed).
    package static func verify(fileBytes: [UInt8], trusted: TrustedKeys? = nil) throws(TranscriptError)
        -> VerificationResult
    {
        let json: JSONValue
        do {
            json = try JSONParser.parse(fileBytes)
        } catch {
            throw .unreadable("not JSON: \(error.description)")
        }
        return try verify(export: json, trusted: trusted)
    }

    /// Verifies a parsed export: the chain and head (`verifyChain`), then who signed: the
    /// head's key among `trusted`, and for version 2 the document signature over every
    /// member and a head whose state agrees with the session's status.
    package static func verify(export: JSONValue, trusted: TrustedKeys? = nil) throws(TranscriptError)
        -> VerificationResult
    {
        let root = try TranscriptDocument.checkedRoot(export)
        let head = try TranscriptDocument.signedHead(root, session: try root.object("session").string("id"))
        let version = try root.int("version")
        // A live session's export may hold events after its newest checkpoint: signed by
        // the export's document signature only (checked below), reported as `unsigned`.
        let status = try root.object("session").string("status")
        let liveTail = version >= 2 && head.state == .live && (status == "live" || status == "scheduled")
        var result = try verifyChain(export: export, unsignedTail: liveTail)
        result.keyTrusted = trusted.map { $0.signer(of: head) != nil }
        func tampered(_ reason: String) -> VerificationResult {
            result.ok = false
            result.firstBadSeq = nil
            result.reason = reason
            return result
        }
        guard result.ok else { return result }
        if result.keyTrusted == false {
            return tampered("head signed by a key this verifier does not trust (key id \(head.keyId))")
        }
        guard version >= 2 else {
            // Every version-2 head carries a state; one in a version-1 file was downgraded
            // to skip the document signature.
            return head.state == nil ? result : tampered("version 1 file with a version 2 head: downgraded")
        }
        if let failure = DocumentSignature.failure(root.members, trusted: trusted) { return tampered(failure) }
        if head.state == .live && status == "ended" { return tampered("session ended but its head is a live checkpoint") }
        if head.state == .ended && status != "ended" { return tampered("final head on a session marked \(status)") }
        return result
    }

    /// The chain part of an export's check: every event's hash and chain, seqs 1…N without
    /// gaps, the head against the last chain, and the signature with the document's
    /// `publicKey`. Throws `TranscriptError` when the document is malformed; tampering is a result.
    static func verifyChain(export: JSONValue, unsignedTail: Bool = false) throws(TranscriptError)
        -> VerificationResult
    {
        let root = try TranscriptDocument.checkedRoot(export)
        let session = try root.object("session").string("id")
        var links: [Link] = []
        for (index, value) in try root.array("events").enumerated() {
            let fields = try JSONFields(value, path: "events[\(index)]")
            links.append(
                Link(
                    seq: try fields.int("seq"),
                    body: .object(fields.members.filter { !TranscriptEntry.exportKeys.contains($0.key) }),
                    fault: nil, redacted: try fields.optionalBool("redacted") ?? false,
                    storedHash: try fields.digest("hash"), storedChain: try fields.digest("chain"),
                    salts: try EventSalts(fields)))
        }
        return check(links, head: try TranscriptDocument.signedHead(root, session: session), unsignedTail: unsignedTail)
    }

    /// Verifies a session from the store's rows: `body` is the stored text's bytes, re-parsed
    /// and re-serialised canonically before hashing, so any changed byte shows (a body that
    /// is not JSON counts as tampered). `head` is the stored signed head, nil for a live
    /// session never signed; `redacted` lists the seqs whose text was removed on purpose.
    package static func verify(
        entries: [(seq: Int64, body: [UInt8], storedHash: [UInt8], storedChain: [UInt8])], head: SignedHead?,
        redacted: Set<Int64> = [], salts: [Int64: EventSalts] = [:]
    ) -> VerificationResult {
        let links = entries.map { entry in
            var link = Link(
                seq: entry.seq, body: nil, fault: nil, redacted: redacted.contains(entry.seq),
                storedHash: entry.storedHash, storedChain: entry.storedChain, salts: salts[entry.seq] ?? .none)
            do {
                link.body = try JSONParser.parse(entry.body)
            } catch {
                link.fault = "stored body is not JSON (\(error))"
            }
            return link
        }
        return check(links, head: head)
    }

    /// Whether some of a body's members stand only as commitments: its text redacted or its
    /// author erased.
    package static func isRedacted(_ body: JSONValue) -> Bool {
        (body["textHash"] != nil && body["text"] == nil) || body["citationsHash"] != nil
            || body["organisationHash"] != nil || body["targetNameHash"] != nil || body["from"]?["nameHash"] != nil
    }

    /// The one place where events are hashed, chained and compared, and the head and its
    /// signature checked.
    private static func check(_ links: [Link], head: SignedHead?, unsignedTail: Bool = false) -> VerificationResult {
        var previous = HashChain.genesis
        var redacted: [Int64] = []
        var chains: [[UInt8]] = []  // by seq, for a head before the last event (`unsignedTail`)

        func result(_ badSeq: Int64?, _ reason: String?) -> VerificationResult {
            VerificationResult(
                ok: badSeq == nil, events: links.count, firstBadSeq: badSeq, reason: reason,
                head: Hex.encode(head?.chain ?? previous), signature: head.map { Base64.encode($0.signature) } ?? "",
                publicKey: head.map { Base64.encode($0.publicKey) } ?? "", redacted: redacted)
        }

        for (index, link) in links.enumerated() {
            let expected = Int64(index) + 1
            guard link.seq == expected else {
                let reason =
                    link.seq > expected ? "seq \(expected) missing" : "seq \(link.seq) where \(expected) was expected"
                return result(expected, reason)
            }
            guard let body = link.body else { return result(expected, link.fault ?? "content unreadable") }
            // Whole or redacted, every field is checked: a redacted event keeps its text's hash.
            // A redacted mark stands for commitments in place of the words or the name.
            if link.redacted && (body["text"] != nil || !Self.isRedacted(body)) {
                return result(expected, "redacted event must hold its commitments (textHash, nameHash) and no text")
            }
            // A member and its commitment side by side would let a changed text ride on the
            // original's hash.
            for name in HashChain.textMembers + HashChain.personMembers
            where body[name] != nil && body[name + "Hash"] != nil {
                return result(expected, "\(name) and \(name)Hash both present")
            }
            if body["from"]?["name"] != nil && body["from"]?["nameHash"] != nil {
                return result(expected, "from.name and from.nameHash both present")
            }
            if Self.isRedacted(body) { redacted.append(expected) }
            let hash = HashChain.eventHash(body: body, salts: link.salts)
            guard hash == link.storedHash else { return result(expected, "content changed") }
            let chain = HashChain.link(previous: previous, eventHash: hash)
            guard chain == link.storedChain else { return result(expected, "chain broken") }
            previous = chain
            chains.append(chain)
        }

        guard let head else { return result(nil, nil) }
        let count = Int64(links.count)
        if head.seq > count { return result(count + 1, "seq \(count + 1) missing (the head is at seq \(head.seq))") }
        if head.seq < count && !unsignedTail {
            return result(head.seq + 1, "events after the signed head (seq \(head.seq))")
        }
        let headChain = head.seq == 0 ? HashChain.genesis : chains[Int(head.seq) - 1]
        guard head.chain == headChain else { return result(head.seq, "head does not match the chain") }
        // Nothing signed yet in a live session (seq 0, no signature): the events rest on the
        // document signature alone, like any unsigned tail.
        let unsignedStart = unsignedTail && head.seq == 0 && head.signature.isEmpty
        guard unsignedStart || head.isValid else { return result(head.seq, "signature invalid") }
        var intact = result(nil, nil)
        intact.unsigned = Int(count - head.seq)
        return intact
    }
}
