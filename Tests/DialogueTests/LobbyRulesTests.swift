import Testing

@testable import Dialogue

/// The lobby's decisions (`SessionState+Lobby`): who may come in, and the events that say so.
@Suite struct LobbyRulesTests {
    typealias F = SessionFixture

    func withLobby(_ on: Bool = true) throws -> SessionState {
        var info = F.info
        info.lobby = on
        var state = SessionState(info: info)
        _ = try state.join(F.officer, at: F.at(1))
        return state
    }

    @Test func withoutALobbyEveryInviteComesIn() throws {
        let state = try withLobby(false)
        #expect(state.isAdmitted("inv_anyone"))
        #expect(!state.isDeclined("inv_anyone"))
    }

    @Test func anAdmissionIsAModerationEventAndLetsTheInviteIn() throws {
        var state = try withLobby()
        #expect(!state.isAdmitted(F.investor.id))
        let event = try state.decideLobby(by: F.officer, invite: F.investor.id, name: F.investor.name, admit: true, at: F.at(2))
        #expect(event.kind == .moderation)
        #expect(event.body["action"] == "admit")
        #expect(event.body["target"] == .string(F.investor.id))
        #expect(event.body["targetName"] == .string(F.investor.name))
        #expect(event.seq == 2)
        #expect(state.isAdmitted(F.investor.id))
        // Replaying the stored events gives the same decision.
        var replayed = SessionState(info: state.info)
        let officerJoined = try #require(try replayed.join(F.officer, at: F.at(1)))
        replayed = SessionState(info: state.info)
        replayed.apply(officerJoined)
        #expect(!replayed.isAdmitted(F.investor.id))
        replayed.apply(event)
        #expect(replayed.isAdmitted(F.investor.id))
    }

    @Test func aDeclineKeepsTheInviteOutUntilAnAdmission() throws {
        var state = try withLobby()
        _ = try state.decideLobby(by: F.officer, invite: F.investor.id, name: F.investor.name, admit: false, at: F.at(2))
        #expect(state.isDeclined(F.investor.id) && !state.isAdmitted(F.investor.id))
        #expect(throws: DialogueError.self) {
            _ = try state.decideLobby(by: F.officer, invite: F.investor.id, name: F.investor.name, admit: false, at: F.at(3))
        }
        _ = try state.decideLobby(by: F.officer, invite: F.investor.id, name: F.investor.name, admit: true, at: F.at(3))
        #expect(state.isAdmitted(F.investor.id) && !state.isDeclined(F.investor.id))
    }

    @Test func refusals() throws {
        var none = try withLobby(false)
        #expect(throws: DialogueError.self) {
            _ = try none.decideLobby(by: F.officer, invite: "inv_x", name: "X", admit: true, at: F.at(2))
        }
        var state = try withLobby()
        _ = try state.decideLobby(by: F.officer, invite: F.investor.id, name: F.investor.name, admit: true, at: F.at(2))
        #expect(throws: DialogueError.self) {
            _ = try state.decideLobby(by: F.officer, invite: F.investor.id, name: F.investor.name, admit: true, at: F.at(3))
        }
        _ = try state.join(F.investor, at: F.at(3))
        // In the session already: nothing to admit or decline (remove them instead).
        #expect(throws: DialogueError.self) {
            _ = try state.decideLobby(by: F.officer, invite: F.investor.id, name: F.investor.name, admit: false, at: F.at(4))
        }
        _ = try state.end(by: F.officer, at: F.at(4))
        #expect(throws: DialogueError.self) {
            _ = try state.decideLobby(by: F.officer, invite: "inv_late", name: "Late", admit: true, at: F.at(5))
        }
    }

    @Test func someoneWhoJoinedBeforeTheLobbyWasOnStaysIn() throws {
        var state = SessionState(info: F.info)
        _ = try state.join(F.investor, at: F.at(1))
        var info = state.info
        info.lobby = true
        state.replan(from: info)
        #expect(state.isAdmitted(F.investor.id))
        #expect(!state.isAdmitted("inv_new"))
    }

    /// Reads of the store may arrive out of order: the copy in memory never goes back to an
    /// older schedule or an earlier status.
    @Test func aReplanNeverGoesBack() throws {
        var planned = F.info
        planned.status = .scheduled
        planned.schedule = .init(startsAt: "2027-01-15T02:00:00Z", endsAt: "2027-01-15T03:00:00Z", timeZone: "UTC")
        var state = SessionState(info: planned)
        var moved = planned
        moved.schedule = .init(startsAt: "2027-01-16T02:00:00Z", endsAt: "2027-01-16T03:00:00Z", timeZone: "UTC", sequence: 1)
        var cancelled = moved
        cancelled.status = .cancelled
        cancelled.cancelledAt = "2027-01-10T00:00:00Z"
        cancelled.schedule?.sequence = 2
        state.replan(from: moved)
        state.replan(from: cancelled)
        state.replan(from: moved)  // the slower, older read
        state.replan(from: planned)
        #expect(state.info.status == .cancelled && state.info.schedule?.sequence == 2)
        #expect(state.info.cancelledAt == "2027-01-10T00:00:00Z")
        var opened = SessionState(info: planned)
        var live = planned
        live.status = .live
        opened.replan(from: live)
        opened.replan(from: planned)  // read before the opening, same sequence
        #expect(opened.info.status == .live)
    }

    @Test func theFramesDecodeAsModerationsOfTheInvite() throws {
        #expect(
            try ClientFrame.decode(Array(#"{"type":"admit","session":"ses_1","invite":"inv_2"}"#.utf8))
                == .moderate(session: "ses_1", action: "admit", target: "inv_2", mode: nil))
        #expect(
            try ClientFrame.decode(Array(#"{"type":"decline","session":"ses_1","invite":"inv_2"}"#.utf8))
                == .moderate(session: "ses_1", action: "decline", target: "inv_2", mode: nil))
        #expect(throws: DialogueError.self) {
            _ = try ClientFrame.decode(Array(#"{"type":"admit","session":"ses_1"}"#.utf8))
        }
        #expect(Role.investor.may(try ClientFrame.decode(Array(#"{"type":"admit","session":"s","invite":"i"}"#.utf8)).action!) == false)
    }
}
