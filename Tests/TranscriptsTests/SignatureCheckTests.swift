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

    /// From a prefix this server signed (a checkpoint's incremental check): only what came
    /// after it is verified, with the same rules and the same seqs in the reasons.
    @Test func aCheckFromASignedPrefixVerifiesOnlyWhatCameAfter() throws {
        let base = (seq: Int64(4), chain: chains[3])
        let tail = Array(chains[4...])
        // Before the prefix: a signature the key never made is not verified again.
        var broken = try head(2, .live)
        broken.signature = Array(repeating: 0, count: 64)
        let fromBase = rules.check(
            chains: tail, signatures: [broken, try head(4, .live), try head(8, .live)], ended: false, trusted: trusted,
            base: base)
        #expect(fromBase.reason == nil && fromBase.checked == 2)
        #expect(fromBase.signedThrough == 8 && fromBase.unsigned == 2)
        // The whole check of the same session refuses it: the prefix rule is what skips it.
        let whole = rules.check(
            chains: chains, signatures: [broken, try head(4, .live), try head(8, .live)], ended: false,
            trusted: trusted)
        #expect(whole.badSeq == 2)
        // After the prefix, the rules hold as before, with the session's own seqs.
        let attacker = Curve25519.Signing.PrivateKey()
        let forged = rules.check(
            chains: tail, signatures: [try head(8, .live, key: attacker)], ended: false, trusted: trusted, base: base)
        #expect(forged.badSeq == 8)
        let moved = rules.check(
            chains: tail, signatures: [try head(6, .live, chain: chains[6])], ended: false, trusted: trusted,
            base: base)
        #expect(moved.badSeq == 6 && moved.reason == "signed head at seq 6 does not match the chain")
        let record = SignatureCheck.Recorded(seq: 7, chain: chains[5], ended: false)
        let differs = rules.check(chains: tail, signatures: [], ended: false, trusted: trusted, recorded: [record], base: base)
        #expect(differs.badSeq == 7)
        // The prefix counts as signed; more unsigned events after it than allowed is refused.
        let unsigned = rules.check(chains: tail, signatures: [], ended: false, trusted: trusted, base: base)
        // (maxUnsigned is 4 here: six events after seq 4 is too many.)
        #expect(unsigned.badSeq == 5 && unsigned.reason?.hasPrefix("6 events after the last signed checkpoint (seq 4)") == true)
        let fewer = rules.check(chains: Array(tail.prefix(3)), signatures: [], ended: false, trusted: trusted, base: base)
        #expect(fewer.reason == nil && fewer.signedThrough == 4 && fewer.unsigned == 3)
        // A final head before the prefix still closes the session: events after it are refused.
        let sealed = rules.check(
            chains: tail, signatures: [try head(3, .ended)], ended: false, trusted: trusted, base: base)
        #expect(sealed.badSeq == 4 && sealed.reason == "events after the final signed head (seq 3)")
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
        let v1 = rules.check(
            chains: chains, signatures: [try head(10, nil, key: attacker)], ended: true, trusted: trusted)
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
        let outcome = rules.check(
            chains: chains, signatures: [try head(8, .ended, chain: chains[7])], ended: false, trusted: trusted)
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

    @Test func theServersOwnRecordFindsAHiddenEndAndDeletedCheckpoints() throws {
        let lenient = SignatureCheck(maxUnsigned: 64)
        let sealed = SignatureCheck.Recorded(seq: 10, chain: chains[9], ended: true)
        // Ended at seq 10 and sealed; the attacker deleted the `ended` event and every
        // signature: nine events with nothing signed, which a live session may have.
        let hidden = Array(chains.prefix(9))
        #expect(lenient.check(chains: hidden, signatures: [], ended: false, trusted: trusted).badSeq == nil)
        let found = lenient.check(chains: hidden, signatures: [], ended: false, trusted: trusted, recorded: [sealed])
        #expect(found.badSeq == 10 && found.reason == "seq 10 missing (this server sealed the session at seq 10)")
        // Rewritten and re-chained with every checkpoint deleted: what was signed differs.
        var forged = chains
        for i in 3..<forged.count { forged[i] = HashChain.sha256(forged[i]) }
        let checkpoint = SignatureCheck.Recorded(seq: 6, chain: chains[5], ended: false)
        let rewritten = lenient.check(
            chains: forged, signatures: [], ended: false, trusted: trusted, recorded: [checkpoint])
        #expect(rewritten.badSeq == 6 && rewritten.reason == "the chain differs from what this server signed at seq 6")
        // A deleted checkpoint row whose record still matches: still signed through it.
        let kept = rules.check(chains: chains, signatures: [], ended: false, trusted: trusted, recorded: [checkpoint])
        #expect(kept.badSeq == nil && kept.signedThrough == 6 && kept.unsigned == 4)
        // Intact: the record agrees, and the final head is still required.
        #expect(
            lenient.check(
                chains: chains, signatures: [try head(10, .ended)], ended: false, trusted: trusted, recorded: [sealed]
            )
            .badSeq == nil)
        let headless = lenient.check(chains: chains, signatures: [], ended: false, trusted: trusted, recorded: [sealed])
        #expect(headless.reason == "ended session has no signed head")
    }

    @Test func aVersionOneHeadStillClosesAnOldSession() throws {
        let outcome = rules.check(chains: chains, signatures: [try head(10, nil)], ended: true, trusted: trusted)
        #expect(outcome.badSeq == nil && outcome.latest?.state == nil)
    }

    @Test func aRetiredKeyIsTrusted() throws {
        let old = Curve25519.Signing.PrivateKey()
        let keys = TrustedKeys([Array(fixture.key.publicKey.rawRepresentation), Array(old.publicKey.rawRepresentation)])
        let outcome = rules.check(
            chains: chains, signatures: [try head(10, .ended, key: old)], ended: true, trusted: keys)
        #expect(outcome.badSeq == nil && outcome.latestKey == Array(old.publicKey.rawRepresentation))
    }

    @Test func keyIdsAreTheFirstSixteenBytesOfTheKeysHash() {
        let raw = Array(fixture.key.publicKey.rawRepresentation)
        let id = TrustedKeys.keyId(raw)
        #expect(id.count == 32 && id == Hex.encode(Array(HashChain.sha256(raw).prefix(16))))
    }
}
