import Testing

@testable import Dialogue

@Suite struct EventTests {
    typealias F = SessionFixture

    func event(_ kind: EventKind) -> Event {
        Event(
            session: F.info.id, seq: 7, kind: kind, at: F.at(7), from: F.officer,
            clientId: kind == .message ? "c7" : nil,
            fields: kind.hasText ? ["text": "Khu kinh tế Vân Đồn", "language": "vi"] : ["about": 3])
    }

    @Test(arguments: EventKind.allCases)
    func frameAddsTypeAndTermsOnlyForTextKinds(kind: EventKind) throws {
        let event = event(kind)
        let terms: JSONValue = [
            ["text": "Khu kinh tế", "start": 0, "end": 11, "concept": "kkt", "translation": "economic zone"]
        ]
        let frame = event.frame(terms: terms)
        var expected = try #require(event.body.objectValue)
        expected["type"] = "event"
        if kind.hasText { expected["terms"] = terms }
        #expect(frame == .object(expected))
        #expect(frame["translation"] == nil)
        // The body itself is untouched: type and terms are per reader, never stored.
        #expect(event.body["type"] == nil && event.body["terms"] == nil)
    }

    @Test func defaultTermsAreAnEmptyArray() {
        #expect(event(.message).frame()["terms"] == [])
        #expect(event(.question).frame()["terms"] == [])
        #expect(event(.joined).frame()["terms"] == nil)
    }

    @Test func translationIsAddedWhenGiven() {
        let translation: JSONValue = [
            "text": "Van Don economic zone", "language": "en", "engine": "x", "glossaryOk": true,
        ]
        let frame = event(.answer).frame(translation: translation)
        #expect(frame["translation"] == translation)
        #expect(frame["terms"] == [])
    }

    @Test func textKinds() {
        #expect(EventKind.allCases.filter(\.hasText) == [.message, .question, .answer, .draft])
        #expect(EventKind.allCases.filter(\.officersOnly) == [.draft, .rating])
    }

    @Test func bodyHoldsTheCommonFieldsAndDropsNulls() {
        let e = Event(
            session: "ses_1", seq: 2, kind: .message, at: "2026-11-26T04:42:30.123Z", from: F.investor, clientId: "c1",
            fields: ["text": "hi", "language": "en", "citations": nil])
        #expect(
            e.body == [
                "session": "ses_1", "seq": 2, "kind": "message", "at": "2026-11-26T04:42:30.123Z",
                "from": ["id": "inv_kenji", "role": "investor", "name": "Kenji Sato"], "clientId": "c1", "text": "hi",
                "language": "en",
            ])
        #expect(e.senderId == F.investor.id)
        #expect(e.text == "hi")
        #expect(event(.joined).text == nil)
        #expect(
            String(decoding: e.canonicalBytes, as: UTF8.self)
                == #"{"at":"2026-11-26T04:42:30.123Z","clientId":"c1","from":{"id":"inv_kenji","name":"Kenji Sato","role":"investor"},"kind":"message","language":"en","seq":2,"session":"ses_1","text":"hi"}"#
        )
    }

    @Test func rebuildsFromItsStoredBody() throws {
        for kind in EventKind.allCases {
            let original = event(kind)
            let rebuilt = try Event(body: JSONParser.parse(original.canonicalBytes))
            #expect(rebuilt == original)
            #expect(rebuilt.canonicalBytes == original.canonicalBytes)
        }
    }

    @Test func storedBodyWithoutItsColumnsIsRefused() {
        let complete: JSONValue = ["session": "s", "seq": 1, "kind": "left", "at": "x", "from": ["id": "a"]]
        #expect((try? Event(body: complete)) != nil)
        for key in ["session", "seq", "kind", "from"] {
            guard case .object(var members) = complete else { return }
            members[key] = nil
            #expect(throws: DialogueError.self) { try Event(body: .object(members)) }
        }
        #expect(throws: DialogueError.self) {
            try Event(body: ["session": "s", "seq": 1, "kind": "shout", "at": "x", "from": ["id": "a"]])
        }
        #expect(throws: DialogueError.self) {
            try Event(body: ["session": "s", "seq": "1", "kind": "left", "from": ["id": "a"]])
        }
        #expect(throws: DialogueError.self) { try Event(body: []) }
    }

    @Test func participantObjects() {
        #expect(
            F.investor.json(online: true)
                == [
                    "id": "inv_kenji", "role": "investor", "name": "Kenji Sato", "language": "en", "online": true,
                    "muted": false, "removed": false,
                ])
        #expect(F.officer.author == ["id": "stf_officer", "role": "officer", "name": "Trần Thu Hà"])
    }
}

@Suite("Timestamps")
struct TimestampFormatTests {
    /// The digit-by-digit writer against the plain string-building one it replaced.
    static func reference(_ milliseconds: Int64) -> String {
        func pad(_ value: Int64, _ width: Int) -> String {
            let s = String(value)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let seconds = milliseconds / 1000
        let days = seconds / 86_400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        let second = seconds % 86_400
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(second / 3600, 2)):\(pad(second / 60 % 60, 2)):"
            + "\(pad(second % 60, 2)).\(pad(milliseconds % 1000, 3))Z"
    }

    @Test func formatMatchesTheReferenceForRandomInstants() {
        var state: UInt64 = 42
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let milliseconds = Int64(state >> 22) % 4_102_444_800_000  // 1970…2100
            #expect(Timestamp.format(milliseconds: milliseconds) == Self.reference(milliseconds), "\(milliseconds)")
        }
        #expect(Timestamp.format(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(milliseconds: 1_795_668_000_123) == "2026-11-26T04:40:00.123Z")
    }
}

/// A rejection's reason and author are stripped for readers who do not see drafts.
@Suite struct ReviewFieldsTests {
    @Test func aRejectedStatusLosesReasonAndAuthor() throws {
        let stored = JSONWriter.bytes([
            "session": "s", "seq": 5, "kind": "status", "at": "t", "from": ["id": "assistant", "role": "assistant", "name": "A"],
            "about": 3, "state": "rejected", "draft": 4, "rejectedBy": "stf_1", "reason": "internal",
        ])
        let stripped = try #require(ReviewFields.canonicalForReadersWithoutDrafts(kind: .status, canonical: stored))
        #expect(
            try JSONParser.parse(stripped)
                == [
                    "session": "s", "seq": 5, "kind": "status", "at": "t",
                    "from": ["id": "assistant", "role": "assistant", "name": "A"], "about": 3, "state": "rejected",
                    "draft": 4,
                ])
    }

    @Test func otherEventsAreUnchanged() {
        let answered = JSONWriter.bytes(["kind": "status", "about": 3, "state": "answered"])
        #expect(ReviewFields.canonicalForReadersWithoutDrafts(kind: .status, canonical: answered) == nil)
        // A message may quote the word; only status events carry review fields.
        let message = JSONWriter.bytes(["kind": "message", "text": #"{"reason":"x"}"#, "reason": "kept"])
        #expect(ReviewFields.canonicalForReadersWithoutDrafts(kind: .message, canonical: message) == nil)
    }
}
