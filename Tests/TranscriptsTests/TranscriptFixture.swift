import Crypto
import Dialogue

@testable import Transcripts

/// A small ended session with every kind of event, hashed with `HashChain` and signed with
/// a fresh key; shared by the tests of this target.
struct TranscriptFixture {
    let key = Curve25519.Signing.PrivateKey()
    let session = SessionInfo(
        id: "ses_k3v9q2m4x7c1b8n5", title: "Hội thảo đầu tư Vân Đồn", status: .ended, languages: ["vi", "en"],
        agent: "quang-ninh-ipa", assistant: .review, createdAt: "2026-11-26T04:40:00.000Z",
        endedAt: "2026-11-26T05:10:00.000Z", createdBy: "")
    let officer = Participant(id: "stf_officer000000001", role: .officer, name: "Trần Thu Hà", language: "vi")
    let investor = Participant(
        id: "inv_investor00000001", role: .investor, name: "Kenji <b>Sato</b>", language: "en",
        organisation: "Sato & Partners")
    let assistant = Participant(id: "assistant", role: .assistant, name: "Trợ lý Quảng Ninh", language: "vi")

    /// The events, seq 1…10.
    var events: [Event] {
        let s = session.id
        return [
            Event(
                session: s, seq: 1, kind: .joined, at: "2026-11-26T04:41:00.000Z", from: officer,
                fields: ["language": "vi"]),
            Event(
                session: s, seq: 2, kind: .joined, at: "2026-11-26T04:42:00.000Z", from: investor,
                fields: ["language": "en", "organisation": "Sato & Partners"]),
            Event(
                session: s, seq: 3, kind: .message, at: "2026-11-26T04:42:30.123Z", from: officer, clientId: "c-1",
                fields: ["text": "Xin chào, chào mừng đến Vân Đồn.", "language": "vi"]),
            Event(
                session: s, seq: 4, kind: .question, at: "2026-11-26T04:43:10.000Z", from: investor, clientId: "c-2",
                fields: ["text": "What is the land lease term?\nAnd the tax rate?", "language": "en"]),
            Event(
                session: s, seq: 5, kind: .draft, at: "2026-11-26T04:43:12.000Z", from: assistant,
                fields: [
                    "text": "Draft: up to 50 years.", "language": "en", "about": 4,
                    "citations": [
                        [
                            "document": "doc-1", "title": "Investment Guide", "passage": "…",
                            "source": "https://example.org/guide",
                        ]
                    ],
                ]),
            Event(
                session: s, seq: 6, kind: .answer, at: "2026-11-26T04:44:00.000Z", from: assistant,
                fields: [
                    "text": "Land lease terms run up to 50 years.", "language": "en", "about": 4,
                    "citations": [
                        [
                            "document": "doc-1", "title": "Investment Guide", "passage": "…",
                            "source": "https://example.org/guide",
                        ]
                    ],
                    "contact": [
                        "name": "Investment Desk", "role": "desk", "organisation": "Quang Ninh IPA",
                        "reason": "tax details",
                    ],
                ]),
            Event(
                session: s, seq: 7, kind: .status, at: "2026-11-26T04:44:01.000Z", from: assistant,
                fields: ["about": 4, "state": "answered"]),
            Event(
                session: s, seq: 8, kind: .message, at: "2026-11-26T04:45:00.000Z", from: investor, clientId: "c-3",
                fields: ["text": "<script>alert('x')</script> & thanks", "language": "en"]),
            Event(
                session: s, seq: 9, kind: .moderation, at: "2026-11-26T04:46:00.000Z", from: officer,
                fields: ["action": "mute", "target": .string(investor.id), "targetName": .string(investor.name)]),
            Event(session: s, seq: 10, kind: .ended, at: "2026-11-26T05:10:00.000Z", from: officer),
        ]
    }

    /// The events with hashes and chains computed step by step with `HashChain`.
    var entries: [TranscriptEntry] {
        var chain = HashChain.genesis
        return events.map { event in
            let hash = HashChain.eventHash(body: event.body)
            chain = HashChain.link(previous: chain, eventHash: hash)
            return TranscriptEntry(event: event, hash: hash, chain: chain)
        }
    }

    /// The signed document for `entries` (all of them by default).
    func document(entries: [TranscriptEntry]? = nil) throws -> TranscriptDocument {
        let entries = entries ?? self.entries
        let head = try SignedHead.sign(
            session: session.id, seq: entries.last?.event.seq ?? 0, chain: entries.last?.chain ?? HashChain.genesis,
            state: .ended, signedAt: "2026-11-26T05:10:01.000Z", with: key)
        return TranscriptDocument(
            session: session, participants: [officer, investor], events: entries,
            notes: [
                TranscriptNote(
                    id: 1, seq: 4, text: "Follow up <with> the tax office", author: "Lê Minh",
                    at: "2026-11-27T09:00:00.000Z"),
                TranscriptNote(
                    id: 2, seq: 99, text: "Note on nothing", author: "Lê Minh", at: "2026-11-27T09:05:00.000Z"),
            ],
            head: head)
    }

    /// The exported JSON, signed whole with `key`, as written to a file and read back.
    func exportedJSON(_ document: TranscriptDocument) throws -> JSONValue {
        try JSONParser.parse(JSONWriter.bytes(try DocumentSignature.sign(document.json(), with: key)))
    }
}

/// `json` with `change` applied to the event at `index` of its `events` array.
func editingEvent(_ json: JSONValue, at index: Int, _ change: (inout [String: JSONValue]) -> Void) -> JSONValue {
    guard case .object(var root) = json, case .array(var events)? = root["events"],
        case .object(var event) = events[index]
    else { return json }
    change(&event)
    events[index] = .object(event)
    root["events"] = .array(events)
    return .object(root)
}

/// `json` with member `key` of the top-level object replaced (or removed with nil).
func setting(_ json: JSONValue, _ key: String, _ value: JSONValue?) -> JSONValue {
    guard case .object(var root) = json else { return json }
    root[key] = value
    return .object(root)
}
