import HashChain
/// The rules a session's signatures must meet against its chain (docs/transcripts.md,
/// "Checkpoints and the final head"), checked after the chain itself: every signature made
/// by a trusted key over the chain value stored at its seq; an ended session covered whole
/// by its final head; a live session's unsigned tail no longer than the server ever leaves.
package struct SignatureCheck: Sendable, Equatable {
    /// What a check found.
    package struct Outcome: Sendable, Equatable {
        /// The first seq found wrong, nil when the signatures hold.
        package var badSeq: Int64?
        /// Why, when something is wrong.
        package var reason: String?
        /// The signature covering the most events (the final head of an ended session).
        package var latest: SignedHead?
        /// The trusted key that made `latest`.
        package var latestKey: [UInt8]?
        /// Events after `latest`: not yet signed (a live session only).
        package var unsigned: Int
        /// How many signatures were checked.
        package var checked: Int
        /// The last seq covered by a signature (stored, or recorded by this server).
        package var signedThrough: Int64 = 0
    }

    /// A head the server recorded outside the database when it signed it.
    package struct Recorded: Sendable, Equatable {
        /// The seq signed.
        package var seq: Int64
        /// The chain value signed.
        package var chain: [UInt8]
        /// Whether it was the final head.
        package var ended: Bool

        package init(seq: Int64, chain: [UInt8], ended: Bool) {
            self.seq = seq
            self.chain = chain
            self.ended = ended
        }
    }

    /// The most events a live session may have after its last checkpoint before the gap
    /// counts as tampering (signatures deleted from the store).
    package var maxUnsigned: Int

    /// A check allowing `maxUnsigned` unsigned events at the end of a live session.
    package init(maxUnsigned: Int) {
        self.maxUnsigned = maxUnsigned
    }

    /// Checks `signatures` against `chains` (the verified chain value of seq i+1 at index i).
    /// `ended` is whether anything outside the signatures says the session ended (its
    /// status, an `ended` event); a final signature says so too. `recorded` is what this
    /// server signed, as it recorded it outside the database: each must still match the
    /// chain, a recorded final head means ended, and recorded heads count as signed even
    /// when their rows were deleted.
    ///
    /// With `base`, `chains` start after a prefix this server checked whole before (it
    /// signed `base.seq` over `base.chain` and still finds that chain stored): `chains[i]`
    /// is the chain value of seq `base.seq + 1 + i`, signatures and records before
    /// `base.seq` were verified then and are not verified again (their order and the final
    /// head rules still apply), and `base.seq` counts as signed. A checkpoint so costs what
    /// came after the one before it, not the whole session again.
    package func check(
        chains: [[UInt8]], signatures: [SignedHead], ended: Bool, trusted: TrustedKeys,
        recorded: [Recorded] = [], base: (seq: Int64, chain: [UInt8])? = nil
    ) -> Outcome {
        let baseSeq = base?.seq ?? 0
        let count = baseSeq + Int64(chains.count)
        /// The chain value at `seq` (from `base.seq` on).
        func chain(at seq: Int64) -> [UInt8] {
            if seq == baseSeq { return base?.chain ?? HashChain.genesis }
            return chains[Int(seq - baseSeq) - 1]
        }
        var outcome = Outcome(
            badSeq: nil, reason: nil, latest: nil, latestKey: nil, unsigned: 0, checked: 0, signedThrough: 0)
        func bad(_ seq: Int64, _ reason: String) -> Outcome {
            outcome.badSeq = max(1, seq)
            outcome.reason = reason
            return outcome
        }
        for record in recorded.sorted(by: { $0.seq < $1.seq }) {
            let what = record.ended ? "sealed the session" : "signed the chain"
            guard record.seq <= count else {
                return bad(count + 1, "seq \(count + 1) missing (this server \(what) at seq \(record.seq))")
            }
            guard record.seq < baseSeq || chain(at: record.seq) == record.chain else {
                return bad(record.seq, "the chain differs from what this server signed at seq \(record.seq)")
            }
        }
        for head in signatures.sorted(by: {
            ($0.seq, $0.state == .ended ? 1 : 0) < ($1.seq, $1.state == .ended ? 1 : 0)
        }) {
            if head.seq < baseSeq {
                // Verified when the prefix was checked; only the final-head rule is looked at again.
                if head.state == .ended {
                    return bad(head.seq + 1, "events after the final signed head (seq \(head.seq))")
                }
                continue
            }
            outcome.checked += 1
            guard let key = trusted.signer(of: head) else {
                let claimed =
                    head.isValid ? "a key this server does not trust (key id \(head.keyId))" : "no valid signature"
                return bad(head.seq, "signature at seq \(head.seq) made by \(claimed)")
            }
            guard head.seq <= count else {
                return bad(count + 1, "seq \(count + 1) missing (a signature covers seq \(head.seq))")
            }
            guard head.chain == chain(at: head.seq) else {
                return bad(head.seq, "signed head at seq \(head.seq) does not match the chain")
            }
            if head.state == .ended && head.seq < count {
                return bad(head.seq + 1, "events after the final signed head (seq \(head.seq))")
            }
            if outcome.latest == nil || head.seq >= outcome.latest!.seq {
                outcome.latest = head
                outcome.latestKey = key
            }
        }
        let signedThrough = max(outcome.latest?.seq ?? 0, recorded.map(\.seq).max() ?? 0, baseSeq)
        outcome.signedThrough = signedThrough
        let isEnded = ended || recorded.contains(where: \.ended) || outcome.latest?.state == .ended
        if isEnded {
            // Only a final head (or a version-1 one, which never said) may close a session.
            guard let latest = outcome.latest, latest.seq == count, latest.state != .live else {
                return bad(
                    max(count, 1),
                    signatures.isEmpty || outcome.latest == nil
                        ? "ended session has no signed head" : "ended session has no final signed head at seq \(count)")
            }
            return outcome
        }
        outcome.unsigned = Int(count - signedThrough)
        if outcome.unsigned > maxUnsigned {
            return bad(
                signedThrough + 1,
                "\(outcome.unsigned) events after the last signed checkpoint (seq \(signedThrough)); the server never leaves more than \(maxUnsigned)"
            )
        }
        return outcome
    }
}
