import Dialogue
import Testing

@testable import Transcripts

@Suite struct TranscriptDocumentTests {
    let fixture = TranscriptFixture()

    @Test func exportHasTheDocumentedShape() throws {
        let json = try fixture.exportedJSON(try fixture.document())
        #expect(
            Set(json.objectValue?.keys.map { $0 } ?? []) == [
                "format", "version", "session", "participants", "events", "notes", "translations", "head", "signature",
                "publicKey", "keyId", "algorithm", "documentSignature",
            ])
        #expect(json["format"] == "dialogue-transcript")
        #expect(json["version"] == 2)
        #expect(json["algorithm"] == "Ed25519")
        #expect(
            Set(json["session"]?.objectValue?.keys.map { $0 } ?? []) == [
                "id", "title", "status", "languages", "agent", "assistant", "createdAt", "endedAt",
            ])
        let first = try #require(json["events"]?.arrayValue?.first)
        let hash = try #require(first["hash"]?.stringValue)
        #expect(hash.count == 64 && hash == hash.lowercased())
        #expect(first["type"] == nil && first["terms"] == nil && first["redacted"] == nil)
        #expect(
            json["head"] == [
                "seq": 10, "chain": .string(Hex.encode(fixture.entries[9].chain)), "state": "ended",
                "signedAt": "2026-11-26T05:10:01.000Z",
            ])
        #expect(json["keyId"] == .string(TrustedKeys.keyId(Array(fixture.key.publicKey.rawRepresentation))))
        #expect(Base64.decode(json["signature"]?.stringValue ?? "")?.count == 64)
        #expect(Base64.decode(json["publicKey"]?.stringValue ?? "") == Array(fixture.key.publicKey.rawRepresentation))
        #expect(
            json["notes"]?.arrayValue?.first == [
                "id": 1, "seq": 4, "text": "Follow up <with> the tax office", "author": "Lê Minh",
                "at": "2026-11-27T09:00:00.000Z",
            ])
    }

    @Test func entriesMatchTheStepByStepChain() {
        #expect(TranscriptEntry.chained(fixture.events) == fixture.entries)
    }

    @Test func roundTripsThroughJSON() throws {
        let document = try fixture.document()
        let parsed = try TranscriptDocument(json: try fixture.exportedJSON(document))
        #expect(parsed == document)
        #expect(parsed.participants[1].organisation == "Sato & Partners")
    }

    @Test func redactionRemovesTheTextAndKeepsTheHashes() throws {
        var entries = fixture.entries
        let original = entries[2]
        entries[2] = original.redacting()
        #expect(entries[2].event.text == nil && entries[2].redacted)
        #expect(entries[2].hash == original.hash && entries[2].chain == original.chain)
        let document = try fixture.document(entries: entries)
        let json = try fixture.exportedJSON(document)
        #expect(json["events"]?.arrayValue?[2]["redacted"] == true)
        #expect(json["events"]?.arrayValue?[2]["text"] == nil)
        #expect(try TranscriptDocument(json: json) == document)
    }

    @Test func refusesWhatIsNotATranscript() throws {
        let json = try fixture.exportedJSON(try fixture.document())
        #expect(throws: TranscriptError.wrongFormat("other")) {
            try TranscriptDocument(json: setting(json, "format", "other"))
        }
        #expect(throws: TranscriptError.unsupportedVersion(3)) {
            try TranscriptDocument(json: setting(json, "version", 3))
        }
        #expect(throws: TranscriptError.unreadable("head is missing")) {
            try TranscriptDocument(json: setting(json, "head", nil))
        }
        #expect(throws: TranscriptError.unreadable("events[1].hash is not 64 hexadecimal digits")) {
            try TranscriptDocument(json: editingEvent(json, at: 1) { $0["hash"] = "abc" })
        }
        #expect(throws: TranscriptError.self) { try TranscriptDocument(json: ["format": "dialogue-transcript"]) }
    }

    @Test func errorsReadWell() {
        #expect(TranscriptError.unreadable("head is missing").description == "unreadable transcript: head is missing")
        #expect(TranscriptError.unsupportedVersion(3).description.contains("version 3"))
    }
}
