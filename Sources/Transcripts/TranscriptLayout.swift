import Dialogue
import HashChain

/// What a rendered transcript shows, worked out once from a document and not yet escaped,
/// so that the Markdown and HTML renderers only differ in markup.
struct TranscriptLayout {
    /// A label and its values (several for the participants row).
    struct Row {
        /// The row's label.
        var label: String
        /// Its values, in order.
        var values: [String]
        /// Whether the values are identifiers or digests, shown as code.
        var isCode = false
    }

    /// A staff note as shown.
    struct NoteLine {
        /// The seq it annotates.
        var seq: Int64
        /// Who wrote it.
        var author: String
        /// When, as `YYYY-MM-DD HH:MM:SS UTC`.
        var when: String
        /// What it says.
        var text: String
    }

    /// One event as shown.
    struct Line {
        /// The event's seq.
        var seq: Int64
        /// `kind` as stored, for CSS classes.
        var kind: String
        /// The stored RFC 3339 time.
        var at: String
        /// A new day's `YYYY-MM-DD` when this event is the first of a day other than the session's first.
        var newDay: String?
        /// `HH:MM:SS UTC`.
        var time: String
        /// The author's name.
        var author: String
        /// The author's role, in the labels' language.
        var role: String
        /// The language the text was written in, when the event has text.
        var language: String?
        /// "Question", "Answer" or the draft marker, before the text.
        var tag: String?
        /// Whether the event is an assistant draft (staff only).
        var isDraft = false
        /// What was said, for kinds with text.
        var text: String?
        /// Whether the text was redacted.
        var redacted = false
        /// What happened, for kinds without text.
        var sentence: String?
        /// Glossary terms in the transcript's language, when asked for.
        var terms: [TranscriptTerm] = []
        /// The translation into the transcript's language, its engine, who made it (name and
        /// role, for a person's) and whether it kept the glossary.
        var translation: (text: String, engine: String, by: (name: String, role: String)?, glossaryOk: Bool)?
        /// The glossary version the text was matched with.
        var glossaryVersion: Int64?
        /// Cited documents, as `title (source)`.
        var sources: [String] = []
        /// The contact an answer hands over to.
        var contact: String?
        /// Who changed an answer's text before approving it.
        var editedBy: String?
        /// Staff notes on this event.
        var notes: [NoteLine] = []
    }

    /// The wording used.
    let labels: TranscriptLabels
    /// The page title: "Transcript: TITLE".
    let title: String
    /// The session's metadata.
    let metadata: [Row]
    /// The events in seq order.
    let lines: [Line]
    /// Notes on seqs that are not in the document.
    let otherNotes: [NoteLine]
    /// Head, signature and key.
    let verification: [Row]
    /// The verify command for this session's exported JSON.
    let command: String

