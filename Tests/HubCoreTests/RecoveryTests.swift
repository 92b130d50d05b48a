import Dialogue
import Testing

@testable import HubCore

/// Recovery after a failed commit (one node) and after contention (a shared store).
@Suite struct RecoveryTests {
    @Test func aFailedCommitIsRefusedAndReloadsOnlyOnceEverythingSettled() {
        var (rig, officer, investor) = DeliveryTests.meeting()
        rig.frame(investor, .say(clientId: "lost", text: "t"))
        rig.frame(officer, .say(clientId: "inflight", text: "t"))
        rig.commit(count: 1, failing: true)
        #expect(rig.errors(investor) == [.unavailable])
        #expect(rig.acks(investor).isEmpty)
        // The officer's event (decided on the lost one) is still in the writer: no reload yet.
        #expect(rig.core.phase(of: Rig.session) == .inMemory(.recovering(.settling)))
        #expect(rig.reloads.isEmpty)
        // Meanwhile actions are refused (one node).
        rig.frame(investor, .say(clientId: "during", text: "t"))
        #expect(rig.errors(investor) == [.unavailable, .unavailable])
        rig.commit()  // the last one comes back (out of sequence): now reload
        #expect(rig.errors(officer) == [.unavailable])
        #expect(rig.reloads == [2])
        rig.finishReload()
        #expect(rig.core.phase(of: Rig.session) == .inMemory(.serving))
        // The same clientId is accepted again and acked once stored.
        rig.frame(investor, .say(clientId: "lost", text: "t"))
        rig.commit()
        #expect(rig.acks(investor) == [.ack(clientId: "lost", seq: 3)])
        #expect(rig.acksOfUncommitted.isEmpty)
    }

    @Test func aReloadThatFailsIsTriedAgainAfterAGrowingPause() {
        var (rig, _, investor) = DeliveryTests.meeting()
        rig.frame(investor, .say(clientId: "lost", text: "t"))
        rig.commit(failing: true)
        var pauses: [Int] = []
        for _ in 0..<3 {
            let actions = rig.core.reloadFailed(Rig.session, reason: "down")
            for case .scheduleReload(_, let pause) in actions { pauses.append(pause) }
        }
        #expect(pauses == [200, 400, 800])
        rig.reloads = []
        rig.perform(rig.core.reloadTimerFired(Rig.session))
        #expect(rig.reloads == [2])
        rig.finishReload()
        #expect(rig.core.phase(of: Rig.session) == .inMemory(.serving))
    }

    @Test func aJoinLostToStorageClosesItsConnection() {
        var rig = Rig()
        let officer = rig.connect(1, as: Rig.officer)
        rig.frame(officer, .join(after: 0))
        rig.finishLoad()
        rig.commit(failing: true)
        #expect(rig.errors(officer) == [.unavailable])
        #expect(rig.received[officer]?.contains(.closed(1011)) == true)
    }

    @Test func onASharedStoreAnOvertakenSayIsDecidedAgainAndAcked() {
        var rig = Rig(shared: true)
        let officer = rig.connect(1, as: Rig.officer)
        let investor = rig.connect(2, as: Rig.investor)
        rig.frame(officer, .join(after: 0))
        rig.settle()
        rig.frame(investor, .admit(after: 0))
        rig.settle()
        // Another node takes seq 3 before this node's message reaches the store.
        rig.frame(investor, .say(clientId: "race", text: "mine"))
        rig.commitElsewhere(Rig.investor2, notify: false)
        // Work that arrives while recovering waits instead of being refused.
        rig.commit()
        #expect(rig.errors(investor).isEmpty)
        rig.frame(officer, .say(clientId: "waiting", text: "t"))
        #expect(rig.busy.contains(officer))
        rig.settle()
        #expect(rig.errors(investor).isEmpty)
        #expect(rig.errors(officer).isEmpty)
        #expect(rig.acks(investor) == [.ack(clientId: "race", seq: 4)])
        #expect(rig.acks(officer) == [.ack(clientId: "waiting", seq: 5)])
        #expect(rig.seqs(investor) == rig.visibleSeqs(after: 0, seesDrafts: false))
        #expect(rig.seqs(officer) == rig.visibleSeqs(after: 0, seesDrafts: true))
    }

    @Test func onASharedStoreAnOvertakenJoinIsDecidedAgain() {
        var rig = Rig(shared: true)
        let officer = rig.connect(1, as: Rig.officer)
        rig.frame(officer, .join(after: 0))
        rig.finishLoad()
        rig.commitElsewhere(Rig.investor2, notify: false)
        rig.settle()
        #expect(rig.errors(officer).isEmpty)
        #expect(rig.storedState.participant(Rig.officer.id) != nil)
        #expect(rig.seqs(officer) == [1, 2])
    }

    @Test func notesFromOtherNodesAreDeliveredOnceInOrder() {
        var rig = Rig(shared: true)
        let officer = rig.connect(1, as: Rig.officer)
        rig.frame(officer, .join(after: 0))
        rig.settle()
        rig.commitElsewhere(Rig.investor2)  // with its body: delivered at once
        rig.commitElsewhere(Rig.investor2, withBodies: false)  // read from the store
        rig.commitElsewhere(Rig.investor2, notify: false)
        rig.commitElsewhere(Rig.investor2)  // a gap (the last was not noticed): read
        rig.settle()
        #expect(rig.seqs(officer) == [1, 2, 3, 4, 5])
        // A notice for what was delivered changes nothing.
        rig.perform(rig.core.committedElsewhere(Rig.session, first: 2, through: 2, bodies: [rig.stored[1].canonicalBytes]))
        #expect(rig.seqs(officer) == [1, 2, 3, 4, 5])
    }

