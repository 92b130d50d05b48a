import Dialogue
import Foundation
import GRDB

extension SQLiteStore {
    package func createSession(_ info: SessionInfo) async throws {
        try await writing { db in
            try db.execute(
                sql: """
                    INSERT INTO sessions (id, title, status, languages, agent, assistant, created_at, ended_at, created_by,
                      starts_at, ends_at, time_zone, schedule_sequence, lobby, cancelled_at, agenda, planned_at,
                      previous_starts_at, previous_ends_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    info.id, info.title, info.status.rawValue,
                    JSONWriter.string(.array(info.languages.map { .string($0) })),
                    info.agent, info.assistant.rawValue, info.createdAt, info.endedAt, info.createdBy,
                    info.schedule?.startsAt, info.schedule?.endsAt, info.schedule?.timeZone,
                    info.schedule?.sequence ?? 0, info.lobby, info.cancelledAt, info.agenda, info.schedule?.plannedAt,
                    info.schedule?.previousStartsAt, info.schedule?.previousEndsAt,
                ])
        }
    }

    package func session(id: String) async throws -> SessionInfo? {
        try await reading { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sessions WHERE id = ?", arguments: [id]).map(Self.sessionInfo)
        }
    }

    package func sessions(matching text: String?, status: SessionStatus?) async throws -> [SessionInfo] {
        try await reading { db in
            var sql = "SELECT * FROM sessions WHERE 1"
            var arguments: StatementArguments = []
            if let status {
                sql += " AND status = ?"
                arguments += [status.rawValue]
            }
            sql += " ORDER BY created_at DESC, id"
            let all = try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.sessionInfo)
            guard let text, !text.isEmpty else { return all }
            // In Swift, not SQL: SQLite's lower() folds ASCII only, and titles are Vietnamese.
            return all.filter { $0.title.range(of: text, options: [.caseInsensitive]) != nil }
        }
    }

    package func participants(session: String) async throws -> [Participant] {
        try await reading { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM participants WHERE session_id = ? ORDER BY first_seq", arguments: [session]
            ).map { row in
                Participant(
                    id: row["id"], role: Role(rawValue: row["role"]) ?? .investor, name: row["name"],
                    language: row["language"], organisation: row["organisation"], muted: row["muted"],
                    removed: row["removed"])
            }
        }
    }

    package func loadState(session: String) async throws -> SessionState? {
        try await reading { db in
            guard
                let info = try Row.fetchOne(db, sql: "SELECT * FROM sessions WHERE id = ?", arguments: [session])
                    .map(Self.sessionInfo)
            else { return nil }
            var state = SessionState(info: info)
            let bodies = try String.fetchCursor(
                db, sql: "SELECT body FROM events WHERE session_id = ? ORDER BY seq", arguments: [session])
            while let body = try bodies.next() {
                state.apply(try Event(storedBody: body))
            }
            return state
        }
    }

    static func sessionInfo(_ row: Row) -> SessionInfo {
        let languagesText: String = row["languages"]
        let languages = (try? JSONParser.parse(languagesText))?.arrayValue?.compactMap(\.stringValue) ?? []
        var schedule: SessionInfo.Schedule?
        if let startsAt: String = row["starts_at"], let endsAt: String = row["ends_at"] {
            schedule = SessionInfo.Schedule(
                startsAt: startsAt, endsAt: endsAt, timeZone: row["time_zone"] ?? "UTC", sequence: row["schedule_sequence"],
                plannedAt: row["planned_at"], previousStartsAt: row["previous_starts_at"],
                previousEndsAt: row["previous_ends_at"])
        }
        return SessionInfo(
            id: row["id"], title: row["title"], status: SessionStatus(rawValue: row["status"]) ?? .live,
            languages: languages, agent: row["agent"], assistant: AssistantMode(rawValue: row["assistant"]) ?? .review,
            createdAt: row["created_at"], endedAt: row["ended_at"], createdBy: row["created_by"], schedule: schedule,
            lobby: row["lobby"], cancelledAt: row["cancelled_at"], agenda: row["agenda"])
    }
}
