/// Who is connected where, for a store several nodes share. Each node keeps its own rows
/// (session, participant) for the participants connected to it, marks itself alive on a
/// heartbeat, and forgets nodes that stopped beating, so a node killed without warning does
/// not leave its people "online" for ever.
package protocol PresenceBoard: Sendable {
    /// Records this node's changes, in order, and announces each to the other nodes
    /// (`CommitNotice.presence`). Repeating a change is harmless.
    func publish(_ changes: [PresenceChange]) async throws
    /// Replaces everything this node recorded with `online` (after its rows may have been
    /// lost: at start, after an outage, after other nodes took it for dead).
    func replaceOwn(_ online: [PresenceKey]) async throws
    /// Marks this node alive, to be forgotten if silent for longer than `timeout`, and
    /// forgets the nodes silent for longer than their own, with their rows. Returns true
    /// when this node had itself been forgotten (its rows are gone; call `replaceOwn`).
    func beat(timeout: Duration) async throws -> Bool
    /// Every participant connected through another live node: session → participant → nodes.
    func onlineElsewhere() async throws -> [String: [String: Set<String>]]
    /// Forgets this node and its rows (a clean stop), so other nodes need not wait it out.
    func leave() async throws
}

/// One participant of one session.
package struct PresenceKey: Sendable, Hashable {
    package var session: String
    package var participant: String

    package init(session: String, participant: String) {
        self.session = session
        self.participant = participant
    }
}

/// A participant's first connection to a session on this node opened, or the last closed.
package struct PresenceChange: Sendable, Equatable {
    package var key: PresenceKey
    package var online: Bool

    package init(_ key: PresenceKey, online: Bool) {
        self.key = key
        self.online = online
    }
}
