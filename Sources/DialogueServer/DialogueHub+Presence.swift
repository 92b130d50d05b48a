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
        changingPresence { remote in
            if online {
                remote[key.session, default: [:]][key.participant, default: []].insert(node)
            } else {
                remote[key.session]?[key.participant]?.remove(node)
            }
        }
    }

    /// A node stopped: nobody is connected through it any more.
    func nodeGone(_ node: String) {
        changingPresence { remote in
            for (session, participants) in remote {
                for (participant, nodes) in participants where nodes.contains(node) {
                    remote[session]![participant]!.remove(node)
                }
            }
        }
    }

    /// The heartbeat's full read of the other nodes' presence replaces what notices built
    /// (it corrects notices lost while the database was unreachable).
    func reconcilePresence(_ elsewhere: [String: [String: Set<String>]]) {
        changingPresence { remote in remote = elsewhere }
    }

    /// Applies `change` to `remotePresence` and announces, in sessions loaded here, each
    /// participant whose combined presence changed.
    private func changingPresence(_ change: (inout [String: [String: Set<String>]]) -> Void) {
        let before = remotePresence
        change(&remotePresence)
        for sessionId in Set(before.keys).union(remotePresence.keys) {
            // Empty entries go, so the map holds only who is connected somewhere.
            remotePresence[sessionId] = remotePresence[sessionId]?.filter { !$0.value.isEmpty }
            if remotePresence[sessionId]?.isEmpty == true { remotePresence[sessionId] = nil }
            guard let session = sessions[sessionId] else { continue }
            let participants = Set(before[sessionId]?.keys.map { $0 } ?? []).union(
                remotePresence[sessionId]?.keys.map { $0 } ?? [])
            for participant in participants where session.onlineCount[participant] == nil {
                let was = !(before[sessionId]?[participant]?.isEmpty ?? true)
                let now = !(remotePresence[sessionId]?[participant]?.isEmpty ?? true)
                if was != now { broadcastPresence(sessionId, participantId: participant) }
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
