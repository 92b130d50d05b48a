import Dialogue
import HubCore
import Store
import Transport

/// The lobby (docs/protocol.md, "Lobby"): in a session with its lobby on, an investor is
/// welcomed with `"lobby": true` and nothing of the conversation until an officer admits
/// them; the officers of the session see who waits (`lobby` frames) and answer with `admit`
/// or `decline`, which are `moderation` events in the transcript. Each node keeps its own
/// waiting connections; a decision committed anywhere lets them in or turns them away.
extension DialogueHub {
    /// Welcomes an investor into the lobby: the session's name and time, no participants,
    /// no history; the officers are told who waits.
    func waitInLobby(_ id: ConnectionID, invite: Invite, participant: Participant) {
        guard let state = core.state(of: invite.session) else { return }
        var welcome = welcome(for: id, session: nil)
        if case .object(var members) = welcome {
            var info = state.info.json(participants: [])
            if case .object(var session) = info {
                session["participants"] = nil
                info = .object(session)
            }
            members["session"] = info
            members["lobby"] = true
            welcome = .object(members)
        }
        send(welcome, to: id)
        lobby.wait(
            id.key, in: invite.session,
            Lobby.Waiting(
                invite: invite.id, name: participant.name, organisation: invite.organisation,
                language: invite.language, since: Timestamp.now()))
        showLobby(invite.session)
    }

    /// Sends the session's officers (and interpreters) who waits now.
    func showLobby(_ sessionId: String) {
        let readers = core.readers(of: sessionId) { $0.seesDrafts }
        guard !readers.isEmpty else { return }
        transport.send(JSONWriter.bytes(lobby.frame(session: sessionId)), to: readers.map(\.id))
    }

    /// An `admit` or `decline` committed: the invite's connections waiting here come in
    /// (`admitted`, then the welcome, history and live events as for any investor) or are
    /// closed with the reason.
    func lobbyDecided(_ sessionId: String, invite: String, admitted: Bool) {
        let keys = lobby.take(invite: invite, in: sessionId)
        guard !keys.isEmpty else { return }
        for key in keys {
            let id = key.id
            guard case .investor(let stored)? = connections[id]?.identity else { continue }
            if admitted {
                send(["type": "admitted", "session": .string(sessionId)], to: id)
                admitInvestor(id, invite: stored, after: 0)
            } else {
                unauthorized("an officer declined your request to join this session", to: id)
            }
        }
        showLobby(sessionId)
    }
}
