/// The assistant's side of the session rules: questions, drafts awaiting review, answers,
/// and the assistant mode. Like everything in `SessionState`, decided here before anything
/// is stored, and rebuilt by replaying the events.
extension SessionState {
    /// The author of every assistant event.
    package static func assistant(name: String, language: String) -> Participant {
        Participant(id: "assistant", role: .assistant, name: name, language: language)
    }

    /// `who` asks the assistant. Repeated client ids return the first seq.
    package mutating func ask(
        by who: Participant, text: String, clientId: String, language: String, at: String, glossary: Int? = nil
    ) throws(DialogueError) -> SayOutcome {
        try textEvent(
            .question, by: who, text: text, clientId: clientId, language: language, at: at, glossary: glossary,
            extra: [:], verb: "asking")
    }

    /// An officer switches the assistant's mode (`auto`, `review`, `off`).
    package mutating func setAssistantMode(by officer: Participant, mode: String, at: String) throws(DialogueError)
        -> Event
    {
        try requireLiveState()
        guard let mode = AssistantMode(rawValue: mode) else {
            throw DialogueError(.badRequest, "mode must be auto, review or off")
        }
        guard mode != info.assistant else { throw DialogueError(.conflict, "the assistant is already \(mode.rawValue)") }
        return record(.moderation, by: officer, at: at, fields: ["action": "assistant", "mode": .string(mode.rawValue)])
    }

    /// An assistant event (`draft`, `answer`, `status`) with the given fields.
    package mutating func assistantEvent(
        _ kind: EventKind, by assistant: Participant, fields: [String: JSONValue], at: String
    ) throws(DialogueError) -> Event {
        try requireLiveState()
        return record(kind, by: assistant, at: at, fields: fields)
    }

    /// An officer approves a pending draft, maybe with edited text: an `answer` (recording
    /// who approved it and whether the text was changed) and a `status` about the question.
    package mutating func approve(
        by officer: Participant, draft: Int64, text: String?, assistant: Participant, at: String
    ) throws(DialogueError) -> [Event] {
        try requireLiveState()
        guard let pending = pendingDrafts[draft] else {
            throw DialogueError(.notFound, "no draft awaiting review at seq \(draft)")
        }
        var fields = pending.fields
        let original = fields["text"]?.stringValue ?? ""
        let edited = text.map { $0 != original } ?? false
        if let text { fields["text"] = .string(text) }
        fields["draft"] = .int(draft)
        fields["approvedBy"] = .string(officer.id)
        fields["edited"] = .bool(edited)
        // Everyone sees that a person changed the assistant's words, and who.
        if edited {
            fields["editedBy"] = ["id": .string(officer.id), "name": .string(officer.name), "role": .string(officer.role.rawValue)]
        }
        let answer = record(.answer, by: assistant, at: at, fields: fields)
        let state = fields["contact"] != nil ? "handed_over" : "answered"
        let status = record(.status, by: assistant, at: at, fields: ["about": .int(pending.about), "state": .string(state)])
        return [answer, status]
    }

    /// An officer rejects a pending draft: a `status` (`rejected`) about the question.
    package mutating func reject(
        by officer: Participant, draft: Int64, reason: String?, assistant: Participant, at: String
    ) throws(DialogueError) -> Event {
        try requireLiveState()
        guard let pending = pendingDrafts[draft] else {
            throw DialogueError(.notFound, "no draft awaiting review at seq \(draft)")
        }
        var fields: [String: JSONValue] = [
            "about": .int(pending.about), "state": "rejected", "draft": .int(draft), "rejectedBy": .string(officer.id),
        ]
        if let reason, !reason.isEmpty { fields["reason"] = .string(reason) }
        return record(.status, by: assistant, at: at, fields: fields)
    }
}
