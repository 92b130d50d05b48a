import Dialogue
import Testing

@testable import HubCore

/// Moderation's effects on connections, presence here and on other nodes, the end.
@Suite struct ModerationAndPresenceTests {
    @Test func removingAnInvestorClosesTheirConnectionsToTheSession() {
        var (rig, officer, investor) = DeliveryTests.meeting()
        rig.frame(officer, .moderate(action: "remove", target: Rig.investor.id))
        rig.commit()
        #expect(rig.received[investor]?.last == .closed(1008))
        // Back with the same invite: refused.
        let again = rig.connect(3, as: Rig.investor)
        rig.frame(again, .admit(after: 0))
        rig.settle()
        #expect(rig.errors(again) == [.unauthorized])
    }

    @Test func aMuteIsAnnouncedAsPresenceAndSilencesTheInvestor() {
        var (rig, officer, investor) = DeliveryTests.meeting()
        let before = rig.received[officer]?.count ?? 0
        rig.frame(officer, .moderate(action: "mute", target: Rig.investor.id))
        rig.commit()
        #expect(Array(rig.received[officer]?.dropFirst(before) ?? []) == [.event(3, .moderation), .presence(Rig.investor.id, online: true)])
        rig.frame(investor, .say(clientId: "muted", text: "t"))
        #expect(rig.errors(investor) == [.forbidden])
        #expect(rig.writerQueue.isEmpty)
    }

    @Test func presenceChangesOnTheFirstAndLastConnectionOnly() {
        var (rig, officer, investor) = DeliveryTests.meeting()
        #expect(rig.received[officer]?.contains(.presence(Rig.investor.id, online: true)) == true)
        let second = rig.connect(3, as: Rig.investor)
        rig.frame(second, .admit(after: 2))
        rig.settle()
        let announced = { (rig: Rig) in
            (rig.received[officer] ?? []).filter { if case .presence = $0 { return true } else { return false } }.count
        }
        #expect(announced(rig) == 1)
        rig.disconnect(investor)
        #expect(announced(rig) == 1)
        rig.disconnect(second)
        #expect(rig.received[officer]?.last == .presence(Rig.investor.id, online: false))
    }

    @Test func observersAreNeverAnnounced() {
        var (rig, officer, _) = DeliveryTests.meeting()
        let reviewer = rig.connect(4, as: Rig.reviewer)
        rig.frame(reviewer, .join(after: 0))
        rig.settle()
        rig.disconnect(reviewer)
        #expect(!(rig.received[officer] ?? []).contains(.presence(Rig.reviewer.id, online: true)))
        #expect(!rig.core.onlineParticipants(Rig.session).contains(Rig.reviewer.id))
    }

    @Test func aParticipantOnAnotherNodeKeepsThemOnline() {
        var (rig, officer, investor) = DeliveryTests.meeting()
        _ = rig.core.presenceElsewhere(session: Rig.session, participant: Rig.investor.id, node: "b", online: true)
        rig.disconnect(investor)
        // Still connected through node b: no offline announcement.
        #expect(rig.received[officer]?.last != .presence(Rig.investor.id, online: false))
        #expect(rig.core.isOnline(Rig.session, Rig.investor.id))
        rig.perform(rig.core.nodeGone("b"))
        #expect(rig.received[officer]?.last == .presence(Rig.investor.id, online: false))
    }

    @Test func aFullReadOfTheBoardKeepsNoticesThatCameDuringIt() {
        var (rig, _, _) = DeliveryTests.meeting()
        rig.core.presenceReadStarts()
        rig.perform(rig.core.presenceElsewhere(session: Rig.session, participant: "inv_x", node: "b", online: true))
        rig.perform(rig.core.reconcilePresence([:]))  // read before the notice: must not undo it
        #expect(rig.core.isOnline(Rig.session, "inv_x"))
        rig.perform(rig.core.reconcilePresence([:]))  // a later full read is the truth
        #expect(!rig.core.isOnline(Rig.session, "inv_x"))
    }

    @Test func anEndedSessionRefusesMessages() {
        var (rig, officer, investor) = DeliveryTests.meeting()
        rig.frame(officer, .end)
        rig.commit()
        #expect(rig.seqs(investor).last == 3)
        rig.frame(investor, .say(clientId: "late", text: "t"))
        #expect(rig.errors(investor) == [.conflict])
    }

    @Test func nobodyIsOnlineInAMeetingThatEnded() {
        var (rig, officer, investor) = DeliveryTests.meeting()
        _ = rig.core.presenceElsewhere(session: Rig.session, participant: "inv_b", node: "b", online: true)
        #expect(rig.core.onlineParticipants(Rig.session) == [Rig.investor.id, Rig.officer.id, "inv_b"])
        rig.frame(officer, .end)
        rig.commit()
        // Both pages are still open, and a participant is still connected through node b.
        #expect(rig.received[investor] != nil)
        #expect(rig.core.onlineParticipants(Rig.session).isEmpty)
        #expect(!rig.core.isOnline(Rig.session, Rig.investor.id) && !rig.core.isOnline(Rig.session, "inv_b"))
    }

    @Test func anInvestorWhoLeftMustReconnectToSpeak() {
        var (rig, _, investor) = DeliveryTests.meeting()
        rig.frame(investor, .leave)
        rig.commit()
        rig.frame(investor, .say(clientId: "after", text: "t"))
        #expect(rig.errors(investor) == [.forbidden])
        #expect(rig.stored.last?.kind == .left)
    }
}

/// Whether the shared store is reachable: announced once per change; notices back mean a
/// read of every session.
@Suite struct ReachabilityTests {
    @Test func eachChangeIsAnnouncedOnce() {
        var rig = Rig(shared: true)
        rig.perform(rig.core.heartbeat(reached: false))
        rig.perform(rig.core.noticesConnection(up: false))  // still unreachable: nothing new
        rig.perform(rig.core.heartbeat(reached: true))  // notices still down
        #expect(!rig.core.storeReachable)
        rig.perform(rig.core.noticesConnection(up: true))
        #expect(rig.core.storeReachable)
        #expect(rig.reachability == [false, true])
    }

    @Test func noticesBackMeanEverySessionIsReadAgain() {
        var rig = Rig(shared: true)
        let officer = rig.connect(1, as: Rig.officer)
        rig.frame(officer, .join(after: 0))
        rig.settle()
        rig.perform(rig.core.noticesConnection(up: false))
        rig.commitElsewhere(Rig.investor2, notify: false)  // its notice is lost
        #expect(rig.behindReads.isEmpty)
        rig.perform(rig.core.noticesConnection(up: true))
        rig.settle()
        #expect(rig.seqs(officer) == [1, 2])
    }
}

/// The lobby's decisions reach the driver once committed (never before), so the waiting
/// connections come in or are turned away on every node.
@Suite struct LobbyDecisionTests {
    @Test(arguments: [true, false]) func aCommittedDecisionIsCarriedOut(_ admit: Bool) {
        var rig = Rig()
        rig.info.lobby = true
        let officer = rig.connect(1, as: Rig.officer)
        rig.frame(officer, .join(after: 0))
        rig.settle()
        let at = rig.now()
        rig.perform(
            rig.core.decideAndSubmit(Rig.session, for: officer) {
                try $0.decideLobby(by: Rig.officer, invite: "inv_waiting", name: "Waiting", admit: admit, at: at)
            })
        #expect(rig.lobbyDecisions.isEmpty, "not before the commit")
        rig.commit()
        #expect(rig.lobbyDecisions == ["\(Rig.session) inv_waiting \(admit ? "admitted" : "declined")"])
    }
}
