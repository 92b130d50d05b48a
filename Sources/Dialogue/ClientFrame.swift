/// A frame a client sent, decoded and checked for shape (not yet for permission).
package enum ClientFrame: Sendable, Equatable {
    /// First frame: who the client is.
    case hello(token: String, language: String, name: String?, resume: Resume?)
    /// Staff joins a session, optionally after a seq.
    case join(session: String, after: Int64)
    /// A message to the session.
    case say(session: String, text: String, clientId: String, language: String?, citations: JSONValue?)
    /// A phrase of the pack's phrasebook, sent by an officer; readers get it in their language.
    case sayPhrase(session: String, phrase: String, clientId: String)
    /// A question for the assistant.
    case ask(session: String, text: String, clientId: String)
    /// An officer approves a draft answer.
    case approve(session: String, draft: Int64, text: String?)
    /// An officer rejects a draft answer.
    case reject(session: String, draft: Int64, reason: String?)
    /// Mute, unmute, remove, or set the assistant's mode.
    case moderate(session: String, action: String, target: String?, mode: String?)
    /// An officer ends the session.
    case end(session: String)
    /// The sender leaves the session.
    case leave(session: String)
    /// An officer or interpreter translates an event's text into one of the session's
    /// languages; `text` is checked by the session's rules (`checkTranslation`), not here.
    case translate(session: String, seq: Int64, language: String, text: String)
    /// The investor who asked rates an answer: `helpful` or `unhelpful`, with an optional
    /// reason id (the pack's `survey.json` list) and comment.
    /// `clientId`, when given, is acknowledged once the rating is stored and names it in errors.
    case rate(session: String, seq: Int64, rating: String, reason: String?, comment: String?, clientId: String?)

    /// Longest rating comment accepted, in UTF-8 bytes (the rules count characters: at most
    /// `SessionState.maxRatingCommentCharacters`).
    package static let maxRatingCommentLength = 16_384

    /// Where a reconnecting client left off.
    package struct Resume: Sendable, Equatable {
        /// The session to rejoin.
        package var session: String
        /// The last seq the client saw.
        package var after: Int64
    }

    /// Longest accepted `clientId`, name and language tag: generous, but bounded.
    package static let maxClientIdLength = 128
    package static let maxNameLength = 200

    /// The action the role table governs, if the frame is one (`hello` is not).
    package var action: Action? {
        switch self {
        case .hello: return nil
        case .join: return .join
        case .say: return .say
        case .sayPhrase: return .sayPhrase
        case .ask: return .ask
        case .approve: return .approve
        case .reject: return .reject
        case .moderate: return .moderate
        case .end: return .end
        case .leave: return .leave
        case .translate: return .translate
        case .rate: return .rate
        }
    }

    /// The session the frame addresses, if any.
    package var session: String? {
        switch self {
        case .hello(_, _, _, let resume): return resume?.session
        case .join(let s, _), .say(let s, _, _, _, _), .sayPhrase(let s, _, _), .ask(let s, _, _), .approve(let s, _, _),
            .reject(let s, _, _), .moderate(let s, _, _, _), .end(let s), .leave(let s), .translate(let s, _, _, _),
            .rate(let s, _, _, _, _, _):
            return s
        }
    }

    /// Decodes one text frame. Every fault names the field; `ref` carries the clientId when present.
    package static func decode(_ bytes: [UInt8]) throws(DialogueError) -> ClientFrame {
        let value: JSONValue
        do {
            // Integers only: every number a frame carries may end up in a stored event,
            // whose canonical form (docs/transcripts.md) has no fractions or exponents.
            value = try JSONParser.parse(bytes, integersOnly: true)
        } catch {
            // A frame refused only for a number still names its clientId, so the sender
            // can tell which of its frames was refused.
            let ref = (try? JSONParser.parse(bytes))?["clientId"]?.stringValue
            throw DialogueError(.badRequest, "malformed JSON: \(error)", ref: ref)
        }
        return try decode(value)
    }

    /// Decodes a parsed frame.
    package static func decode(_ value: JSONValue) throws(DialogueError) -> ClientFrame {
        guard case .object = value else { throw DialogueError(.badRequest, "a frame must be a JSON object") }
        let fields = FieldReader(value)
        guard let type = value["type"] else {
            throw DialogueError(.badRequest, "missing field \"type\"", ref: fields.ref)
        }
        guard let typeName = type.stringValue else {
            throw DialogueError(.badRequest, "field \"type\" must be a string", ref: fields.ref)
        }
        switch typeName {
        case "hello":
            let token = try fields.string("token")
            let language = try fields.languageTag("language")
            let name = try fields.optionalString("name", maxLength: maxNameLength)
            var resume: Resume?
            if let r = value["resume"], r != .null {
                guard case .object = r else { throw DialogueError(.badRequest, "field \"resume\" must be an object") }
                let inner = FieldReader(r)
                resume = Resume(session: try inner.string("session"), after: try inner.optionalSeq("after") ?? 0)
            }
            return .hello(token: token, language: language, name: name, resume: resume)
        case "join":
            return .join(session: try fields.string("session"), after: try fields.optionalSeq("after") ?? 0)
        case "say":
            let session = try fields.string("session")
            let clientId = try fields.clientId()
            if let phrase = value["phrase"], phrase != .null {
                guard let id = phrase.stringValue, !id.isEmpty, id.utf8.count <= 64 else {
                    throw DialogueError(
                        .badRequest, "field \"phrase\" must be a phrase id (a string of at most 64 characters)", ref: clientId)
                }
                return .sayPhrase(session: session, phrase: id, clientId: clientId)
            }
            let text = try fields.text("text")
            let language = try fields.optionalLanguageTag("language")
            // Checked for shape here; who may cite, and whether the index holds the passages,
            // are the session's and the server's checks.
            var citations: JSONValue?
            if let c = value["citations"], c != .null {
                // An empty list is no citation: nothing to store, nothing to forbid.
                let list = try Citation.list(from: c, ref: clientId)
                citations = list.isEmpty ? nil : .array(list.map(\.json))
            }
            return .say(session: session, text: text, clientId: clientId, language: language, citations: citations)
        case "ask":
            let session = try fields.string("session")
            let clientId = try fields.clientId()
            return .ask(session: session, text: try fields.text("text"), clientId: clientId)
        case "approve":
            return .approve(
                session: try fields.string("session"), draft: try fields.seq("draft"),
                text: try fields.optionalString("text", maxLength: 65_536))
        case "reject":
            return .reject(
                session: try fields.string("session"), draft: try fields.seq("draft"),
                reason: try fields.optionalString("reason", maxLength: 4096))
        case "moderate":
            let session = try fields.string("session")
            let action = try fields.string("action")
            guard ["mute", "unmute", "remove", "assistant"].contains(action) else {
                throw DialogueError(.badRequest, "field \"action\" must be mute, unmute, remove or assistant")
            }
            if action == "assistant" {
                let mode = try fields.string("mode")
                guard ["auto", "review", "off"].contains(mode) else {
                    throw DialogueError(.badRequest, "field \"mode\" must be auto, review or off")
                }
                return .moderate(session: session, action: action, target: nil, mode: mode)
            }
            return .moderate(session: session, action: action, target: try fields.string("target"), mode: nil)
        case "admit", "decline":
            // The lobby's answers: moderations of the waiting investor's invite (officers only).
            return .moderate(session: try fields.string("session"), action: typeName, target: try fields.string("invite"), mode: nil)
        case "end":
            return .end(session: try fields.string("session"))
        case "leave":
            return .leave(session: try fields.string("session"))
        case "translate":
            return .translate(
                session: try fields.string("session"), seq: try fields.seq("seq"),
                language: try fields.languageTag("language"), text: try fields.anyString("text"))
        case "rate":
            let session = try fields.string("session")
            let seq = try fields.seq("seq")
            let rating = try fields.string("rating")
            guard ["helpful", "unhelpful"].contains(rating) else {
                throw DialogueError(.badRequest, "field \"rating\" must be helpful or unhelpful")
            }
            let reason = try fields.optionalString("reason", maxLength: 64)
            let comment = try fields.optionalString("comment", maxLength: maxRatingCommentLength)
            let clientId: String? = value["clientId"] == nil || value["clientId"] == .null ? nil : try fields.clientId()
            return .rate(
                session: session, seq: seq, rating: rating, reason: reason?.isEmpty == true ? nil : reason,
                comment: comment?.contains(where: { !$0.isWhitespace }) == true ? comment : nil, clientId: clientId)
        default:
            throw DialogueError(.badRequest, "unknown frame type \"\(typeName)\"", ref: fields.ref)
        }
    }
}

