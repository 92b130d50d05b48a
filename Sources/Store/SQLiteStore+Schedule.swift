import Dialogue
import Foundation
import GRDB

extension SQLiteStore {
    package func scheduledSessions(from: String, to: String) async throws -> [SessionInfo] {
        try await reading { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM sessions WHERE starts_at IS NOT NULL AND starts_at < ? AND ends_at > ?
                    ORDER BY starts_at, id
                    """,
                arguments: [to, from]
            ).map(Self.sessionInfo)
        }
    }

    package func reschedule(
        session: String, startsAt: String, endsAt: String, timeZone: String?, plannedAt: String
    ) async throws -> SessionInfo {
        try await movingScheduled(session) { db in
            try db.execute(
                sql: """
                    UPDATE sessions SET previous_starts_at = starts_at, previous_ends_at = ends_at,
                      starts_at = ?, ends_at = ?, time_zone = COALESCE(?, time_zone),
                      schedule_sequence = schedule_sequence + 1, planned_at = ?
                    WHERE id = ? AND status = 'scheduled'
                    """,
                arguments: [startsAt, endsAt, timeZone, plannedAt, session])
        }
    }

    package func openSession(_ session: String) async throws -> SessionInfo {
        try await movingScheduled(session) { db in
            try db.execute(sql: "UPDATE sessions SET status = 'live' WHERE id = ? AND status = 'scheduled'", arguments: [session])
        }
    }

    package func cancelSession(_ session: String, at: String) async throws -> SessionInfo {
        try await movingScheduled(session) { db in
            try db.execute(
                sql: """
                    UPDATE sessions SET status = 'cancelled', cancelled_at = ?, schedule_sequence = schedule_sequence + 1
                    WHERE id = ? AND status = 'scheduled'
                    """,
                arguments: [at, session])
        }
    }

    package func sessionsToOpen(now: String) async throws -> [String] {
        try await reading { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM sessions WHERE status = 'scheduled' AND starts_at <= ? ORDER BY starts_at, id",
                arguments: [now])
        }
    }

    package func extendInvites(session: String, until: String) async throws {
        try await writing { db in
            try db.execute(
                sql: "UPDATE invites SET expires_at = ? WHERE session_id = ? AND revoked_at IS NULL AND expires_at < ?",
                arguments: [until, session, until])
        }
    }

    package func sealInviteCode(invite: String, sealed: [UInt8]) async throws {
        try await writing { db in
            try db.execute(sql: "UPDATE invites SET code_sealed = ? WHERE id = ?", arguments: [Data(sealed), invite])
        }
    }

    /// Runs `update` (a write conditional on `status = 'scheduled'`) and returns the session
    /// as it is after it; `notFound` or `conflict` (naming the status) when nothing changed.
    private func movingScheduled(_ session: String, _ update: @escaping @Sendable (Database) throws -> Void)
        async throws -> SessionInfo
    {
        try await writing { db in
            try update(db)
            let changed = db.changesCount > 0
            guard let info = try Row.fetchOne(db, sql: "SELECT * FROM sessions WHERE id = ?", arguments: [session])
                .map(Self.sessionInfo)
            else { throw StoreError.notFound("session \(session)") }
            guard changed else { throw StoreError.conflict("session \(session) is \(info.status.rawValue), not scheduled") }
            return info
        }
    }
}
