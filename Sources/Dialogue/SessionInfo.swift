/// Whether a session still takes messages.
package enum SessionStatus: String, Sendable, Codable {
    case live, ended
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
    /// `live` or `ended`.
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

    package init(
        id: String, title: String, status: SessionStatus = .live, languages: [String], agent: String,
        assistant: AssistantMode, createdAt: String, endedAt: String? = nil, createdBy: String
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
        return .object(members)
    }
}