/// Reads typed fields from a frame object, with errors that name the field.
private struct FieldReader {
    let value: JSONValue
    /// The frame's clientId, echoed as `ref` in errors about the frame.
    let ref: String?

    init(_ value: JSONValue) {
        self.value = value
        self.ref = value["clientId"]?.stringValue
    }

    func string(_ key: String) throws(DialogueError) -> String {
        guard let field = value[key], field != .null else {
            throw DialogueError(.badRequest, "missing field \"\(key)\"", ref: ref)
        }
        guard let s = field.stringValue, !s.isEmpty else {
            throw DialogueError(.badRequest, "field \"\(key)\" must be a non-empty string", ref: ref)
        }
        return s
    }

    func optionalString(_ key: String, maxLength: Int) throws(DialogueError) -> String? {
        guard let field = value[key], field != .null else { return nil }
        guard let s = field.stringValue else {
            throw DialogueError(.badRequest, "field \"\(key)\" must be a string", ref: ref)
        }
        guard s.utf8.count <= maxLength else {
            throw DialogueError(.badRequest, "field \"\(key)\" is longer than \(maxLength) bytes", ref: ref)
        }
        return s
    }

    /// A required string that may be empty (the caller's rules judge its content).
    func anyString(_ key: String) throws(DialogueError) -> String {
        guard let field = value[key], field != .null else {
            throw DialogueError(.badRequest, "missing field \"\(key)\"", ref: ref)
        }
        guard let s = field.stringValue else {
            throw DialogueError(.badRequest, "field \"\(key)\" must be a string", ref: ref)
        }
        return s
    }

