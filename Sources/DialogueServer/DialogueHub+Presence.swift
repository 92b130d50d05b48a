import Dialogue
import Store
import Transport

/// Presence across nodes, and whether the shared store is reachable. A participant is
/// online when a connection of theirs is open on this node (`onlineCount`) or on another
/// live node (`remotePresence`, kept from the other nodes' notices and the full read made
/// on every heartbeat). Only changes of the combined answer are announced.
extension DialogueHub {
    /// Whether the participant has a connection to the session on any node.
    func isOnline(_ sessionId: String, _ participantId: String) -> Bool {
        sessions[sessionId]?.onlineCount[participantId] != nil
            || !(remotePresence[sessionId]?[participantId]?.isEmpty ?? true)
    }

    /// Participants of the session connected on any node.
    func onlineParticipants(_ sessionId: String) -> Set<String> {
        var online = Set(sessions[sessionId]?.onlineCount.keys.map { $0 } ?? [])
        for (participant, nodes) in remotePresence[sessionId] ?? [:] where !nodes.isEmpty { online.insert(participant) }
        return online
    }

    /// This node's first connection of a participant to a session opened, or its last closed.
    func localPresenceChanged(_ sessionId: String, _ participantId: String, online: Bool) {
        nodePresence?.record(PresenceChange(PresenceKey(session: sessionId, participant: participantId), online: online))
    }

    /// Every participant connected through this node, for the shared board.
    func localPresence() -> [PresenceKey] {
        sessions.flatMap { sessionId, session in
            session.onlineCount.keys.map { PresenceKey(session: sessionId, participant: $0) }
        }
    }

    /// Another node announced a change.
    func presenceElsewhere(_ key: PresenceKey, node: String, online: Bool) {
        presenceNoticedDuringRead?.insert(key.session)
        changingPresence(in: [key.session]) { remote in
            if online {
                remote[key.session, default: [:]][key.participant, default: []].insert(node)
            } else {
                remote[key.session]?[key.participant]?.remove(node)
            }
        }
    }

    /// A node stopped: nobody is connected through it any more.
    func nodeGone(_ node: String) {
        let touched = remotePresence.filter { $0.value.values.contains { $0.contains(node) } }.keys
        presenceNoticedDuringRead?.formUnion(touched)
        changingPresence(in: Array(touched)) { remote in
            for session in touched {
                for (participant, nodes) in remote[session]! where nodes.contains(node) {
                    remote[session]![participant]!.remove(node)
                }
            }
        }
    }

    /// The heartbeat is about to read the whole board (see `reconcilePresence`).
    func presenceReadStarts() {
        presenceNoticedDuringRead = []
    }

    /// The heartbeat's full read of the other nodes' presence replaces what notices built
    /// (it corrects notices lost while the database was unreachable). Sessions a notice
    /// changed while the read was out keep the notice's newer word.
    func reconcilePresence(_ elsewhere: [String: [String: Set<String>]]) {
        let keep = presenceNoticedDuringRead ?? []
        presenceNoticedDuringRead = nil
        let sessionIds = Set(remotePresence.keys).union(elsewhere.keys).subtracting(keep)
        changingPresence(in: Array(sessionIds)) { remote in
            for sessionId in sessionIds { remote[sessionId] = elsewhere[sessionId] }
        }
    }

    /// Applies `change`, which touches only `sessionIds`, to `remotePresence`, and announces,
    /// in those of them loaded here, each participant whose combined presence changed.
    private func changingPresence(
        in sessionIds: [String], _ change: (inout [String: [String: Set<String>]]) -> Void
    ) {
        let before = sessionIds.map { remotePresence[$0] ?? [:] }
        change(&remotePresence)
        for (sessionId, was) in zip(sessionIds, before) {
            // Empty entries go, so the map holds only who is connected somewhere.
            let now = remotePresence[sessionId]?.filter { !$0.value.isEmpty } ?? [:]
            remotePresence[sessionId] = now.isEmpty ? nil : now
            guard let session = sessions[sessionId] else { continue }
            for participant in Set(was.keys).union(now.keys) where session.onlineCount[participant] == nil {
                if (was[participant]?.isEmpty ?? true) != (now[participant]?.isEmpty ?? true) {
                    broadcastPresence(sessionId, participantId: participant)
                }
            }
        }
    }

    // MARK: Reaching the store

    /// Whether this node currently reaches its shared store (always true for SQLite).
    var storeReachable: Bool { !noticesInterrupted && !heartbeatFailing }

    /// The notices' connection was lost (`interrupted`) or is back.
    func noticesConnection(up: Bool) {
        let was = storeReachable
        noticesInterrupted = !up
        announceReachability(was: was)
    }

    /// The last heartbeat reached the store, or did not.
    func heartbeat(reached: Bool) {
        let was = storeReachable
        heartbeatFailing = !reached
        announceReachability(was: was)
    }

    /// Tells every signed-in connection when the store becomes unreachable or reachable again.
    private func announceReachability(was: Bool) {
        guard storeReachable != was else { return }
        if storeReachable {
            logger.notice("the shared store is reachable again")
        } else {
            logger.error("the shared store is unreachable: nothing is acknowledged until it is back")
        }
        let frame = JSONWriter.bytes(serviceFrame)
        transport.send(frame, to: connections.filter { $0.value.identity != nil }.map(\.key))
    }

    /// `service`: whether messages can be stored now. Sent on every change, and after
    /// `welcome` while the store is unreachable.
    var serviceFrame: JSONValue {
        storeReachable
            ? ["type": "service", "store": "available", "message": "Messages are being stored again."]
            : [
                "type": "service", "store": "unavailable",
                "message":
                    "This server cannot reach its database: messages are not acknowledged until it is back. Reconnect to continue on another server, or wait.",
            ]
    }
}
