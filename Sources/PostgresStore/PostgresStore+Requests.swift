import Dialogue
import Foundation
import PostgresNIO
import Store

extension PostgresStore {
    package func createRequest(_ request: MeetingRequest) async throws {
        let slots = JSONWriter.string(.array(request.slots.map { .string($0) }))
        try await execute(
            """
            INSERT INTO meeting_requests (id, agent, name, organisation, email, language, time_zone, topic, slots, message,
              status, created_at)
            VALUES (\(request.id), \(request.agent), \(request.name), \(request.organisation), \(request.email),
              \(request.language), \(request.timeZone), \(request.topic), \(slots), \(request.message),
              \(request.status.rawValue), \(request.createdAt))
            """)
    }

    package func requests(status: MeetingRequest.Status?, limit: Int) async throws -> [MeetingRequest] {
        if let status {
            return try await rows(
                """
                SELECT \(unescaped: Self.requestColumns) FROM meeting_requests WHERE status = \(status.rawValue)
                ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT \(Int64(limit))
                """
            ).map(Self.meetingRequest)
        }
        return try await rows(
            """
            SELECT \(unescaped: Self.requestColumns) FROM meeting_requests
            ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT \(Int64(limit))
            """
        ).map(Self.meetingRequest)
    }

    package func request(id: String) async throws -> MeetingRequest? {
        try await rows("SELECT \(unescaped: Self.requestColumns) FROM meeting_requests WHERE id = \(id)")
            .first.map(Self.meetingRequest)
    }

    package func decideRequest(
        id: String, status: MeetingRequest.Status, by staff: String, at: String, session: String?, reason: String?
    ) async throws -> MeetingRequest {
        if let changed = try await rows(
            """
            UPDATE meeting_requests SET status = \(status.rawValue), decided_at = \(at), decided_by = \(staff),
              session_id = \(session), decline_reason = \(reason)
            WHERE id = \(id) AND status = 'pending'
            RETURNING \(unescaped: Self.requestColumns)
            """
        ).first {
            return try Self.meetingRequest(changed)
        }
        guard let request = try await self.request(id: id) else { throw StoreError.notFound("request \(id)") }
        throw StoreError.conflict("request \(id) was \(request.status.rawValue) already")
    }

    package func reopenRequest(id: String, session: String) async throws {
        try await execute(
            """
            UPDATE meeting_requests SET status = 'pending', decided_at = NULL, decided_by = NULL, session_id = NULL
            WHERE id = \(id) AND status = 'accepted' AND session_id = \(session)
            """)
    }

    static let requestColumns = """
        id, agent, name, organisation, email, language, time_zone, topic, slots, message, status, created_at, \
        decided_at, decided_by, session_id, decline_reason
        """

    static func meetingRequest(_ row: PostgresRow) throws -> MeetingRequest {
        let (
            id, agent, name, organisation, email, language, timeZone, topic, slots, message, status, createdAt,
            decidedAt, decidedBy, session, declineReason
        ) = try row.decode(
            (
                String, String, String, String, String, String, String, String, String, String, String, String,
                String?, String?, String?, String?
            ).self)
        return MeetingRequest(
            id: id, agent: agent, name: name, organisation: organisation, email: email, language: language,
            timeZone: timeZone, topic: topic,
            slots: (try? JSONParser.parse(slots))?.arrayValue?.compactMap(\.stringValue) ?? [], message: message,
            status: MeetingRequest.Status(rawValue: status) ?? .pending, createdAt: createdAt, decidedAt: decidedAt,
            decidedBy: decidedBy, session: session, declineReason: declineReason)
    }
}
