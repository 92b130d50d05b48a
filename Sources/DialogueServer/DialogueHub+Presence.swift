import Dialogue
import HubCore
import Store
import Transport

/// Presence across nodes, and whether the shared store is reachable. A participant is
/// online when a connection of theirs is open on this node (`onlineCount`) or on another
/// live node (`remotePresence`, kept from the other nodes' notices and the full read made
/// on every heartbeat). Only changes of the combined answer are announced.
extension DialogueHub {
    /// Whether the participant has a connection to the session on any node.
    func isOnline(_ sessionId: String, _ participantId: String) -> Bool { core.isOnline(sessionId, participantId) }

    /// Participants of the session connected on any node.
    func onlineParticipants(_ sessionId: String) -> Set<String> { core.onlineParticipants(sessionId) }

    /// Every participant connected through this node, for the shared board.
    func localPresence() -> [PresenceKey] {
        core.localPresence.map { PresenceKey(session: $0.session, participant: $0.participant) }
    }

    /// Another node announced a change.
    func presenceElsewhere(_ key: PresenceKey, node: String, online: Bool) {
        carryOut(core.presenceElsewhere(session: key.session, participant: key.participant, node: node, online: online))
    }

    /// A node stopped: nobody is connected through it any more.
    func nodeGone(_ node: String) {
        carryOut(core.nodeGone(node))
    }

    /// The heartbeat is about to read the whole board (see `reconcilePresence`).
    func presenceReadStarts() {
        core.presenceReadStarts()
    }

    /// The heartbeat's full read of the other nodes' presence replaces what notices built.
    func reconcilePresence(_ elsewhere: [String: [String: Set<String>]]) {
        carryOut(core.reconcilePresence(elsewhere))
    }

    // MARK: Reaching the store

    /// Whether this node currently reaches its shared store (always true for SQLite).
    var storeReachable: Bool { core.storeReachable }

    /// The notices' connection was lost (`interrupted`) or is back.
    func noticesConnection(up: Bool) {
        carryOut(core.noticesConnection(up: up))
    }

    /// The last heartbeat reached the store, or did not.
    func heartbeat(reached: Bool) {
        carryOut(core.heartbeat(reached: reached))
    }

    /// Tells every signed-in connection that the store became unreachable or reachable again.
    func announceReachability() {
        if storeReachable {
            logger.notice("the shared store is reachable again")
        } else {
            logger.error("the shared store is unreachable: nothing is acknowledged until it is back")
        }
        let frame = JSONWriter.bytes(serviceFrame)
        transport.send(frame, to: connections.signedIn.map(\.id))
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