    /// Lays out `document` with the labels for `language`.
    init(_ document: TranscriptDocument, language: String?, ratingReasons: [String: String] = [:]) {
        var labels = TranscriptLabels.forLanguage(language)
        labels.ratingReasons = ratingReasons
        let session = document.session
        self.labels = labels
        title = "\(labels.transcript): \(session.title)"

        let people = document.participants.map { p in
            "\(p.name) ("
                + ([labels.role(p.role.rawValue)] + [p.organisation, p.language].compactMap { $0 })
                .filter { !$0.isEmpty }.joined(separator: ", ") + ")"
        }
        metadata = [
            Row(label: labels.session, values: [session.id], isCode: true),
            Row(
                label: labels.status,
                values: [session.status.takesMessages ? labels.statusLive : labels.statusEnded]),
            Row(label: labels.created, values: [Self.dateTime(session.createdAt)]),
            Row(label: labels.ended, values: [session.endedAt.map(Self.dateTime) ?? labels.none]),
            Row(
                label: labels.languages,
                values: [session.languages.isEmpty ? labels.none : session.languages.joined(separator: ", ")]),
            Row(label: labels.agent, values: [session.agent], isCode: true),
            Row(label: labels.assistantMode, values: [labels.mode(session.assistant.rawValue)]),
            Row(label: labels.participants, values: people.isEmpty ? [labels.none] : people),
        ]

        var notesBySeq: [Int64: [NoteLine]] = [:]
        for note in document.notes {
            notesBySeq[note.seq, default: []].append(
                NoteLine(seq: note.seq, author: note.author, when: Self.dateTime(note.at), text: note.text))
        }
        let names = Dictionary(document.participants.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        var day = Self.clock(session.createdAt).day
        var lines: [Line] = []
        for entry in document.events {
            var line = Self.line(entry, labels: labels, names: names)
            let eventDay = Self.clock(line.at).day
            if eventDay != day {
                line.newDay = eventDay
                day = eventDay
            }
            line.notes = notesBySeq.removeValue(forKey: line.seq) ?? []
            lines.append(line)
        }
        self.lines = lines
        otherNotes = notesBySeq.keys.sorted().flatMap { notesBySeq[$0] ?? [] }

        let head = document.head
        verification = [
            Row(label: labels.lastEvent, values: ["#\(head.seq)"]),
            Row(label: labels.chainHead, values: [Hex.encode(head.chain)], isCode: true),
            Row(label: labels.signature, values: [Base64.encode(head.signature)], isCode: true),
            Row(label: labels.publicKey, values: [Base64.encode(head.publicKey)], isCode: true),
        ]
        command = "dialogue-server transcript verify --file \(TranscriptFileName.make(session: session)).json"
    }

    /// The sentence asking to compare the public key, with this session's id filled in.
    func compareKey(session: String) -> String { TranscriptLabels.fill(labels.compareKey, ["id": session]) }

    private static func line(_ entry: TranscriptEntry, labels: TranscriptLabels, names: [String: String]) -> Line {
        let body = entry.event.body
        let kind = entry.event.kind
        let from = body["from"]
        let at = body["at"]?.stringValue ?? ""
        var line = Line(
            seq: entry.event.seq, kind: kind.rawValue, at: at, time: clock(at).time,
            author: from?["name"]?.stringValue ?? names[entry.event.senderId] ?? entry.event.senderId,
            role: labels.role(from?["role"]?.stringValue ?? ""))
        if kind.hasText {
            line.language = body["language"]?.stringValue
            line.redacted = entry.redacted
            line.text = entry.redacted ? nil : (body["text"]?.stringValue ?? "")
            line.isDraft = kind == .draft
            switch kind {
            case .question: line.tag = labels.question
            case .answer: line.tag = labels.answer
            case .draft: line.tag = labels.draft
            default: break
            }
            line.terms = entry.redacted ? [] : (entry.terms ?? [])
            if !entry.redacted, let translation = entry.translation, let text = translation["text"]?.stringValue {
                let by = translation["by"].flatMap { by -> (name: String, role: String)? in
                    guard let name = by["name"]?.stringValue else { return nil }
                    return (name, labels.role(by["role"]?.stringValue ?? ""))
                }
                line.translation = (
                    text, translation["engine"]?.stringValue ?? "", by, translation["glossaryOk"]?.boolValue ?? false
                )
            }
            line.glossaryVersion = body["glossary"]?.intValue
            line.sources = (body["citations"]?.arrayValue ?? []).compactMap(source)
            line.contact = body["contact"].flatMap(contact)
            if body["edited"]?.boolValue == true {
                line.editedBy = body["editedBy"]?["name"]?.stringValue ?? body["approvedBy"]?.stringValue
            }
            return line
        }
        switch kind {
        case .joined: line.sentence = labels.joined
        case .left: line.sentence = labels.left
        case .ended: line.sentence = labels.endedSession
        case .moderation:
            let action = body["action"]?.stringValue ?? ""
            let targetId = body["target"]?.stringValue ?? ""
            let target = body["targetName"]?.stringValue ?? names[targetId] ?? targetId
            let template: String
            switch action {
            case "mute": template = labels.mute
            case "unmute": template = labels.unmute
            case "remove": template = labels.remove
            case "assistant": template = labels.assistantSet
            default: template = labels.moderation
            }
            let mode = labels.mode(body["mode"]?.stringValue ?? "")
            line.sentence = TranscriptLabels.fill(template, ["target": target, "mode": mode, "action": action])
                .trimmingSpaces()
        case .status:
            let about = body["about"]?.intValue.map(String.init) ?? "?"
            line.sentence = TranscriptLabels.fill(
                labels.statusAbout, ["about": about, "state": labels.state(body["state"]?.stringValue ?? "")])
        case .rating:
            let about = body["about"]?.intValue.map(String.init) ?? "?"
            let helpful = body["rating"]?.stringValue == "helpful"
            line.sentence = TranscriptLabels.fill(helpful ? labels.ratedHelpful : labels.ratedUnhelpful, ["about": about])
                + (body["reason"]?.stringValue.map { " (\(labels.ratingReasons[$0] ?? $0))" } ?? "")
            // The investor's own words after the verdict (a line shows its text or its sentence).
            if let comment = body["comment"]?.stringValue { line.sentence! += ": “\(comment)”" }
        case .attachment:
            let file = body["attachment"] ?? .null
            line.sentence = TranscriptLabels.fill(
                labels.sharedFile,
                [
                    "name": file["name"]?.stringValue ?? "?", "type": file["type"]?.stringValue ?? "?",
                    "size": file["size"]?.intValue.map(String.init) ?? "?", "sha256": file["sha256"]?.stringValue ?? "?",
                ])
        default:
            line.sentence = kind.rawValue
        }
        return line
    }

    /// A citation as `title (source)`.
    private static func source(_ citation: JSONValue) -> String? {
        let title = citation["title"]?.stringValue ?? citation["document"]?.stringValue
        let source = citation["source"]?.stringValue
        switch (title, source) {
        case (let t?, let s?) where !s.isEmpty && s != t: return "\(t) (\(s))"
        case (let t?, _): return t
        case (nil, let s?): return s
        default: return nil
        }
    }

    /// A hand-over contact as `name, role, organisation — reason`.
    private static func contact(_ value: JSONValue) -> String? {
        let who = ["name", "role", "organisation"].compactMap { value[$0]?.stringValue }.filter { !$0.isEmpty }
        guard !who.isEmpty else { return nil }
        let reason = value["reason"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        return who.joined(separator: ", ") + (reason.map { " — \($0)" } ?? "")
    }

    /// The UTC day and `HH:MM:SS UTC` of an RFC 3339 time; the text as written when it is not one.
    static func clock(_ rfc3339: String) -> (day: String, time: String) {
        guard let ms = Timestamp.parse(rfc3339) else { return (String(rfc3339.prefix(10)), rfc3339) }
        let text = Array(Timestamp.format(milliseconds: ms))
        guard text.count == 24 else { return (String(rfc3339.prefix(10)), rfc3339) }
        return (String(text[0..<10]), String(text[11..<19]) + " UTC")
    }

    /// `YYYY-MM-DD HH:MM:SS UTC`.
    static func dateTime(_ rfc3339: String) -> String {
        guard Timestamp.parse(rfc3339) != nil else { return rfc3339 }
        let (day, time) = clock(rfc3339)
        return "\(day) \(time)"
    }
}

extension String {
    /// Without leading and trailing spaces (a template's empty placeholder can leave one).
    fileprivate func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
