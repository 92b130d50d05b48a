import Dialogue
import Foundation
import GRDB

extension SQLiteStore {
    package func createRequest(_ request: MeetingRequest) async throws {
        try await writing { db in
            try db.execute(
                sql: """
                    INSERT INTO meeting_requests (id, agent, name, organisation, email, language, time_zone, topic, slots,
                      message, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    request.id, request.agent, request.name, request.organisation, request.email, request.language,
                    request.timeZone, request.topic, JSONWriter.string(.array(request.slots.map { .string($0) })),
                    request.message, request.status.rawValue, request.createdAt,
                ])
        }
    }

    package func requests(status: MeetingRequest.Status?, limit: Int) async throws -> [MeetingRequest] {
        try await reading { db in
            if let status {
                return try Row.fetchAll(
                    db, sql: "SELECT * FROM meeting_requests WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ?",
                    arguments: [status.rawValue, limit]
                ).map(Self.meetingRequest)
            }
            return try Row.fetchAll(
                db, sql: "SELECT * FROM meeting_requests ORDER BY created_at DESC, id DESC LIMIT ?", arguments: [limit]
            ).map(Self.meetingRequest)
        }
    }

    package func request(id: String) async throws -> MeetingRequest? {
        try await reading { db in
            try Row.fetchOne(db, sql: "SELECT * FROM meeting_requests WHERE id = ?", arguments: [id]).map(Self.meetingRequest)
        }
    }

    package func decideRequest(
        id: String, status: MeetingRequest.Status, by staff: String, at: String, session: String?, reason: String?
    ) async throws -> MeetingRequest {
        try await writing { db in
            try db.execute(
                sql: """
                    UPDATE meeting_requests SET status = ?, decided_at = ?, decided_by = ?, session_id = ?, decline_reason = ?
                    WHERE id = ? AND status = 'pending'
                    """,
                arguments: [status.rawValue, at, staff, session, reason, id])
            let changed = db.changesCount > 0
            guard let request = try Row.fetchOne(db, sql: "SELECT * FROM meeting_requests WHERE id = ?", arguments: [id])
                .map(Self.meetingRequest)
            else { throw StoreError.notFound("request \(id)") }
            guard changed else { throw StoreError.conflict("request \(id) was \(request.status.rawValue) already") }
            return request
        }
    }

    package func reopenRequest(id: String, session: String) async throws {
        try await writing { db in
            try db.execute(
                sql: """
                    UPDATE meeting_requests SET status = 'pending', decided_at = NULL, decided_by = NULL, session_id = NULL
                    WHERE id = ? AND status = 'accepted' AND session_id = ?
                    """,
                arguments: [id, session])
        }
    }

    static func meetingRequest(_ row: Row) -> MeetingRequest {
        let slotsText: String = row["slots"]
        return MeetingRequest(
            id: row["id"], agent: row["agent"], name: row["name"], organisation: row["organisation"], email: row["email"],
            language: row["language"], timeZone: row["time_zone"], topic: row["topic"],
            slots: (try? JSONParser.parse(slotsText))?.arrayValue?.compactMap(\.stringValue) ?? [],
            message: row["message"], status: MeetingRequest.Status(rawValue: row["status"]) ?? .pending,
            createdAt: row["created_at"], decidedAt: row["decided_at"], decidedBy: row["decided_by"],
            session: row["session_id"], declineReason: row["decline_reason"])
    }
}
