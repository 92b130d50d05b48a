import Dialogue
import Foundation
import PostgresNIO
import Store
import HashChain

extension PostgresStore {
    package func createSession(_ info: SessionInfo) async throws {
        try await execute(try Self.createSessionQuery(info))
    }

    /// Inserts a session with its writers' lock row (the genesis head): dialogue_append then
    /// only locks existing rows, in one sorted pass, and two nodes' commits cannot deadlock.
    /// `migrate-store` creates the sessions it copies with it too.
    static func createSessionQuery(_ info: SessionInfo) throws -> PostgresQuery {
        let languages = JSONWriter.string(.array(info.languages.map { .string($0) }))
        return try """
            WITH created AS (
              INSERT INTO sessions (id, title, status, languages, agent, assistant, created_at, ended_at, created_by,
                starts_at, ends_at, time_zone, schedule_sequence, lobby, cancelled_at, agenda, planned_at,
                previous_starts_at, previous_ends_at)
              VALUES (\(info.id), \(info.title), \(info.status.rawValue), \(languages), \(info.agent),
                \(info.assistant.rawValue), \(info.createdAt), \(info.endedAt), \(info.createdBy),
                \(info.schedule?.startsAt), \(info.schedule?.endsAt), \(info.schedule?.timeZone),
                \(info.schedule?.sequence ?? 0), \(info.lobby), \(info.cancelledAt), \(info.agenda),
                \(info.schedule?.plannedAt), \(info.schedule?.previousStartsAt), \(info.schedule?.previousEndsAt))
              RETURNING id)
            INSERT INTO event_heads (session_id, seq, chain) SELECT id, 0, \(Data(HashChain.genesis)) FROM created
            """
    }

    package func session(id: String) async throws -> SessionInfo? {
        try await rows("SELECT \(unescaped: Self.sessionColumns) FROM sessions WHERE id = \(id)").first.map(Self.sessionInfo)
    }

    package func sessions(matching text: String?, status: SessionStatus?) async throws -> [SessionInfo] {
        let all: [SessionInfo]
        if let status {
            all = try await rows(
                """
                SELECT \(unescaped: Self.sessionColumns) FROM sessions WHERE status = \(status.rawValue)
                ORDER BY created_at DESC, id COLLATE "C"
                """
            ).map(Self.sessionInfo)
        } else {
            all = try await rows(
                "SELECT \(unescaped: Self.sessionColumns) FROM sessions ORDER BY created_at DESC, id COLLATE \"C\""
            ).map(Self.sessionInfo)
        }
        guard let text, !text.isEmpty else { return all }
        // In Swift, as with SQLite: the same case folding for Vietnamese titles on both stores.
        return all.filter { $0.title.range(of: text, options: [.caseInsensitive]) != nil }
    }

    package func participants(session: String) async throws -> [Participant] {
        try await rows(
            """
            SELECT id, role, name, language, organisation, muted, removed FROM participants
            WHERE session_id = \(session) ORDER BY first_seq
            """
        ).map { row in
            let (id, role, name, language, organisation, muted, removed) =
                try row.decode((String, String, String, String, String?, Bool, Bool).self)
            return Participant(
                id: id, role: Role(rawValue: role) ?? .investor, name: name, language: language,
                organisation: organisation, muted: muted, removed: removed)
        }
    }

    package func loadState(session: String) async throws -> SessionState? {
        guard let info = try await self.session(id: session) else { return nil }
        var state = SessionState(info: info)
        for row in try await rows("SELECT body FROM events WHERE session_id = \(session) ORDER BY seq") {
            state.apply(try Event(storedBody: row.decode(String.self)))
        }
        return state
    }

    package func sessionIds() async throws -> [String] {
        try await rows("SELECT id FROM sessions ORDER BY created_at, id COLLATE \"C\"").map { try $0.decode(String.self) }
    }

    static let sessionColumns = """
        id, title, status, languages, agent, assistant, created_at, ended_at, created_by, starts_at, ends_at, \
        time_zone, schedule_sequence, lobby, cancelled_at, agenda, planned_at, previous_starts_at, previous_ends_at
        """

    static func sessionInfo(_ row: PostgresRow) throws -> SessionInfo {
        let (
            id, title, status, languagesText, agent, assistant, createdAt, endedAt, createdBy, startsAt, endsAt,
            timeZone, sequence, lobby, cancelledAt, agenda, plannedAt, previousStartsAt, previousEndsAt
        ) = try row.decode(
            (
                String, String, String, String, String, String, String, String?, String, String?, String?, String?,
                Int32, Bool, String?, String?, String?, String?, String?
            ).self)
        let languages = (try? JSONParser.parse(languagesText))?.arrayValue?.compactMap(\.stringValue) ?? []
        var schedule: SessionInfo.Schedule?
        if let startsAt, let endsAt {
            schedule = SessionInfo.Schedule(
                startsAt: startsAt, endsAt: endsAt, timeZone: timeZone ?? "UTC", sequence: Int(sequence),
                plannedAt: plannedAt, previousStartsAt: previousStartsAt, previousEndsAt: previousEndsAt)
        }
        return SessionInfo(
            id: id, title: title, status: SessionStatus(rawValue: status) ?? .live, languages: languages,
            agent: agent, assistant: AssistantMode(rawValue: assistant) ?? .review, createdAt: createdAt,
            endedAt: endedAt, createdBy: createdBy, schedule: schedule, lobby: lobby, cancelledAt: cancelledAt,
            agenda: agenda)
    }
}