    @Test func aFailedReadOfOtherNodesEventsIsRetriedAfterAPause() {
        var rig = Rig(shared: true)
        let officer = rig.connect(1, as: Rig.officer)
        rig.frame(officer, .join(after: 0))
        rig.settle()
        rig.commitElsewhere(Rig.investor2, withBodies: false)
        let after = rig.behindReads.removeFirst()
        rig.perform(rig.core.readBehindFailed(after, reason: "down"))
        #expect(rig.behindTimers == 1)
        rig.settle()
        #expect(rig.seqs(officer) == [1, 2])
    }

    @Test func noticesWaitWhileThisNodesEventsAreInFlight() {
        var rig = Rig(shared: true)
        let officer = rig.connect(1, as: Rig.officer)
        rig.frame(officer, .join(after: 0))
        rig.settle()
        rig.frame(officer, .say(clientId: "mine", text: "t"))
        rig.commitElsewhere(Rig.investor2, withBodies: false)
        // This node's seq 2 is in flight: no read until it comes back.
        #expect(rig.behindReads.isEmpty)
        rig.settle()
        #expect(rig.seqs(officer) == rig.visibleSeqs(after: 0, seesDrafts: true))
        #expect(rig.acks(officer).count == 1)
    }

    @Test func aResumeDuringContentionWaitsAndMissesNothing() {
        var rig = Rig(shared: true)
        let officer = rig.connect(1, as: Rig.officer)
        rig.frame(officer, .join(after: 0))
        rig.settle()
        rig.frame(officer, .say(clientId: "lost-race", text: "t"))
        rig.commitElsewhere(Rig.investor2, notify: false)
        rig.commit()  // out of sequence: recovering
        let investor = rig.connect(2, as: Rig.investor)
        rig.frame(investor, .admit(after: 1))
        #expect(rig.busy.contains(investor))
        #expect(rig.core.phase(of: Rig.session) == .inMemory(.recovering(.reloading(attempt: 0))))
        rig.settle()
        #expect(rig.seqs(investor) == rig.visibleSeqs(after: 1, seesDrafts: false))
        #expect(rig.seqs(officer) == rig.visibleSeqs(after: 0, seesDrafts: true))
        #expect(rig.acks(officer) == [.ack(clientId: "lost-race", seq: 3)])
    }

    @Test func nothingIsDecidedOnRulesAboutToBeReplaced() {
        var (rig, _, investor) = DeliveryTests.meeting()
        rig.frame(investor, .say(clientId: "lost", text: "t"))
        rig.commit(failing: true)
        let decided = rig.core.withState(of: Rig.session) { state in
            try? state.say(by: Rig.officer, text: "x", clientId: "y", language: "vi", citations: nil, at: "2026-11-26T05:00:00.000Z")
        }
        #expect(decided == nil)
        #expect(rig.core.decideAndSubmit(Rig.session, for: investor) { try $0.leave(by: Rig.investor, at: "2026-11-26T05:00:00.000Z") }.isEmpty)
    }

    @Test func workOfTheSessionWaitsForItsRecoveryOnAnyStore() {
        for shared in [false, true] {
            var rig = Rig(shared: shared)
            let officer = rig.connect(1, as: Rig.officer)
            rig.frame(officer, .join(after: 0))
            rig.settle()
            rig.frame(officer, .say(clientId: "lost", text: "t"))
            rig.commit(failing: true)
            #expect(rig.core.phase(of: Rig.session) != .inMemory(.serving))
            // The assistant's reply comes back while the session recovers: held, not lost.
            rig.perform(rig.core.withSessionUnattended(Rig.session, .end))
            #expect(rig.unattended.isEmpty)
            rig.settle()
            #expect(rig.core.phase(of: Rig.session) == .inMemory(.serving))
            #expect(rig.unattended == [.end])
            // Serving: at once.
            rig.perform(rig.core.withSessionUnattended(Rig.session, .leave))
            #expect(rig.unattended == [.end, .leave])
        }
    }

    @Test func workOfTheSessionLoadsItWhenItIsNotInMemory() {
        var rig = Rig()
        rig.perform(rig.core.withSessionUnattended(Rig.session, .end))
        #expect(rig.loads.count == 1)
        #expect(rig.unattended.isEmpty)
        rig.finishLoad()
        #expect(rig.unattended == [.end])
    }

    @Test func anUnreadableEventMissedDuringRecoveryIsLogged() {
        var (rig, _, investor) = DeliveryTests.meeting()
        rig.frame(investor, .say(clientId: "lost", text: "t"))
        rig.commit(failing: true)
        guard let delivered = rig.reloads.first else {
            Issue.record("no reload")
            return
        }
        // Another writer stored seq 3 meanwhile, and its bytes do not parse here.
        rig.stored.append(
            Event(session: Rig.session, seq: delivered + 1, kind: .message, at: rig.now(), from: Rig.officer, fields: ["text": "x"]))
        let actions = rig.core.reloaded(
            Rig.session, state: rig.storedState, missed: [(seq: delivered + 1, canonical: Array("{broken".utf8))])
        let logged = actions.compactMap { action -> String? in
            if case .log(let entry) = action { return entry.detail }
            return nil
        }
        #expect(logged == ["seq \(delivered + 1)"])
    }
}