    func text(_ key: String) throws(DialogueError) -> String {
        let s = try string(key)
        guard s.contains(where: { !$0.isWhitespace }) else {
            throw DialogueError(.badRequest, "field \"\(key)\" is blank", ref: ref)
        }
        return s
    }

    func clientId() throws(DialogueError) -> String {
        let id = try string("clientId")
        guard id.utf8.count <= ClientFrame.maxClientIdLength else {
            throw DialogueError(
                .badRequest, "field \"clientId\" is longer than \(ClientFrame.maxClientIdLength) bytes", ref: nil)
        }
        return id
    }

    func languageTag(_ key: String) throws(DialogueError) -> String {
        let tag = try string(key)
        guard LanguageTag.isValid(tag) else {
            throw DialogueError(
                .badRequest, "field \"\(key)\" is not a language code like \"en\" or \"zh-Hant\"", ref: ref)
        }
        return LanguageTag.normalise(tag)
    }

    func optionalLanguageTag(_ key: String) throws(DialogueError) -> String? {
        guard let field = value[key], field != .null else { return nil }
        return try languageTag(key)
    }

    func seq(_ key: String) throws(DialogueError) -> Int64 {
        guard let field = value[key], field != .null else {
            throw DialogueError(.badRequest, "missing field \"\(key)\"", ref: ref)
        }
        guard let n = field.intValue, n >= 0 else {
            throw DialogueError(.badRequest, "field \"\(key)\" must be a non-negative integer", ref: ref)
        }
        return n
    }

    func optionalSeq(_ key: String) throws(DialogueError) -> Int64? {
        guard let field = value[key], field != .null else { return nil }
        return try seq(key)
    }
}
