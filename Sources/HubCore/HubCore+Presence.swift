import Dialogue

/// Presence across nodes. A participant is online when a connection of theirs reads the
/// session on this node (`onlineCount`) or on another live node (`remotePresence`, kept
/// from the other nodes' notices and the full read made on every heartbeat). Only changes
/// of the combined answer are announced.
extension HubCore {
    /// Whether the participant has a connection to the session on any node.
    package func isOnline(_ sessionId: String, _ participantId: String) -> Bool {
        guard !isOver(sessionId) else { return false }
        return sessions[sessionId]?.onlineCount[participantId] != nil
            || !(remotePresence[sessionId]?[participantId]?.isEmpty ?? true)
    }

    /// Presence is about a meeting under way: once it ended (or was cancelled) nobody is in
    /// it any more, whoever still has its page open.
    func isOver(_ sessionId: String) -> Bool {
        guard let status = sessions[sessionId]?.state.info.status else { return false }
        return !status.takesMessages
    }

    /// Participants of the session connected on any node (none once it is over).
    package func onlineParticipants(_ sessionId: String) -> Set<String> {
        guard !isOver(sessionId) else { return [] }
        var online = Set(sessions[sessionId]?.onlineCount.keys.map { $0 } ?? [])
        for (participant, nodes) in remotePresence[sessionId] ?? [:] where !nodes.isEmpty { online.insert(participant) }
        return online
    }

    /// Every (session, participant) connected through this node, for the shared board.
    package var localPresence: [(session: String, participant: String)] {
        sessions.flatMap { sessionId, session in session.onlineCount.keys.map { (session: sessionId, participant: $0) } }
    }

    /// The `presence` announcement of a participant to a session's readers: the session's
    /// participant record, else a reader's, else `fallback`.
    func presence(
        _ sessionId: String, _ participantId: String, excluding: ConnectionKey? = nil, fallback: Participant? = nil
    ) -> HubAction<Work>? {
        guard let session = sessions[sessionId] else { return nil }
        let found =
            session.state.participant(participantId)
            ?? session.speakers.values.first { $0.id == participantId } ?? fallback
        guard let participant = found else { return nil }
        let to = session.members.keys.filter { $0 != excluding }
        return .presence(session: sessionId, participant: participant, online: isOnline(sessionId, participantId), to: to)
    }

    /// Another node announced a participant online or offline.
    package mutating func presenceElsewhere(
        session sessionId: String, participant: String, node: String, online: Bool
    ) -> [HubAction<Work>] {
        presenceNoticedDuringRead?.insert(sessionId)
        return changingPresence(in: [sessionId]) { remote in
            if online {
                remote[sessionId, default: [:]][participant, default: []].insert(node)
            } else {
                remote[sessionId]?[participant]?.remove(node)
            }
        }
    }

    /// A node stopped: nobody is connected through it any more.
    package mutating func nodeGone(_ node: String) -> [HubAction<Work>] {
        let touched = remotePresence.filter { $0.value.values.contains { $0.contains(node) } }.keys.sorted()
        presenceNoticedDuringRead?.formUnion(touched)
        return changingPresence(in: touched) { remote in
            for session in touched {
                for participant in remote[session].map({ Array($0.keys) }) ?? [] {
                    remote[session]?[participant]?.remove(node)
                }
            }
        }
    }

    /// The heartbeat is about to read the whole board (see `reconcilePresence`).
    package mutating func presenceReadStarts() {
        presenceNoticedDuringRead = []
    }

    /// The heartbeat's full read of the other nodes' presence replaces what notices built
    /// (it corrects notices lost while the store was unreachable). Sessions a notice changed
    /// while the read was out keep the notice's newer word.
    package mutating func reconcilePresence(_ elsewhere: [String: [String: Set<String>]]) -> [HubAction<Work>] {
        let keep = presenceNoticedDuringRead ?? []
        presenceNoticedDuringRead = nil
        let sessionIds = Set(remotePresence.keys).union(elsewhere.keys).subtracting(keep).sorted()
        return changingPresence(in: sessionIds) { remote in
            for sessionId in sessionIds { remote[sessionId] = elsewhere[sessionId] }
        }
    }

    /// Applies `change`, which touches only `sessionIds`, to `remotePresence`, and announces,
    /// in those of them in memory here, each participant whose combined presence changed.
    private mutating func changingPresence(
        in sessionIds: [String], _ change: (inout [String: [String: Set<String>]]) -> Void
    ) -> [HubAction<Work>] {
        let before = sessionIds.map { remotePresence[$0] ?? [:] }
        change(&remotePresence)
        var actions: [HubAction<Work>] = []
        for (sessionId, was) in zip(sessionIds, before) {
            // Empty entries go, so the map holds only who is connected somewhere.
            let now = remotePresence[sessionId]?.filter { !$0.value.isEmpty } ?? [:]
            remotePresence[sessionId] = now.isEmpty ? nil : now
            guard let session = sessions[sessionId] else { continue }
            for participant in Set(was.keys).union(now.keys).sorted() where session.onlineCount[participant] == nil {
                if (was[participant]?.isEmpty ?? true) != (now[participant]?.isEmpty ?? true),
                    let presence = presence(sessionId, participant)
                {
                    actions.append(presence)
                }
            }
        }
        return actions
    }
}
