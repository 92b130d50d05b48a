import Dialogue
import Testing

@testable import HubCore

@Suite struct LobbyTests {
    static func waiting(_ invite: String, since: String) -> Lobby.Waiting {
        Lobby.Waiting(invite: invite, name: "Name \(invite)", organisation: nil, language: "ja", since: since)
    }

    @Test func oneEntryPerInviteOldestFirstAndTakenTogether() {
        var lobby = Lobby()
        lobby.wait(ConnectionKey(1), in: "s", Self.waiting("inv_b", since: "2027-01-01T00:00:02.000Z"))
        lobby.wait(ConnectionKey(2), in: "s", Self.waiting("inv_a", since: "2027-01-01T00:00:03.000Z"))
        lobby.wait(ConnectionKey(3), in: "s", Self.waiting("inv_a", since: "2027-01-01T00:00:01.000Z"))  // second device
        lobby.wait(ConnectionKey(4), in: "t", Self.waiting("inv_c", since: "2027-01-01T00:00:00.000Z"))
        #expect(lobby.waiting(in: "s").map(\.invite) == ["inv_a", "inv_b"])
        #expect(lobby.waiting(in: "s").first?.since == "2027-01-01T00:00:01.000Z")
        #expect(Set(lobby.take(invite: "inv_a", in: "s")) == [ConnectionKey(2), ConnectionKey(3)])
        #expect(lobby.waiting(in: "s").map(\.invite) == ["inv_b"])
        #expect(lobby.take(invite: "inv_c", in: "s").isEmpty)  // another session's
        #expect(lobby.isWaiting(ConnectionKey(4)) && !lobby.isWaiting(ConnectionKey(2)))
    }

    @Test func anEndedSessionLetsEveryoneGo() {
        var lobby = Lobby()
        lobby.wait(ConnectionKey(1), in: "s", Self.waiting("inv_a", since: "x"))
        lobby.wait(ConnectionKey(2), in: "s", Self.waiting("inv_b", since: "y"))
        lobby.wait(ConnectionKey(3), in: "t", Self.waiting("inv_c", since: "z"))
        #expect(Set(lobby.takeAll(in: "s")) == [ConnectionKey(1), ConnectionKey(2)])
        #expect(lobby.waiting(in: "s").isEmpty && lobby.isWaiting(ConnectionKey(3)))
    }

    @Test func leavingSaysWhichLobbyChanged() {
        var lobby = Lobby()
        lobby.wait(ConnectionKey(1), in: "s", Self.waiting("inv_a", since: "x"))
        #expect(lobby.leave(ConnectionKey(1)) == "s")
        #expect(lobby.leave(ConnectionKey(1)) == nil)
        #expect(lobby.waiting(in: "s").isEmpty)
        // Waiting again elsewhere moves the connection.
        lobby.wait(ConnectionKey(2), in: "s", Self.waiting("inv_a", since: "x"))
        lobby.wait(ConnectionKey(2), in: "t", Self.waiting("inv_a", since: "x"))
        #expect(lobby.waiting(in: "s").isEmpty && lobby.waiting(in: "t").count == 1)
    }

    @Test func theOfficersFrame() {
        var lobby = Lobby()
        lobby.wait(
            ConnectionKey(1), in: "ses_1",
            Lobby.Waiting(invite: "inv_a", name: "Sato", organisation: "Sato & Co", language: "ja", since: "t1"))
        #expect(
            lobby.frame(session: "ses_1")
                == [
                    "type": "lobby", "session": "ses_1",
                    "waiting": [["invite": "inv_a", "name": "Sato", "organisation": "Sato & Co", "language": "ja", "since": "t1"]],
                ])
        #expect(lobby.frame(session: "ses_2") == ["type": "lobby", "session": "ses_2", "waiting": []])
    }
}
