import Dialogue
import HashChain

/// Everything an export holds (docs/transcripts.md, "Exported JSON"): the session, its
/// participants, its events with their hashes, staff notes, and the signed chain head.
package struct TranscriptDocument: Sendable, Equatable {
    /// The `format` member of every export.
    package static let format = "dialogue-transcript"
    /// The `version` this code writes: 2 since events carry salted commitments
    /// (docs/transcripts.md, "Commitments") and exports carry the head's state and time,
    /// `keyId` and the `documentSignature` over the whole export.
    package static let version: Int64 = 2
    /// The versions this code reads (version 1 exports keep verifying as they did).
    package static let readableVersions: ClosedRange<Int64> = 1...2
    /// The only signature algorithm.
    package static let algorithm = "Ed25519"

    /// The session's settings; `createdBy` is not exported and reads back as "".
    package var session: SessionInfo
    /// Everyone who took part, in order of first join.
    package var participants: [Participant]
    /// The events in seq order, with stored hash and chain.
    package var events: [TranscriptEntry]
    /// Staff notes, in the order they were written.
    package var notes: [TranscriptNote]
    /// Every stored translation (machine and human, with who translated), by seq then
    /// language; beside the chain like notes.
    package var translations: [TranscriptTranslation]
    /// The signed head of the chain: the last event's seq and chain.
    package var head: SignedHead

    /// A document from its parts.
    package init(
        session: SessionInfo, participants: [Participant], events: [TranscriptEntry], notes: [TranscriptNote],
        head: SignedHead, translations: [TranscriptTranslation] = []
    ) {
        self.session = session
        self.participants = participants
        self.events = events
        self.notes = notes
        self.head = head
        self.translations = translations
    }

    /// The exported JSON: hashes in lowercase hex, signature and key in standard base64.
    package func json() -> JSONValue {
        var sessionMembers: [String: JSONValue] = [
            "id": .string(session.id), "title": .string(session.title), "status": .string(session.status.rawValue),
            "languages": .array(session.languages.map { .string($0) }), "agent": .string(session.agent),
            "assistant": .string(session.assistant.rawValue), "createdAt": .string(session.createdAt),
        ]
        if let endedAt = session.endedAt { sessionMembers["endedAt"] = .string(endedAt) }
        return [
            "format": .string(Self.format),
            "version": .int(Self.version),
            "session": .object(sessionMembers),
            "participants": .array(participants.map(Self.participantJSON)),
            "events": .array(events.map { $0.json() }),
            "notes": .array(notes.map { $0.json() }),
            "translations": .array(translations.map { $0.json() }),
            "head": .object(Self.headMembers(head)),
            "signature": .string(Base64.encode(head.signature)),
            "publicKey": .string(Base64.encode(head.publicKey)),
            "keyId": .string(head.keyId),
            "algorithm": .string(Self.algorithm),
        ]
    }

    /// The `head` object: seq and chain, and for a version-2 signature its state and time.
    private static func headMembers(_ head: SignedHead) -> [String: JSONValue] {
        var members: [String: JSONValue] = ["seq": .int(head.seq), "chain": .string(Hex.encode(head.chain))]
        if let state = head.state { members["state"] = .string(state.rawValue) }
        if let signedAt = head.signedAt { members["signedAt"] = .string(signedAt) }
        return members
    }

    /// Reads an export back; throws when it is not a version-1 or -2 transcript or a field is
    /// missing or mistyped. It does not verify anything: see `TranscriptVerifier`.
    package init(json: JSONValue) throws(TranscriptError) {
        let root = try Self.checkedRoot(json)
        let s = try root.object("session")
        let statusText = try s.string("status")
        guard let status = SessionStatus(rawValue: statusText) else {
            throw .unreadable("session.status \"\(statusText)\" is neither live nor ended")
        }
        let modeText = try s.string("assistant")
        guard let mode = AssistantMode(rawValue: modeText) else {
            throw .unreadable("session.assistant \"\(modeText)\" is not auto, review or off")
        }
        let info = SessionInfo(
            id: try s.string("id"), title: try s.string("title"), status: status, languages: try s.strings("languages"),
            agent: try s.string("agent"), assistant: mode, createdAt: try s.string("createdAt"),
            endedAt: try s.optionalString("endedAt"), createdBy: try s.optionalString("createdBy") ?? "")

        var participants: [Participant] = []
        for (index, value) in try root.array("participants").enumerated() {
            participants.append(try Self.participant(value, path: "participants[\(index)]"))
        }
        var events: [TranscriptEntry] = []
        for (index, value) in try root.array("events").enumerated() {
            events.append(try TranscriptEntry(json: value, path: "events[\(index)]"))
        }
        var notes: [TranscriptNote] = []
        if root.members["notes"] != nil {
            for (index, value) in try root.array("notes").enumerated() {
                notes.append(try TranscriptNote(json: value, path: "notes[\(index)]"))
            }
        }
        var translations: [TranscriptTranslation] = []
        if root.members["translations"] != nil {
            for (index, value) in try root.array("translations").enumerated() {
                translations.append(try TranscriptTranslation(json: value, path: "translations[\(index)]"))
            }
        }
        let head = try Self.signedHead(root, session: info.id)
        self.init(
            session: info, participants: participants, events: events, notes: notes, head: head,
            translations: translations)
    }

    /// The top-level object after checking `format`, `version` and `algorithm`.
    static func checkedRoot(_ json: JSONValue) throws(TranscriptError) -> JSONFields {
        let root = try JSONFields(json, path: "")
        let format = try root.string("format")
        guard format == Self.format else { throw .wrongFormat(format) }
        let version = try root.int("version")
        guard Self.readableVersions.contains(version) else { throw .unsupportedVersion(version) }
        let algorithm = try root.string("algorithm")
        guard algorithm == Self.algorithm else { throw .unsupportedAlgorithm(algorithm) }
        return root
    }

    /// The `head`, `signature` and `publicKey` members as a `SignedHead` for `session`.
    static func signedHead(_ root: JSONFields, session: String) throws(TranscriptError) -> SignedHead {
        let head = try root.object("head")
        var state: SignedHead.State?
        if let text = try head.optionalString("state") {
            guard let known = SignedHead.State(rawValue: text) else {
                throw .unreadable("head.state \"\(text)\" is neither live nor ended")
            }
            state = known
        }
        return SignedHead(
            session: session, seq: try head.int("seq"), chain: try head.digest("chain"),
            signature: try root.base64("signature"), publicKey: try root.base64("publicKey"), state: state,
            signedAt: try head.optionalString("signedAt"))
    }

    /// The contract's participant object (`online` is always false in a transcript), plus
    /// `organisation` when known and `removed` when true.
    private static func participantJSON(_ p: Participant) -> JSONValue {
        guard case .object(var members) = p.json(online: false) else { return p.json(online: false) }
        if let organisation = p.organisation { members["organisation"] = .string(organisation) }
        if p.removed { members["removed"] = .bool(true) }
        return .object(members)
    }

    private static func participant(_ value: JSONValue, path: String) throws(TranscriptError) -> Participant {
        let f = try JSONFields(value, path: path)
        let roleText = try f.string("role")
        guard let role = Role(rawValue: roleText) else { throw .unreadable("\(path).role \"\(roleText)\" is unknown") }
        return Participant(
            id: try f.string("id"), role: role, name: try f.string("name"), language: try f.string("language"),
            organisation: try f.optionalString("organisation"), muted: try f.optionalBool("muted") ?? false,
            removed: try f.optionalBool("removed") ?? false)
    }
}
