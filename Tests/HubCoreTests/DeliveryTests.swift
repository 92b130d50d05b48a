import Dialogue
import Testing

@testable import HubCore

/// Contract section 4: acks after commit, seq order, history then live with no gap,
/// drafts for officers only, resume.
@Suite struct DeliveryTests {
    /// An officer and an investor in a live session, everything settled.
    static func meeting() -> (Rig, officer: ConnectionKey, investor: ConnectionKey) {
        var rig = Rig()
        let officer = rig.connect(1, as: Rig.officer)
        let investor = rig.connect(2, as: Rig.investor)
        rig.frame(officer, .join(after: 0))
        rig.settle()
        rig.frame(investor, .admit(after: 0))
        rig.settle()
        return (rig, officer, investor)
    }

    @Test func anAckComesOnlyAfterTheCommit() {
        var (rig, officer, investor) = Self.meeting()
        rig.frame(investor, .say(clientId: "m1", text: "xin chào"))
        #expect(rig.acks(investor).isEmpty)
        #expect(rig.writerQueue.count == 1)
        rig.commit()
        #expect(rig.acks(investor) == [.ack(clientId: "m1", seq: 3)])
        // The sender gets its own event too, like everyone.
        #expect(rig.seqs(investor).last == 3)
        #expect(rig.seqs(officer).last == 3)
        #expect(rig.acksOfUncommitted.isEmpty)
    }

    @Test func aRepeatedClientIdGetsTheSameAckAndNoSecondEvent() {
        var (rig, _, investor) = Self.meeting()
        rig.frame(investor, .say(clientId: "m1", text: "one"))
        rig.frame(investor, .say(clientId: "m1", text: "one"))  // before the commit: owed
        #expect(rig.writerQueue.count == 1)
        rig.commit()
        #expect(rig.acks(investor) == [.ack(clientId: "m1", seq: 3), .ack(clientId: "m1", seq: 3)])
        rig.frame(investor, .say(clientId: "m1", text: "one"))  // after: at once
        #expect(rig.acks(investor).count == 3)
        #expect(rig.writerQueue.isEmpty)
        #expect(rig.stored.count == 3)
    }

    @Test func eventsArriveInSeqOrderToEveryReader() {
        var (rig, officer, investor) = Self.meeting()
        for index in 0..<5 { rig.frame(index % 2 == 0 ? officer : investor, .say(clientId: "c\(index)", text: "t")) }
        rig.commit(count: 2)
        rig.commit()
        #expect(rig.seqs(officer) == Array(1...7))
        #expect(rig.seqs(investor) == Array(1...7))
    }

    @Test func anInvestorGetsHistoryThenLiveWithNoGap() {
        var rig = Rig()
        let officer = rig.connect(1, as: Rig.officer)
        rig.frame(officer, .join(after: 0))
        rig.settle()
        for index in 0..<7 { rig.frame(officer, .say(clientId: "h\(index)", text: "t")) }
        rig.commit()
        let investor = rig.connect(2, as: Rig.investor)
        rig.frame(investor, .admit(after: 0))
        // Live events committed while history is read wait for it.
        rig.frame(officer, .say(clientId: "live1", text: "t"))
        rig.commit()
        rig.finishHistoryRead(pageSize: 3)
        rig.frame(officer, .say(clientId: "live2", text: "t"))
        rig.commit()
        rig.settle()
        #expect(rig.seqs(investor) == rig.visibleSeqs(after: 0, seesDrafts: false))
        let histories = (rig.received[investor] ?? []).filter { if case .history = $0 { return true } else { return false } }
        #expect(histories.last == .history([7, 8], complete: true))
    }

    @Test func anEmptyHistoryIsStillSentComplete() {
        var rig = Rig()
        let investor = rig.connect(2, as: Rig.investor)
        rig.frame(investor, .admit(after: 0))
        rig.finishLoad()
        rig.finishHistoryRead()
        #expect(rig.received[investor]?.first == .history([], complete: true))
    }

    @Test func resumeSendsOnlyWhatWasMissed() {
        var (rig, officer, investor) = Self.meeting()
        for index in 0..<4 { rig.frame(officer, .say(clientId: "r\(index)", text: "t")) }
        rig.commit()
        rig.disconnect(investor)
        rig.frame(officer, .say(clientId: "missed", text: "t"))
        rig.commit()
        let again = rig.connect(3, as: Rig.investor)
        rig.frame(again, .admit(after: 6))
        rig.settle()
        #expect(rig.seqs(again).first == 7)
        #expect(rig.seqs(again) == rig.visibleSeqs(after: 6, seesDrafts: false))
    }

