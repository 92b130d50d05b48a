/// The lobby (docs/protocol.md, "Lobby"): in a session with `lobby` on, an investor waits
/// until an officer admits them; both decisions are `moderation` events (`admit`,
/// `decline`) in the transcript, with the investor's invite id as `target`.
extension SessionState {
    /// Whether the investor of this invite may come in: the session has no lobby, an officer
    /// admitted them, or they joined before the lobby was switched on.
    package func isAdmitted(_ invite: String) -> Bool {
        !info.lobby || lobbyDecisions[invite] == true || (participant(invite).map { !$0.removed } ?? false)
    }

    /// Whether an officer declined this invite (and has not admitted it since).
    package func isDeclined(_ invite: String) -> Bool {
        lobbyDecisions[invite] == false && participant(invite) == nil
    }

    /// An officer admits (`admit: true`) or declines the investor of `invite`, named `name`
    /// as the lobby showed them.
    package mutating func decideLobby(
        by officer: Participant, invite: String, name: String, admit: Bool, at: String, ref: String? = nil
    ) throws(DialogueError) -> Event {
        try requireLiveState(ref: ref)
        guard info.lobby else { throw DialogueError(.conflict, "session \(info.id) has no lobby", ref: ref) }
        if let joined = participant(invite), !joined.removed {
            throw DialogueError(.conflict, "\(joined.name) is already in the session", ref: ref)
        }
        if lobbyDecisions[invite] == admit {
            throw DialogueError(.conflict, "\(name) was already \(admit ? "admitted" : "declined")", ref: ref)
        }
        return record(
            .moderation, by: officer, at: at,
            fields: ["action": .string(admit ? "admit" : "decline"), "target": .string(invite), "targetName": .string(name)])
    }
}
