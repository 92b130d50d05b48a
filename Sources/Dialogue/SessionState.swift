/// The rules of one session as a value: who is in it, who is muted, the next seq, which
/// client ids were already used. The hub owns one per live session and asks it for a
/// decision before anything is stored; replaying the stored events rebuilds it exactly.
package struct SessionState: Sendable {
    /// The session's settings.
    package private(set) var info: SessionInfo
    /// Participants by id, in order of first join.
    package private(set) var participants: [Participant] = []
    /// The seq of the last event decided (stored or about to be).
    package private(set) var lastSeq: Int64 = 0
    private var indexById: [String: Int] = [:]
    private var seqByClientKey: [ClientKey: Int64] = [:]
    /// Drafts awaiting an officer's decision, by seq: the question they answer and the
    /// fields an approval publishes.
    package private(set) var pendingDrafts: [Int64: PendingDraft] = [:]
    /// The lobby's decisions by invite id: true admitted, false declined (the last one counts).
    package private(set) var lobbyDecisions: [String: Bool] = [:]
    /// Who asked each question, by its seq: only they may rate its answers.
    var askedBy: [Int64: String] = [:]
    /// The question each published answer replies to, by the answer's seq.
    var answerAbout: [Int64: Int64] = [:]
    /// Answers already rated (once each).
    var ratedAnswers: Set<Int64> = []

    /// A draft awaiting review.
    package struct PendingDraft: Sendable, Equatable {
        /// The question's seq.
        package var about: Int64
        /// `text`, `language`, `citations`, `contact`, `about`, `confidence`, `glossary`.
        package var fields: [String: JSONValue]
    }

    private struct ClientKey: Hashable {
        var sender: String
        var clientId: String
    }

    /// A `say` either appends an event or repeats the ack of one already decided.
    package enum SayOutcome: Sendable, Equatable {
        /// A new event to store.
        case append(Event)
        /// The clientId was used by the same sender: answer with this seq, store nothing.
        case duplicate(seq: Int64)
    }

    /// A new, empty session.
    package init(info: SessionInfo) { self.info = info }

    /// The participant with this id, if they ever joined.
    package func participant(_ id: String) -> Participant? { indexById[id].map { participants[$0] } }

    /// Applies a stored event's effect; used both for replay and after each decision.
    package mutating func apply(_ event: Event) {
        lastSeq = max(lastSeq, event.seq)
        switch event.kind {
        case .joined:
            guard indexById[event.senderId] == nil, let from = event.body["from"],
                let role = from["role"]?.stringValue.flatMap(Role.init(rawValue:))
            else { return }
            let p = Participant(
                id: event.senderId, role: role, name: from["name"]?.stringValue ?? "",
                language: event.body["language"]?.stringValue ?? "en",
                organisation: event.body["organisation"]?.stringValue)
            indexById[p.id] = participants.count
            participants.append(p)
        case .moderation where event.body["action"]?.stringValue == "assistant":
            if let mode = event.body["mode"]?.stringValue.flatMap(AssistantMode.init(rawValue:)) { info.assistant = mode }
        case .draft:
            // A redacted draft (no text left) can no longer be approved.
            guard case .object(var fields) = event.body, let about = fields["about"]?.intValue, fields["text"] != nil
            else { break }
            for key in ["session", "seq", "kind", "at", "from", "clientId"] { fields[key] = nil }
            pendingDrafts[event.seq] = PendingDraft(about: about, fields: fields)
        case .answer:
            if let draft = event.body["draft"]?.intValue { pendingDrafts[draft] = nil }
            if let about = event.body["about"]?.intValue { answerAbout[event.seq] = about }
        case .question:
            askedBy[event.seq] = event.senderId
        case .rating:
            if let about = event.body["about"]?.intValue { ratedAnswers.insert(about) }
        case .status:
            if event.body["state"]?.stringValue == "rejected", let draft = event.body["draft"]?.intValue {
                pendingDrafts[draft] = nil
            }
        case .moderation where ["admit", "decline"].contains(event.body["action"]?.stringValue ?? ""):
            if let target = event.body["target"]?.stringValue {
                lobbyDecisions[target] = event.body["action"]?.stringValue == "admit"
            }
        case .moderation:
            guard let target = event.body["target"]?.stringValue, let index = indexById[target] else { return }
            switch event.body["action"]?.stringValue {
            case "mute": participants[index].muted = true
            case "unmute": participants[index].muted = false
            case "remove": participants[index].removed = true
            default: break
            }
        case .ended:
            info.status = .ended
            info.endedAt = event.body["at"]?.stringValue
        default:
            break
        }
        if let clientId = event.clientId {
            seqByClientKey[ClientKey(sender: event.senderId, clientId: clientId)] = event.seq
        }
    }

    /// `decide`, for the assistant's rules in another file.
    mutating func record(
        _ kind: EventKind, by author: Participant, at: String, clientId: String? = nil, fields: [String: JSONValue] = [:]
    ) -> Event {
        decide(kind, by: author, at: at, clientId: clientId, fields: fields)
    }

    func requireLiveState(ref: String? = nil) throws(DialogueError) { try requireLive(ref: ref) }

    mutating func decide(
        _ kind: EventKind, by author: Participant, at: String, clientId: String? = nil,
        fields: [String: JSONValue] = [:]
    ) -> Event {
        let event = Event(
            session: info.id, seq: lastSeq + 1, kind: kind, at: at, from: author, clientId: clientId, fields: fields)
        apply(event)
        return event
    }

    /// A participant was erased: `placeholder` replaces their name and their organisation
    /// goes, so welcomes and the events decided from now on (a moderation's `targetName`)
    /// no longer carry them. False when they never joined.
    @discardableResult package mutating func erase(_ id: String, placeholder: String) -> Bool {
        guard let index = indexById[id] else { return false }
        participants[index].name = placeholder
        participants[index].organisation = nil
        return true
    }

    /// The session's calendar side as stored now (moved, opened, cancelled, lobby switched):
    /// the copy in memory follows it. Reads of the store may come back out of order (another
    /// node's notices are read apart), so nothing goes back: not an older schedule (a lower
    /// `sequence`), nor a status — scheduled, then live, then ended; cancelled stays.
    package mutating func replan(from stored: SessionInfo) {
        if let current = info.schedule, let incoming = stored.schedule, incoming.sequence < current.sequence { return }
        info.schedule = stored.schedule
        info.lobby = stored.lobby
        info.agenda = stored.agenda
        info.cancelledAt = stored.cancelledAt ?? info.cancelledAt
        if Self.statusOrder(stored.status) > Self.statusOrder(info.status) { info.status = stored.status }
    }

    /// How far along a session is: a status never goes back to a lower one.
    private static func statusOrder(_ status: SessionStatus) -> Int {
        switch status {
        case .scheduled: 0
        case .live: 1
        case .ended, .cancelled: 2
        }
    }

    /// Drops a pending draft whose text was redacted: approving it would publish the text again.
    package mutating func forgetDraft(_ seq: Int64) {
        pendingDrafts[seq] = nil
    }

    func requireLive(ref: String? = nil) throws(DialogueError) {
        guard info.status.takesMessages else {
            let what = info.status == .cancelled ? "was cancelled" : "has ended"
            throw DialogueError(.conflict, "session \(info.id) \(what)", ref: ref)
        }
    }

    /// `who` joins. Returns the `joined` event on their first join ever, nil afterwards.
    package mutating func join(_ who: Participant, at: String) throws(DialogueError) -> Event? {
        if let known = participant(who.id) {
            if known.removed { throw DialogueError(.forbidden, "you were removed from this session") }
            return nil
        }
        try requireLive()
        var fields: [String: JSONValue] = ["language": .string(who.language)]
        if let organisation = who.organisation { fields["organisation"] = .string(organisation) }
        return decide(.joined, by: who, at: at, fields: fields)
    }

    /// `who` sends a message. Repeated client ids return the first seq; citations are refused
    /// unless `who` is an officer.
    package mutating func say(
        by who: Participant, text: String, clientId: String, language: String, citations: JSONValue?, at: String,
        glossary: Int? = nil, extra: [String: JSONValue] = [:]
    ) throws(DialogueError) -> SayOutcome {
        // Citations are shown to everyone as the agency's sources: only officers, who cite
        // the agency's own documents, may attach them (an investor's would pass as official).
        if citations != nil, who.role != .officer {
            throw DialogueError(
                .forbidden, "field \"citations\": only officers may attach citations to a message", ref: clientId)
        }
        var fields = extra
        if let citations { fields["citations"] = citations }
        return try textEvent(
            .message, by: who, text: text, clientId: clientId, language: language, at: at, glossary: glossary,
            extra: fields, verb: "speaking")
    }

    /// A `message` or `question` from a participant who may speak: repeated client ids
    /// return the first seq; the text carries its language and glossary version.
    mutating func textEvent(
        _ kind: EventKind, by who: Participant, text: String, clientId: String, language: String, at: String,
        glossary: Int?, extra: [String: JSONValue], verb: String
    ) throws(DialogueError) -> SayOutcome {
        if let seq = seqByClientKey[ClientKey(sender: who.id, clientId: clientId)] { return .duplicate(seq: seq) }
        try requireLive(ref: clientId)
        guard let current = participant(who.id) else {
            throw DialogueError(.forbidden, "join the session before \(verb)", ref: clientId)
        }
        if current.removed { throw DialogueError(.forbidden, "you were removed from this session", ref: clientId) }
        if current.muted { throw DialogueError(.forbidden, "you are muted in this session", ref: clientId) }
        var fields = extra
        fields["text"] = .string(text)
        fields["language"] = .string(language)
        // The glossary version the text is matched against, so a transcript shows later
        // exactly the terms the readers were shown.
        if let glossary { fields["glossary"] = .int(Int64(glossary)) }
        return .append(decide(kind, by: current, at: at, clientId: clientId, fields: fields))
    }

    /// An officer mutes, unmutes or removes an investor.
    package mutating func moderate(by officer: Participant, action: String, target: String, at: String)
        throws(DialogueError) -> Event
    {
        try requireLive()
        guard let subject = participant(target) else {
            throw DialogueError(.notFound, "no participant \(target) in session \(info.id)")
        }
        guard subject.role == .investor else {
            throw DialogueError(.forbidden, "only investors can be muted or removed")
        }
        if subject.removed { throw DialogueError(.conflict, "\(subject.name) was already removed") }
        switch action {
        case "mute" where subject.muted: throw DialogueError(.conflict, "\(subject.name) is already muted")
        case "unmute" where !subject.muted: throw DialogueError(.conflict, "\(subject.name) is not muted")
        default: break
        }
        return decide(
            .moderation, by: officer, at: at,
            fields: ["action": .string(action), "target": .string(target), "targetName": .string(subject.name)])
    }

    /// An officer ends the session.
    package mutating func end(by officer: Participant, at: String) throws(DialogueError) -> Event {
        try requireLive()
        return decide(.ended, by: officer, at: at)
    }

    /// `who` leaves; nil when they never joined (nothing to record).
    package mutating func leave(by who: Participant, at: String) throws(DialogueError) -> Event? {
        guard let current = participant(who.id) else { return nil }
        try requireLive()
        return decide(.left, by: current, at: at)
    }
}