    @Test func aResumeAfterEverythingGetsAnEmptyCompleteHistory() {
        var (rig, _, investor) = Self.meeting()
        rig.disconnect(investor)
        let again = rig.connect(3, as: Rig.investor)
        rig.frame(again, .admit(after: Int64(rig.stored.count)))
        rig.settle()
        #expect(rig.received[again]?.first == .history([], complete: true))
    }

    @Test func aSecondJoinRestartsHistoryAndDropsTheFirst() {
        var rig = Rig()
        let officer = rig.connect(1, as: Rig.officer)
        rig.frame(officer, .join(after: 0))
        rig.settle()
        for index in 0..<6 { rig.frame(officer, .say(clientId: "s\(index)", text: "t")) }
        rig.commit()
        let reviewer = rig.connect(2, as: Rig.reviewer)
        rig.frame(reviewer, .join(after: 0))
        rig.frame(reviewer, .join(after: 4))
        #expect(rig.historyReads.count == 2)
        rig.settle()
        // The first subscription's pages are dropped; the second's are whole.
        #expect(rig.seqs(reviewer) == rig.visibleSeqs(after: 4, seesDrafts: false))
    }

    @Test func draftsGoOnlyToReadersWhoSeeThem() {
        var (rig, officer, investor) = Self.meeting()
        let assistant = SessionState.assistant(name: "Assistant", language: "en")
        let at = rig.now()
        let draft = rig.core.withState(of: Rig.session) {
            try? $0.assistantEvent(.draft, by: assistant, fields: ["about": 1, "text": "draft"], at: at)
        }
        rig.perform(rig.core.submit([draft!!], in: Rig.session, submitter: nil))
        rig.commit()
        #expect(rig.seqs(officer).last == 3)
        #expect(!rig.seqs(investor).contains(3))
        // In history too.
        let late = rig.connect(5, as: Rig.investor2)
        rig.frame(late, .admit(after: 0))
        rig.settle()
        #expect(!rig.seqs(late).contains(3))
        #expect(!(rig.received[late] ?? []).contains(.draftLeak))
    }

    @Test func aRejectionsReasonIsStrippedForReadersWithoutDrafts() {
        var (rig, _, _) = Self.meeting()
        let rejection = Event(
            session: Rig.session, seq: 3, kind: .status, at: rig.now(), from: Rig.officer,
            fields: ["about": 1, "state": "rejected", "reason": "wrong figures", "rejectedBy": "Hà"])
        var actions: [HubAction<TestWork>] = []
        rig.core.broadcast(rejection, canonical: rejection.canonicalBytes, batchIndex: nil, into: &actions)
        guard case .deliver(let delivery)? = actions.first else {
            Issue.record("no delivery")
            return
        }
        #expect(delivery.withoutReviewReaders == [ConnectionKey(2)])
        #expect(delivery.byLanguage == ["vi": [ConnectionKey(1)]])
        let stripped = String(decoding: delivery.withoutReview ?? [], as: UTF8.self)
        #expect(!stripped.contains("wrong figures"))
    }

    @Test func historyWaitsWhileTheReadersQueueIsFull() {
        var rig = Rig(limits: { var l = HubLimits(); l.historyQueueBytes = 10; return l }())
        let officer = rig.connect(1, as: Rig.officer)
        rig.frame(officer, .join(after: 0))
        rig.settle()
        for index in 0..<6 { rig.frame(officer, .say(clientId: "q\(index)", text: "t")) }
        rig.commit()
        let investor = rig.connect(2, as: Rig.investor)
        rig.frame(investor, .admit(after: 0))
        rig.finishLoad()
        rig.queued[investor] = 1_000
        rig.finishHistoryRead(pageSize: 2)
        #expect(rig.historyReads.isEmpty)
        #expect(rig.rechecks.count == 1)
        rig.finishRecheck()  // still full: wait again, read nothing
        #expect(rig.historyReads.isEmpty)
        #expect(rig.rechecks.count == 1)
        rig.queued[investor] = 0
        rig.finishRecheck()
        #expect(rig.historyReads.count == 1)
    }

