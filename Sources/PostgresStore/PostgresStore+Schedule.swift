import Dialogue
import Foundation
import PostgresNIO
import Store

extension PostgresStore {
    package func scheduledSessions(from: String, to: String) async throws -> [SessionInfo] {
        try await rows(
            """
            SELECT \(unescaped: Self.sessionColumns) FROM sessions
            WHERE starts_at IS NOT NULL AND starts_at < \(to) AND ends_at > \(from)
            ORDER BY starts_at, id COLLATE "C"
            """
        ).map(Self.sessionInfo)
    }

    package func reschedule(
        session: String, startsAt: String, endsAt: String, timeZone: String?, plannedAt: String
    ) async throws -> SessionInfo {
        try await movingScheduled(
            session,
            """
            UPDATE sessions SET previous_starts_at = starts_at, previous_ends_at = ends_at,
              starts_at = \(startsAt), ends_at = \(endsAt), time_zone = COALESCE(\(timeZone), time_zone),
              schedule_sequence = schedule_sequence + 1, planned_at = \(plannedAt)
            WHERE id = \(session) AND status = 'scheduled'
            RETURNING \(unescaped: Self.sessionColumns)
            """)
    }

    package func openSession(_ session: String) async throws -> SessionInfo {
        try await movingScheduled(
            session,
            """
            UPDATE sessions SET status = 'live' WHERE id = \(session) AND status = 'scheduled'
            RETURNING \(unescaped: Self.sessionColumns)
            """)
    }

    package func cancelSession(_ session: String, at: String) async throws -> SessionInfo {
        try await movingScheduled(
            session,
            """
            UPDATE sessions SET status = 'cancelled', cancelled_at = \(at), schedule_sequence = schedule_sequence + 1
            WHERE id = \(session) AND status = 'scheduled'
            RETURNING \(unescaped: Self.sessionColumns)
            """)
    }

    package func sessionsToOpen(now: String) async throws -> [String] {
        try await rows(
            """
            SELECT id FROM sessions WHERE status = 'scheduled' AND starts_at <= \(now) ORDER BY starts_at, id COLLATE "C"
            """
        ).map { try $0.decode(String.self) }
    }

    package func extendInvites(session: String, until: String) async throws {
        try await execute(
            """
            UPDATE invites SET expires_at = \(until)
            WHERE session_id = \(session) AND revoked_at IS NULL AND expires_at < \(until) COLLATE "C"
            """)
    }

    package func sealInviteCode(invite: String, sealed: [UInt8]) async throws {
        try await execute("UPDATE invites SET code_sealed = \(Data(sealed)) WHERE id = \(invite)")
    }

    /// Runs `update` (conditional on `status = 'scheduled'`, returning the row) and tells the
    /// other nodes at commit, so their sessions in memory follow; `notFound` or `conflict`
    /// (naming the status) when no row changed.
    private func movingScheduled(_ session: String, _ update: PostgresQuery) async throws -> SessionInfo {
        let (logger, node) = (logger, nodeId)
        let changed = try await transaction { connection -> SessionInfo? in
            var changed: SessionInfo?
            for try await row in try await connection.query(update, logger: logger) {
                changed = try Self.sessionInfo(row)
            }
            guard changed != nil else { return nil }
            try await connection.query(
                "SELECT pg_notify(\(Self.scheduleChannel), \(node) || ':' || \(session))", logger: logger)
            return changed
        }
        if let changed { return changed }
        guard let info = try await self.session(id: session) else { throw StoreError.notFound("session \(session)") }
        throw StoreError.conflict("session \(session) is \(info.status.rawValue), not scheduled")
    }
}
