import PostgresNIO
import Store

/// Presence shared by the nodes: table `presence` holds, per node, the participants it has a
/// connection of; `dialogue_nodes` holds each node's last heartbeat (PostgreSQL's clock, so
/// the nodes' clocks do not matter).
extension PostgresStore: PresenceBoard {
    /// The channel presence notices go on: `node:1|0:session:participant`, or `node:gone`.
    static let presenceChannel = "dialogue_presence"

    package var presence: (any PresenceBoard)? { self }

    package func publish(_ changes: [PresenceChange]) async throws {
        // Only each key's last change: PostgreSQL drops a NOTIFY repeating an earlier one of
        // the same transaction, so online, offline, online would arrive as online, offline.
        var last: [PresenceKey: Bool] = [:]
        var order: [PresenceKey] = []
        for change in changes {
            if last.updateValue(change.online, forKey: change.key) == nil { order.append(change.key) }
        }
        guard !order.isEmpty else { return }
        try await execute(
            """
            SELECT dialogue_presence(\(nodeId), \(order.map(\.session)), \(order.map(\.participant)),
              \(order.map { last[$0]! }), \(Self.presenceChannel))
            """, on: presenceClient)
    }

    package func replaceOwn(_ online: [PresenceKey]) async throws {
        let nodeId = nodeId
        try await transaction(on: presenceClient) { connection in
            try await connection.query("DELETE FROM presence WHERE node_id = \(nodeId)", logger: self.logger)
            try await connection.query(
                """
                INSERT INTO presence (node_id, session_id, participant_id)
                SELECT \(nodeId), s, p FROM unnest(\(online.map(\.session))::text[], \(online.map(\.participant))::text[]) AS t(s, p)
                ON CONFLICT DO NOTHING
                """, logger: self.logger)
        }
    }

    package func beat(timeout: Duration) async throws -> Bool {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        // Rows of nodes that are not in dialogue_nodes (written as their node was being
        // forgotten) go too; this node's own go when it had been forgotten, and it rewrites them.
        let rows = try await rows(
            """
            WITH gone AS (
              DELETE FROM dialogue_nodes WHERE seen < now() - make_interval(secs => timeout_s) AND node_id <> \(nodeId)
              RETURNING node_id),
            cleared AS (
              DELETE FROM presence p WHERE p.node_id IN (SELECT node_id FROM gone)
                OR NOT EXISTS (SELECT 1 FROM dialogue_nodes n WHERE n.node_id = p.node_id)),
            told AS (SELECT pg_notify(\(Self.presenceChannel), node_id || ':gone') FROM gone)
            INSERT INTO dialogue_nodes (node_id, seen, timeout_s) VALUES (\(nodeId), now(), \(seconds))
            ON CONFLICT (node_id) DO UPDATE SET seen = now(), timeout_s = excluded.timeout_s
            RETURNING (xmax = 0) AS inserted, (SELECT count(*) FROM told) AS forgotten
            """, on: presenceClient)
        guard let row = rows.first else { throw StoreError.writeFailed("the heartbeat returned no row") }
        return try row.decode((Bool, Int64).self).0
    }

    package func onlineElsewhere() async throws -> [String: [String: Set<String>]] {
        var online: [String: [String: Set<String>]] = [:]
        for row in try await rows(
            """
            SELECT p.session_id, p.participant_id, p.node_id FROM presence p JOIN dialogue_nodes n USING (node_id)
            WHERE p.node_id <> \(nodeId)
            """, on: presenceClient)
        {
            let (session, participant, node) = try row.decode((String, String, String).self)
            online[session, default: [:]][participant, default: []].insert(node)
        }
        return online
    }

    package func leave() async throws {
        let nodeId = nodeId
        try await transaction(on: presenceClient) { connection in
            try await connection.query("DELETE FROM presence WHERE node_id = \(nodeId)", logger: self.logger)
            try await connection.query("DELETE FROM dialogue_nodes WHERE node_id = \(nodeId)", logger: self.logger)
            try await connection.query(
                "SELECT pg_notify(\(Self.presenceChannel), \(nodeId) || ':gone')", logger: self.logger)
        }
    }

    /// `node:1|0:session:participant` or `node:gone` from another node → its notice.
    static func presenceNotice(_ payload: String, ignoring ownNode: String) -> CommitNotice? {
        let parts = payload.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] != ownNode else { return nil }
        let node = String(parts[0])
        if parts.count == 2, parts[1] == "gone" { return .nodeGone(node) }
        guard parts.count == 4, parts[1] == "1" || parts[1] == "0" else { return nil }
        return .presence(
            PresenceKey(session: String(parts[2]), participant: String(parts[3])), node: node, online: parts[1] == "1")
    }
}