    @Test func aReaderTooFarBehindDuringHistoryIsClosed() {
        var rig = Rig(limits: { var l = HubLimits(); l.catchUpBufferBytes = 600; return l }())
        let officer = rig.connect(1, as: Rig.officer)
        rig.frame(officer, .join(after: 0))
        rig.settle()
        let investor = rig.connect(2, as: Rig.investor)
        rig.frame(investor, .admit(after: 0))
        rig.finishLoad()
        rig.commit()  // the investor's join
        for index in 0..<4 { rig.frame(officer, .say(clientId: "b\(index)", text: String(repeating: "x", count: 200))) }
        rig.commit()
        #expect(rig.received[investor]?.contains(.closed(1008)) == true)
        #expect(!rig.core.isMember(investor, of: Rig.session))
    }

    @Test func aFailedHistoryReadClosesTheReader() {
        var rig = Rig()
        let officer = rig.connect(1, as: Rig.officer)
        rig.frame(officer, .join(after: 0))
        rig.settle()
        let investor = rig.connect(2, as: Rig.investor)
        rig.frame(investor, .admit(after: 0))
        rig.finishHistoryRead(failing: true)
        #expect(rig.errors(investor) == [.unavailable])
        #expect(rig.received[investor]?.last == .closed(1011))
    }

    @Test func historyFramesHoldAtMost256EventsAndTheBudget() {
        let small = Array(repeating: Array("{}".utf8), count: 600)
        #expect(HistoryFrames.chunks(small, budget: 1 << 20).map(\.count) == [256, 256, 88])
        let big = Array(repeating: [UInt8](repeating: 32, count: 300), count: 4)
        #expect(HistoryFrames.chunks(big, budget: 700).map(\.count) == [2, 2])
        let frame = String(decoding: HistoryFrames.frame(session: "s", events: [Array("{}".utf8)], complete: true), as: UTF8.self)
        #expect(frame == #"{"type":"history","session":"s","complete":true,"events":[{}]}"#)
    }

    @Test func aResumeFromBeyondTheEndGetsAnEmptyHistoryThenLiveEvents() {
        var (rig, officer, investor) = Self.meeting()
        rig.disconnect(investor)
        let again = rig.connect(3, as: Rig.investor)
        rig.frame(again, .admit(after: 99))
        rig.settle()
        #expect(rig.received[again]?.first == .history([], complete: true))
        rig.frame(officer, .say(clientId: "next", text: "t"))
        rig.commit()
        #expect(rig.seqs(again) == [3])
    }

    @Test func anUpToDateReaderGoesLiveWithoutReadingTheStore() {
        var (rig, officer, investor) = Self.meeting()
        rig.disconnect(investor)
        let last = Int64(rig.stored.count)
        let again = rig.connect(3, as: Rig.investor)
        rig.frame(again, .admit(after: last))
        // No round trip (and none to fail while the store is down): history ends at once.
        #expect(rig.historyReads.isEmpty)
        #expect(rig.received[again]?.first == .history([], complete: true))
        rig.commit()  // its join, live
        rig.frame(officer, .say(clientId: "after", text: "t"))
        rig.commit()
        #expect(rig.historyReads.isEmpty)
        #expect(rig.seqs(again) == rig.visibleSeqs(after: last, seesDrafts: false))
        #expect(rig.seqs(again).last == Int64(rig.stored.count))
    }

    @Test func heldEventsKeepWhatTheirCommitFoundForThem() {
        var rig = Rig()
        let officer = rig.connect(1, as: Rig.officer)
        rig.frame(officer, .join(after: 0))
        rig.settle()
        for index in 0..<3 { rig.frame(officer, .say(clientId: "h\(index)", text: "t")) }
        rig.commit()
        let investor = rig.connect(2, as: Rig.investor)
        rig.frame(investor, .admit(after: 0))
        rig.frame(officer, .say(clientId: "held", text: "t"))
        rig.commit()  // the investor's join and the message, held for it
        let held = rig.stored.suffix(2).map(\.seq)
        rig.settle()
        #expect(rig.seqs(investor) == rig.visibleSeqs(after: 0, seesDrafts: false))
        // Their terms are not found again per reader on the actor.
        #expect(rig.foundAtCatchUp == held.map { "found \($0)" })
    }
}
