import Crypto
import Dialogue
import Testing

@testable import Transcripts

/// A version-2 export is signed whole, and verification trusts only the keys it is given.
@Suite struct DocumentSignatureTests {
    let fixture = TranscriptFixture()
    var trusted: TrustedKeys { TrustedKeys([Array(fixture.key.publicKey.rawRepresentation)]) }

    func edited(_ change: (inout [String: JSONValue]) -> Void) throws -> JSONValue {
        guard case .object(var root) = try fixture.exportedJSON(try fixture.document()) else { return .null }
        change(&root)
        return .object(root)
    }

    @Test func anIntactExportVerifiesWithTheTrustedKey() throws {
        let result = try TranscriptVerifier.verify(export: try edited { _ in }, trusted: trusted)
        #expect(result.ok && result.keyTrusted == true)
        #expect(result.keyId == TrustedKeys.keyId(Array(fixture.key.publicKey.rawRepresentation)))
    }

    @Test func everyMemberIsCovered() throws {
        let edits: [(String, (inout [String: JSONValue]) -> Void)] = [
            ("note", { $0["notes"] = [] }),
            (
                "title",
                { root in
                    guard case .object(var session)? = root["session"] else { return }
                    session["title"] = "Another meeting"
                    root["session"] = .object(session)
                }
            ),
            (
                "participant",
                { root in
                    guard case .array(var people)? = root["participants"], case .object(var first) = people[0] else {
                        return
                    }
                    first["name"] = "Someone Else"
                    people[0] = .object(first)
                    root["participants"] = .array(people)
                }
            ),
            ("a new member", { $0["approvedBy"] = "the minister" }),
        ]
        for (name, edit) in edits {
            let result = try TranscriptVerifier.verify(export: try edited(edit), trusted: trusted)
            #expect(!result.ok, "\(name)")
            #expect(result.reason?.hasPrefix("document signature invalid") == true, "\(name)")
        }
    }

    @Test func aDocumentResignedByAnotherKeyIsUntrusted() throws {
        let attacker = Curve25519.Signing.PrivateKey()
        let json = try edited { $0["notes"] = [] }
        let resigned = try DocumentSignature.sign(setting(json, DocumentSignature.member, nil), with: attacker)
        let result = try TranscriptVerifier.verify(export: resigned, trusted: trusted)
        #expect(!result.ok && result.reason?.contains("does not trust") == true)
        // Without keys to trust, the file is only consistent with itself.
        #expect(try TranscriptVerifier.verify(export: resigned).ok)
    }

    @Test func anUntrustedHeadKeyIsReported() throws {
        let other = TrustedKeys([Array(Curve25519.Signing.PrivateKey().publicKey.rawRepresentation)])
        let result = try TranscriptVerifier.verify(export: try edited { _ in }, trusted: other)
        #expect(!result.ok && result.keyTrusted == false)
        #expect(result.reason?.hasPrefix("head signed by a key this verifier does not trust") == true)
    }

    @Test func aMissingDocumentSignatureIsTampered() throws {
        let result = try TranscriptVerifier.verify(export: try edited { $0[DocumentSignature.member] = nil })
        #expect(!result.ok && result.reason?.hasPrefix("documentSignature missing") == true)
    }

    @Test func aVersionOneExportStillVerifies() throws {
        var document = try fixture.document()
        document.head = try SignedHead.sign(
            session: document.session.id, seq: document.head.seq, chain: document.head.chain, with: fixture.key)
        let json = setting(setting(try JSONParser.parse(JSONWriter.bytes(document.json())), "version", 1), "keyId", nil)
        #expect(try TranscriptVerifier.verify(export: json, trusted: trusted).ok)
        #expect(try TranscriptDocument(json: json).head.state == nil)
    }

    @Test func aDowngradedExportIsTampered() throws {
        let json = try edited {
            $0["version"] = 1
            $0[DocumentSignature.member] = nil
            $0["notes"] = []
        }
        let result = try TranscriptVerifier.verify(export: json, trusted: trusted)
        #expect(!result.ok && result.reason == "version 1 file with a version 2 head: downgraded")
    }

    @Test func aLiveHeadCannotCloseAnEndedExport() throws {
        var document = try fixture.document()
        document.head = try SignedHead.sign(
            session: document.session.id, seq: document.head.seq, chain: document.head.chain, state: .live,
            signedAt: "2026-11-26T05:00:00.000Z", with: fixture.key)
        let result = try TranscriptVerifier.verify(export: try fixture.exportedJSON(document), trusted: trusted)
        #expect(!result.ok && result.reason == "session ended but its head is a live checkpoint")
    }
}
