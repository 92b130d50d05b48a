import Crypto
import Dialogue
import Testing

@testable import Transcripts

/// The rules a session's stored signatures must meet (docs/transcripts.md, "Checkpoints and
/// the final head"), fed the way a database writer without the key would try to pass them.
@Suite struct SignatureCheckTests {
    let fixture = TranscriptFixture()
    let rules = SignatureCheck(maxUnsigned: 4)
    var trusted: TrustedKeys { TrustedKeys([Array(fixture.key.publicKey.rawRepresentation)]) }
    var chains: [[UInt8]] { fixture.entries.map(\.chain) }

    func head(
        _ seq: Int64, _ state: SignedHead.State?, key: Curve25519.Signing.PrivateKey? = nil, chain: [UInt8]? = nil
    ) throws -> SignedHead {
        let chain = chain ?? chains[Int(seq) - 1]
        let key = key ?? fixture.key
        if let state {
            return try SignedHead.sign(
                session: fixture.session.id, seq: seq, chain: chain, state: state, signedAt: "2026-11-26T05:00:00.000Z",
                with: key)
        }
        return try SignedHead.sign(session: fixture.session.id, seq: seq, chain: chain, with: key)
    }

    @Test func checkpointsAndAFinalHeadHold() throws {
        let outcome = rules.check(
            chains: chains, signatures: [try head(4, .live), try head(8, .live), try head(10, .ended)], ended: true,
            trusted: trusted)
        #expect(outcome.badSeq == nil && outcome.reason == nil)
        #expect(outcome.latest?.seq == 10 && outcome.latest?.state == .ended && outcome.checked == 3)
        #expect(outcome.unsigned == 0)
    }

    @Test func anEndedSessionWithoutItsHeadIsTampered() throws {
        let none = rules.check(chains: chains, signatures: [], ended: true, trusted: trusted)
        #expect(none.badSeq == 10 && none.reason == "ended session has no signed head")
        // Only checkpoints left (the final head deleted): still not closed.
        let checkpoints = rules.check(chains: chains, signatures: [try head(8, .live)], ended: true, trusted: trusted)
        #expect(checkpoints.badSeq == 10)
        // A live checkpoint at the last seq does not pass for the final head either.
        let live = rules.check(chains: chains, signatures: [try head(10, .live)], ended: true, trusted: trusted)
        #expect(live.reason == "ended session has no final signed head at seq 10")
    }

    @Test func aHeadFromAnotherKeyIsRefusedWhateverKeyItNames() throws {
        let attacker = Curve25519.Signing.PrivateKey()
        let forged = try head(10, .ended, key: attacker)
        #expect(forged.isValid)  // valid for the key written beside it: that proves nothing
        let outcome = rules.check(chains: chains, signatures: [forged], ended: true, trusted: trusted)
        #expect(outcome.badSeq == 10)
        #expect(outcome.reason?.contains("does not trust (key id \(forged.keyId))") == true)
        // The same with a version-1 head.
        let v1 = rules.check(chains: chains, signatures: [try head(10, nil, key: attacker)], ended: true, trusted: trusted)
        #expect(v1.badSeq == 10)
    }

    @Test func theKeyWrittenBesideAHeadIsOnlyAHint() throws {
        var head = try head(10, .ended)
        head.publicKey = Array(Curve25519.Signing.PrivateKey().publicKey.rawRepresentation)
        let outcome = rules.check(chains: chains, signatures: [head], ended: true, trusted: trusted)
        #expect(outcome.badSeq == nil)
        #expect(outcome.latestKey == Array(fixture.key.publicKey.rawRepresentation))
    }

    @Test func aCheckpointOverARewrittenChainIsFound() throws {
        // The attacker rewrote seq 3 and re-chained: the stored chains differ from seq 3 on.
        var forged = chains
        for i in 2..<forged.count { forged[i] = HashChain.sha256(forged[i]) }
        let outcome = rules.check(
            chains: forged, signatures: [try head(4, .live), try head(10, .ended)], ended: true, trusted: trusted)
        #expect(outcome.badSeq == 4 && outcome.reason == "signed head at seq 4 does not match the chain")
    }

    @Test func eventsAfterTheFinalHeadAreTampered() throws {
        // Status flipped back to live and events appended: the final head still says ended.
        let outcome = rules.check(chains: chains, signatures: [try head(8, .ended, chain: chains[7])], ended: false, trusted: trusted)
        #expect(outcome.badSeq == 9 && outcome.reason == "events after the final signed head (seq 8)")
    }

    @Test func aLiveSessionMayHaveAShortUnsignedTail() throws {
        let short = rules.check(chains: chains, signatures: [try head(7, .live)], ended: false, trusted: trusted)
        #expect(short.badSeq == nil && short.unsigned == 3)
        // Longer than the server ever leaves: checkpoints were deleted.
        let long = rules.check(chains: chains, signatures: [try head(4, .live)], ended: false, trusted: trusted)
        #expect(long.badSeq == 5 && long.unsigned == 6)
        let none = rules.check(chains: chains, signatures: [], ended: false, trusted: trusted)
        #expect(none.badSeq == 1)
    }

    @Test func aVersionOneHeadStillClosesAnOldSession() throws {
        let outcome = rules.check(chains: chains, signatures: [try head(10, nil)], ended: true, trusted: trusted)
        #expect(outcome.badSeq == nil && outcome.latest?.state == nil)
    }

    @Test func aRetiredKeyIsTrusted() throws {
        let old = Curve25519.Signing.PrivateKey()
        let keys = TrustedKeys([Array(fixture.key.publicKey.rawRepresentation), Array(old.publicKey.rawRepresentation)])
        let outcome = rules.check(chains: chains, signatures: [try head(10, .ended, key: old)], ended: true, trusted: keys)
        #expect(outcome.badSeq == nil && outcome.latestKey == Array(old.publicKey.rawRepresentation))
    }

    @Test func keyIdsAreTheFirstSixteenBytesOfTheKeysHash() {
        let raw = Array(fixture.key.publicKey.rawRepresentation)
        let id = TrustedKeys.keyId(raw)
        #expect(id.count == 32 && id == Hex.encode(Array(HashChain.sha256(raw).prefix(16))))
    }
}
