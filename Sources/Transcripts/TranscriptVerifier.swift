import Dialogue

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
    package static func verify(fileBytes: [UInt8]) throws(TranscriptError) -> VerificationResult {
        let json: JSONValue
        do {
            json = try JSONParser.parse(fileBytes)
        } catch {
            throw .unreadable("not JSON: \(error.description)")
        }
        return try verify(export: json)
    }

    /// Verifies a parsed export: every event's hash and chain, seqs 1…N without gaps, the
    /// head against the last chain, and the signature with the document's `publicKey`.
    /// Throws `TranscriptError` when the document is malformed; tampering is a result.
    package static func verify(export: JSONValue) throws(TranscriptError) -> VerificationResult {
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
        return check(links, head: try TranscriptDocument.signedHead(root, session: session))
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
    private static func check(_ links: [Link], head: SignedHead?) -> VerificationResult {
        var previous = HashChain.genesis
        var redacted: [Int64] = []

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
        }

        guard let head else { return result(nil, nil) }
        let count = Int64(links.count)
        if head.seq > count { return result(count + 1, "seq \(count + 1) missing (the head is at seq \(head.seq))") }
        if head.seq < count { return result(head.seq + 1, "events after the signed head (seq \(head.seq))") }
        guard head.chain == previous else { return result(head.seq, "head does not match the chain") }
        guard head.isValid else { return result(head.seq, "signature invalid") }
        return result(nil, nil)
    }
}
