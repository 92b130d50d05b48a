import Dialogue
import Testing

@testable import Transcripts

@Suite struct TranscriptVerifierTests {
    let fixture = TranscriptFixture()

    @Test func intactExportVerifies() throws {
        let document = try fixture.document()
        let result = try TranscriptVerifier.verify(export: try fixture.exportedJSON(document))
        #expect(result.ok)
        #expect(result.events == 10)
        #expect(result.firstBadSeq == nil && result.reason == nil)
        #expect(result.head == Hex.encode(document.head.chain))
        #expect(result.signature == Base64.encode(document.head.signature))
        #expect(result.summary.hasPrefix("intact: 10 events"))
        #expect(result.json["ok"] == true)
    }

    @Test func verifiesFileBytes() throws {
        let bytes = JSONWriter.bytes(try DocumentSignature.sign(try fixture.document().json(), with: fixture.key))
        #expect(try TranscriptVerifier.verify(fileBytes: bytes).ok)
        #expect(throws: TranscriptError.self) { try TranscriptVerifier.verify(fileBytes: Array("{\"format\":".utf8)) }
        #expect(throws: TranscriptError.self) { try TranscriptVerifier.verify(fileBytes: Array("[]".utf8)) }
    }

    @Test func oneChangedCharacterIsFoundAtItsSeq() throws {
        let json = try fixture.exportedJSON(try fixture.document())
        let tampered = editingEvent(json, at: 3) { $0["text"] = "What is the land lease term?\nAnd the tax rate!" }
        let result = try TranscriptVerifier.verify(export: tampered)
        #expect(!result.ok)
        #expect(result.firstBadSeq == 4)
        #expect(result.reason == "content changed")
        #expect(result.summary == "tampered at seq 4: content changed")
    }

    @Test func aRehashedEventBreaksTheNextLink() throws {
        let json = try fixture.exportedJSON(try fixture.document())
        // The forger rewrites event 3 and its hash and chain, but not what follows.
        var body = fixture.events[2].body
        if case .object(var members) = body {
            members["text"] = "Forged"
            body = .object(members)
        }
        let hash = HashChain.eventHash(body: body)
        let chain = HashChain.link(previous: fixture.entries[1].chain, eventHash: hash)
        let tampered = editingEvent(json, at: 2) {
            $0["text"] = "Forged"
            $0["hash"] = .string(Hex.encode(hash))
            $0["chain"] = .string(Hex.encode(chain))
        }
        let result = try TranscriptVerifier.verify(export: tampered)
        #expect(result.firstBadSeq == 4)
        #expect(result.reason == "chain broken")
    }

    @Test func aChangedSignatureIsReported() throws {
        let json = try fixture.exportedJSON(try fixture.document())
        var signature = try #require(Base64.decode(json["signature"]?.stringValue ?? ""))
        signature[0] ^= 0x01
        let result = try TranscriptVerifier.verify(
            export: setting(json, "signature", .string(Base64.encode(signature))))
        #expect(!result.ok)
        #expect(result.firstBadSeq == 10)
        #expect(result.reason == "signature invalid")
    }

    @Test func anotherKeyDoesNotVerify() throws {
        let json = try fixture.exportedJSON(try fixture.document())
        let other = TranscriptFixture().key.publicKey.rawRepresentation
        let result = try TranscriptVerifier.verify(
            export: setting(json, "publicKey", .string(Base64.encode(Array(other)))))
        #expect(result.reason == "signature invalid")
    }

    @Test func aDroppedEventIsAGap() throws {
        let json = try fixture.exportedJSON(try fixture.document())
        guard case .object(var root) = json, var events = root["events"]?.arrayValue else {
            Issue.record("no events")
            return
        }
        events.remove(at: 4)
        root["events"] = .array(events)
        let result = try TranscriptVerifier.verify(export: .object(root))
        #expect(!result.ok)
        #expect(result.firstBadSeq == 5)
        #expect(result.reason == "seq 5 missing")

        events = json["events"]?.arrayValue ?? []
        events.removeLast()
        root["events"] = .array(events)
        let truncated = try TranscriptVerifier.verify(export: .object(root))
        #expect(truncated.firstBadSeq == 10)
        #expect(truncated.reason?.hasPrefix("seq 10 missing") == true)
    }

    @Test func aChangedHeadIsReported() throws {
        let json = try fixture.exportedJSON(try fixture.document())
        let result = try TranscriptVerifier.verify(
            export: setting(json, "head", ["seq": 10, "chain": .string(Hex.encode(fixture.entries[8].chain))]))
        #expect(result.firstBadSeq == 10)
        #expect(result.reason == "head does not match the chain")
    }

