import Crypto
import Dialogue
import Testing

@testable import Transcripts

/// Version-2 commitments and redaction (docs/transcripts.md, "Commitments", "Redaction").
@Suite struct CommitmentTests {
    let fixture = TranscriptFixture()
    let salts = EventSalts(text: Array(repeating: 7, count: 32), person: Array(repeating: 9, count: 32))

    var message: JSONValue {
        fixture.events.first { $0.kind == .message && $0.body["text"] != nil }!.body
    }

    @Test func saltsAreFullLengthAndNeverRepeat() {
        let salts = (0..<2_000).map { _ in EventSalts.random() }
        #expect(salts.allSatisfy { $0.count == EventSalts.length })
        #expect(Set(salts).count == salts.count)
        // Not a constant pattern: every byte value shows up across them.
        #expect(Set(salts.joined()).count == 256)
    }

    @Test func saltedCommitmentsFollowTheDocumentedFormula() throws {
        let form = HashChain.hashedForm(message, salts: salts)
        let text = try #require(message["text"])
        var bytes = Array("dialogue-server v2 text\n".utf8)
        JSONWriter.write(text, into: &bytes)
        let expected = HMAC<SHA256>.authenticationCode(for: bytes, using: SymmetricKey(data: salts.text!))
        #expect(form["textHash"]?.stringValue == Hex.encode(Array(expected)))
        #expect(form["text"] == nil && form["from"]?["name"] == nil && form["from"]?["nameHash"] != nil)
        // Not the plain SHA-256 a guess could be checked against.
        #expect(form["textHash"]?.stringValue != Hex.encode(HashChain.sha256(Array(text.stringValue!.utf8))))
        // A different salt gives a different commitment.
        let other = HashChain.hashedForm(message, salts: EventSalts(text: EventSalts.random(), person: salts.person))
        #expect(other["textHash"] != form["textHash"])
    }

    @Test func withoutSaltsTheHashIsVersionOne() throws {
        let bytes = JSONWriter.bytes(message, locating: "text")
        #expect(
            HashChain.eventHash(body: message, canonical: bytes.bytes, textMember: bytes.member)
                == HashChain.eventHash(body: message))
        #expect(HashChain.hashedForm(message)["textHash"] != nil)
        #expect(HashChain.hashedForm(message)["from"]?["name"] != nil)
    }

    @Test func redactionKeepsTheHashAndDropsTheTextSalt() throws {
        let hash = HashChain.eventHash(body: message, salts: salts)
        let (body, kept) = try Redaction.apply(.text, body: message, salts: salts, hash: hash).get()
        #expect(body["text"] == nil && body["textHash"] != nil && body["from"]?["name"] != nil)
        #expect(kept == EventSalts(person: salts.person))
        #expect(HashChain.eventHash(body: body, salts: kept) == hash)
        #expect(refusal(Redaction.apply(.text, body: body, salts: kept, hash: hash)) == .nothingToRemove)
        let (erased, none) = try Redaction.apply(.person, body: body, salts: kept, hash: hash).get()
        #expect(erased["from"]?["name"] == nil && erased["from"]?["nameHash"] != nil && none == .none)
        #expect(HashChain.eventHash(body: erased, salts: none) == hash)
        // A stored body that no longer matches its hash is not redacted (that would hide it).
        #expect(
            refusal(Redaction.apply(.text, body: message, salts: salts, hash: Array(repeating: 0, count: 32)))
                == .hashMismatch)
    }

    /// A document signed whole, as the server exports it, so only the chain can fail.
    private func signed(_ document: TranscriptDocument) throws -> JSONValue {
        try DocumentSignature.sign(document.json(), with: fixture.key)
    }

    private func refusal(_ result: Result<(body: JSONValue, salts: EventSalts), Redaction.Refusal>)
        -> Redaction.Refusal?
    {
        if case .failure(let refusal) = result { return refusal }
        return nil
    }

    @Test func verifierChecksVersionTwoExportsAndListsRedactions() throws {
        var chain = HashChain.genesis
        var entries = fixture.events.map { event in
            let salts = EventSalts.fresh(for: event.body)
            let hash = HashChain.eventHash(body: event.body, salts: salts)
            chain = HashChain.link(previous: chain, eventHash: hash)
            return TranscriptEntry(event: event, hash: hash, chain: chain, salts: salts)
        }
        let index = try #require(entries.firstIndex { $0.event.text != nil })
        entries[index] = entries[index].redacting()
        let document = try fixture.document(entries: entries)
        let result = try TranscriptVerifier.verify(export: signed(document))
        #expect(result.ok && result.redacted == [entries[index].event.seq])
        let exported = JSONWriter.string(document.json())
        #expect(exported.contains("\"textSalt\"") && exported.contains("\"personSalt\""))

        // A salt dropped (a downgrade to version 1) or swapped fails.
        var tampered = entries
        tampered[0].salts = .none
        #expect(!(try TranscriptVerifier.verify(export: signed(fixture.document(entries: tampered)))).ok)
        // A member beside its commitment fails.
        guard case .object(var members) = entries[index].event.body else { return }
        members["text"] = "planted"
        tampered = entries
        tampered[index].event = try Event(body: .object(members))
        #expect(!(try TranscriptVerifier.verify(export: signed(fixture.document(entries: tampered)))).ok)
    }
}
