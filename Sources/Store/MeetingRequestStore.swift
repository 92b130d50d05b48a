import Dialogue

/// An investor's request for a meeting, from the public page `/request`, until an officer
/// accepts one of its slots (a scheduled session is created) or declines it.
package struct MeetingRequest: Sendable, Equatable {
    package enum Status: String, Sendable, Codable, CaseIterable {
        case pending, accepted, declined
    }

    /// `req_…`.
    package var id: String
    /// The agent pack whose desks the topic comes from.
    package var agent: String
    package var name: String
    package var organisation: String
    package var email: String
    package var language: String
    /// The investor's IANA zone (their slots were chosen in it).
    package var timeZone: String
    /// A desk id of the pack.
    package var topic: String
    /// Up to three proposed starts, RFC 3339 UTC.
    package var slots: [String]
    package var message: String
    package var status: Status
    package var createdAt: String
    package var decidedAt: String?
    /// Staff account id.
    package var decidedBy: String?
    /// The session created when accepted.
    package var session: String?
    /// The phrase id chosen when declined.
    package var declineReason: String?

    package init(
        id: String, agent: String, name: String, organisation: String, email: String, language: String,
        timeZone: String, topic: String, slots: [String], message: String, status: Status = .pending,
        createdAt: String, decidedAt: String? = nil, decidedBy: String? = nil, session: String? = nil,
        declineReason: String? = nil
    ) {
        self.id = id
        self.agent = agent
        self.name = name
        self.organisation = organisation
        self.email = email
        self.language = language
        self.timeZone = timeZone
        self.topic = topic
        self.slots = slots
        self.message = message
        self.status = status
        self.createdAt = createdAt
        self.decidedAt = decidedAt
        self.decidedBy = decidedBy
        self.session = session
        self.declineReason = declineReason
    }

    /// The request as `GET /v1/requests` shows it.
    package var json: JSONValue {
        .object([
            "id": .string(id), "agent": .string(agent), "name": .string(name), "organisation": .string(organisation),
            "email": .string(email), "language": .string(language), "timeZone": .string(timeZone),
            "topic": .string(topic), "slots": .array(slots.map { .string($0) }), "message": .string(message),
            "status": .string(status.rawValue), "createdAt": .string(createdAt),
            "decidedAt": decidedAt.map(JSONValue.string) ?? .null, "decidedBy": decidedBy.map(JSONValue.string) ?? .null,
            "session": session.map(JSONValue.string) ?? .null,
            "declineReason": declineReason.map(JSONValue.string) ?? .null,
        ])
    }
}

/// Investors' meeting requests (docs/protocol.md, "Meeting requests").
package protocol MeetingRequestStore: ClosableStore {
    /// Stores a new request.
    func createRequest(_ request: MeetingRequest) async throws
    /// Requests, newest first, with the given status only when one is given.
    func requests(status: MeetingRequest.Status?, limit: Int) async throws -> [MeetingRequest]
    /// One request.
    func request(id: String) async throws -> MeetingRequest?
    /// Decides a pending request (accepted with its session, or declined with its reason).
    /// Throws `notFound`, or `conflict` when it was decided already.
    func decideRequest(
        id: String, status: MeetingRequest.Status, by staff: String, at: String, session: String?, reason: String?
    ) async throws -> MeetingRequest
    /// Puts an accepted request back to pending when its session `session` could not be
    /// made (only that acceptance: a later decision is left as it is).
    func reopenRequest(id: String, session: String) async throws
}
