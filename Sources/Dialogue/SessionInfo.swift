/// Where a session is in its life: on the calendar (`scheduled`), open (`live`), over
/// (`ended`), or called off before it began (`cancelled`). See `SessionSchedule` (Scheduling)
/// for the moves between them.
package enum SessionStatus: String, Sendable, Codable, CaseIterable {
    case scheduled, live, ended, cancelled

    /// Whether the conversation takes messages: a scheduled meeting can be joined early
    /// (as in Teams or Zoom; its lobby, when on, is what keeps investors waiting).
    package var takesMessages: Bool { self == .live || self == .scheduled }
}

/// How the assistant's answers reach the session (contract: `auto|review|off`).
package enum AssistantMode: String, Sendable, Codable {
    case auto, review, off
}

/// A session's settings and life cycle, as created over HTTP.
package struct SessionInfo: Sendable, Equatable {
    /// `ses_…`.
    package var id: String
    /// What the meeting is about.
    package var title: String
    /// `scheduled`, `live`, `ended` or `cancelled`.
    package var status: SessionStatus
    /// Languages the session is held in.
    package var languages: [String]
    /// The agent pack answering in it.
    package var agent: String
    /// The assistant's mode.
    package var assistant: AssistantMode
    /// RFC 3339 creation time.
    package var createdAt: String
    /// RFC 3339 end time, once ended.
    package var endedAt: String?
    /// Staff account that created it.
    package var createdBy: String
    /// When the meeting is planned, if it is: RFC 3339 start and end, and the organiser's
    /// IANA time zone (what invitations show beside the investor's own).
    package var schedule: Schedule?
    /// Whether investors wait in a lobby until an officer admits them.
    package var lobby: Bool
    /// RFC 3339, once cancelled.
    package var cancelledAt: String?
    /// What the meeting will cover, as the invitations show it.
    package var agenda: String?

    /// A session's place on the calendar.
    package struct Schedule: Sendable, Equatable {
        package var startsAt: String
        package var endsAt: String
        package var timeZone: String
        /// Raised at every change of time or cancellation: the iCalendar `SEQUENCE` the
        /// invitations carry, so calendars replace the older copy.
        package var sequence: Int
        /// RFC 3339: when this time was set (created or moved). A reminder whose moment had
        /// passed by then is moot: the invitation or the update has just told the investor.
        package var plannedAt: String?
        /// The time before the last move (RFC 3339 UTC), which an update mail states; nil
        /// before any move.
        package var previousStartsAt: String?
        package var previousEndsAt: String?

        package init(
            startsAt: String, endsAt: String, timeZone: String, sequence: Int = 0, plannedAt: String? = nil,
            previousStartsAt: String? = nil, previousEndsAt: String? = nil
        ) {
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.timeZone = timeZone
            self.sequence = sequence
            self.plannedAt = plannedAt
            self.previousStartsAt = previousStartsAt
            self.previousEndsAt = previousEndsAt
        }

        /// The time before the last move, as a schedule in the same zone; nil before any move.
        package var previous: Schedule? {
            guard let previousStartsAt, let previousEndsAt else { return nil }
            return Schedule(startsAt: previousStartsAt, endsAt: previousEndsAt, timeZone: timeZone, sequence: sequence - 1)
        }
    }

    package init(
        id: String, title: String, status: SessionStatus = .live, languages: [String], agent: String,
        assistant: AssistantMode, createdAt: String, endedAt: String? = nil, createdBy: String,
        schedule: Schedule? = nil, lobby: Bool = false, cancelledAt: String? = nil, agenda: String? = nil
    ) {
        self.id = id
        self.title = title
        self.status = status
        self.languages = languages
        self.agent = agent
        self.assistant = assistant
        self.createdAt = createdAt
        self.endedAt = endedAt
        self.createdBy = createdBy
        self.schedule = schedule
        self.lobby = lobby
        self.cancelledAt = cancelledAt
        self.agenda = agenda
    }

    /// The contract's session object, given its participants' objects.
    package func json(participants: [JSONValue]) -> JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(id), "title": .string(title), "status": .string(status.rawValue),
            "languages": .array(languages.map { .string($0) }), "agent": .string(agent),
            "assistant": .string(assistant.rawValue), "createdAt": .string(createdAt),
            "participants": .array(participants),
        ]
        if let endedAt { members["endedAt"] = .string(endedAt) }
        if let schedule {
            members["startsAt"] = .string(schedule.startsAt)
            members["endsAt"] = .string(schedule.endsAt)
            members["timeZone"] = .string(schedule.timeZone)
            members["sequence"] = .int(Int64(schedule.sequence))
        }
        members["lobby"] = .bool(lobby)
        if let cancelledAt { members["cancelledAt"] = .string(cancelledAt) }
        if let agenda { members["agenda"] = .string(agenda) }
        return .object(members)
    }
}
