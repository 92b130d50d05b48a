import Dialogue
import Testing

@testable import HubCore

/// Sessions in memory: one load for many waiters, frames kept in order, unloading.
@Suite struct SessionsTests {
    @Test func oneLoadServesEveryWaiterInOrder() {
        var rig = Rig()
        let officer = rig.connect(1, as: Rig.officer)
        let investor = rig.connect(2, as: Rig.investor)
        rig.frame(officer, .join(after: 0))
        rig.frame(investor, .admit(after: 0))
        rig.frame(officer, .say(clientId: "a", text: "hello"))  // waits behind the join
        #expect(rig.loads.count == 1)
        #expect(rig.core.phase(of: Rig.session) == .loading(waiting: 2))
        #expect(rig.backlog[officer] == [.say(clientId: "a", text: "hello")])
        rig.finishLoad()
        #expect(rig.core.phase(of: Rig.session) == .inMemory(.serving))
        #expect(rig.busy.isEmpty)
        rig.settle()
        // The officer's waiting frame follows its join at once; the investor's work after.
        #expect(rig.stored.map(\.kind) == [.joined, .message, .joined])
        #expect(rig.acks(officer) == [.ack(clientId: "a", seq: 2)])
    }

    @Test func aMissingSessionIsRefusedToEveryWaiter() {
        var rig = Rig()
        let a = rig.connect(1, as: Rig.officer)
        let b = rig.connect(2, as: Rig.reviewer)
        rig.frame(a, .join(after: 0))
        rig.frame(b, .join(after: 0))
        rig.finishLoad(found: false)
        #expect(rig.errors(a) == [.notFound])
        #expect(rig.errors(b) == [.notFound])
        #expect(rig.core.phase(of: Rig.session) == .absent)
        #expect(rig.busy.isEmpty)
    }

    @Test func aStaleLoadResultIsIgnored() {
        var rig = Rig()
        let a = rig.connect(1, as: Rig.officer)
        rig.frame(a, .join(after: 0))
        let actions = rig.core.sessionLoaded(Rig.session, token: 999, state: rig.storedState)
        #expect(actions.isEmpty)
        #expect(rig.core.phase(of: Rig.session) == .loading(waiting: 1))
    }

    @Test func anIdleSessionUnloadsOnlyWhenNothingIsOwed() {
        var rig = Rig()
        let officer = rig.connect(1, as: Rig.officer)
        rig.frame(officer, .join(after: 0))
        rig.settle()
        rig.frame(officer, .say(clientId: "x", text: "bye"))
        rig.disconnect(officer)
        // The message is in the writer: the session stays until it commits.
        #expect(rig.core.phase(of: Rig.session) == .inMemory(.serving))
        rig.commit()
        #expect(rig.core.phase(of: Rig.session) == .absent)
    }

    @Test func liveSessionIdsLeaveOutEndedSessions() {
        var rig = Rig()
        let officer = rig.connect(1, as: Rig.officer)
        rig.frame(officer, .join(after: 0))
        rig.settle()
        #expect(rig.core.liveSessionIds == [Rig.session])
        rig.frame(officer, .end)
        rig.settle()
        #expect(rig.core.liveSessionIds.isEmpty)
    }
}