    @Test func aRedactedEventKeepsVerifying() throws {
        var entries = fixture.entries
        entries[7] = entries[7].redacting()
        let json = try fixture.exportedJSON(try fixture.document(entries: entries))
        let result = try TranscriptVerifier.verify(export: json)
        #expect(result.ok)
        #expect(result.redacted == [8])

        // A redacted event may not carry a text again.
        let disguised = editingEvent(json, at: 7) { $0["text"] = "changed" }
        #expect(
            try TranscriptVerifier.verify(export: disguised).reason
                == "redacted event must hold its commitments (textHash, nameHash) and no text")
        // Its other fields are still checked: the text's hash stands in for the text.
        let forged = editingEvent(json, at: 7) { $0["at"] = "2026-11-26T06:00:00.000Z" }
        #expect(try TranscriptVerifier.verify(export: forged).firstBadSeq == 8)
        #expect(try TranscriptVerifier.verify(export: forged).reason == "content changed")
        let otherText = editingEvent(json, at: 7) { $0["textHash"] = .string(String(repeating: "0", count: 64)) }
        #expect(try TranscriptVerifier.verify(export: otherText).reason == "content changed")
        // The flag is not what makes it redacted: a body with textHash and no text is reported either way.
        let unmarked = editingEvent(json, at: 7) { $0["redacted"] = nil }
        #expect(try TranscriptVerifier.verify(export: unmarked).redacted == [8])
    }

    @Test func emptySessionVerifies() throws {
        let result = try TranscriptVerifier.verify(export: try fixture.exportedJSON(try fixture.document(entries: [])))
        #expect(result.ok && result.events == 0)
    }

    @Test func malformedDocumentsAreUnreadable() throws {
        let json = try fixture.exportedJSON(try fixture.document())
        #expect(throws: TranscriptError.unreadable("events[0].seq is missing")) {
            try TranscriptVerifier.verify(export: editingEvent(json, at: 0) { $0["seq"] = nil })
        }
        #expect(throws: TranscriptError.unreadable("signature is not base64")) {
            try TranscriptVerifier.verify(export: setting(json, "signature", "***"))
        }
        #expect(throws: TranscriptError.unsupportedAlgorithm("RSA")) {
            try TranscriptVerifier.verify(export: setting(json, "algorithm", "RSA"))
        }
        #expect(throws: TranscriptError.unreadable(" is not an object")) {
            try TranscriptVerifier.verify(export: .array([]))
        }
    }

    // MARK: The store's rows

    private func rows(_ entries: [TranscriptEntry]) -> [(
        seq: Int64, body: [UInt8], storedHash: [UInt8], storedChain: [UInt8]
    )] {
        entries.map { ($0.event.seq, $0.event.canonicalBytes, $0.hash, $0.chain) }
    }

    @Test func storeRowsVerify() throws {
        let document = try fixture.document()
        let result = TranscriptVerifier.verify(entries: rows(fixture.entries), head: document.head)
        #expect(result.ok && result.events == 10)
        let unsigned = TranscriptVerifier.verify(entries: rows(fixture.entries), head: nil)
        #expect(unsigned.ok && unsigned.signature == "" && unsigned.head == Hex.encode(fixture.entries[9].chain))
    }

    @Test func storeRowsAreReserialisedBeforeHashing() {
        var rows = rows(fixture.entries)
        // Member order and white space are not content: the same JSON written loosely verifies.
        guard case .object(let members) = fixture.events[2].body else { return }
        let loose = members.keys.sorted(by: >).map {
            " \(JSONWriter.string(.string($0))) : \(JSONWriter.string(members[$0]!))"
        }
        rows[2].body = Array(("{" + loose.joined(separator: ",\n") + " }\n").utf8)
        #expect(rows[2].body != fixture.events[2].canonicalBytes)
        #expect(TranscriptVerifier.verify(entries: rows, head: nil).ok)
    }

    @Test func aChangedStoredByteIsFound() {
        var rows = rows(fixture.entries)
        let index = rows[5].body.firstIndex(of: UInt8(ascii: "5"))!
        rows[5].body[index] = UInt8(ascii: "6")
        let result = TranscriptVerifier.verify(entries: rows, head: nil)
        #expect(result.firstBadSeq == 6 && result.reason == "content changed")

        var broken = self.rows(fixture.entries)
        broken[6].body.removeLast()
        let unreadable = TranscriptVerifier.verify(entries: broken, head: nil)
        #expect(unreadable.firstBadSeq == 7)
        #expect(unreadable.reason?.hasPrefix("stored body is not JSON") == true)
    }

    @Test func storeRowsWithABadSignature() throws {
        var head = try fixture.document().head
        head.signature[5] ^= 0xFF
        let result = TranscriptVerifier.verify(entries: rows(fixture.entries), head: head)
        #expect(result.firstBadSeq == 10 && result.reason == "signature invalid")
    }

    @Test func storeRowsWithARedaction() throws {
        var entries = fixture.entries
        entries[2] = entries[2].redacting()
        let head = try fixture.document().head
        #expect(TranscriptVerifier.verify(entries: rows(entries), head: head, redacted: [3]).ok)
        let result = TranscriptVerifier.verify(entries: rows(entries), head: head)
        #expect(result.ok && result.redacted == [3])
    }
}
