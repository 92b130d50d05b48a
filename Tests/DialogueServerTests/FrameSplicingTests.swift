import Dialogue
import Glossary
import Testing

@testable import DialogueServer

/// Frames are spliced onto the canonical bytes instead of being encoded again; they must
/// carry exactly what encoding the event would give.
@Suite struct FrameSplicingTests {
    let officer = Participant(id: "stf_a", role: .officer, name: "Lan \"Nguyễn\"", language: "vi")

    func parsed(_ bytes: [UInt8]) throws -> JSONValue { try JSONParser.parse(bytes) }

    @Test(arguments: [EventKind.message, .joined, .moderation, .ended])
    func splicedFrameEqualsEncodedFrame(kind: EventKind) throws {
        let event = Event(
            session: "ses_x", seq: 7, kind: kind, at: "2026-11-26T05:00:00.000Z", from: officer,
            clientId: kind == .message ? "c-1" : nil,
            fields: kind == .message ? ["text": "Vân Đồn\n<b>\u{1F600}", "language": "vi"] : [:])
        let spliced = DialogueHub.frame(event, canonical: event.canonicalBytes, terms: EventTerms.empty.bytes(for: "ja"))
        #expect(try parsed(spliced) == event.frame())
        #expect(try parsed(spliced)["terms"] == (kind.hasText ? .array([]) : nil))
    }

    @Test func termsAreSplicedPerReaderLanguage() throws {
        let glossary = try Glossary(
            tsv: "id\tkeep\tvi\ten\tja\nvan-don\t1\tVân Đồn\tVan Don\tヴァンドン\npark\t\tkhu công nghiệp\tindustrial park\t工業団地\n")
        let event = Event(
            session: "ses_x", seq: 3, kind: .message, at: "2026-11-26T05:00:00.000Z", from: officer, clientId: "c-1",
            fields: ["text": "🏭 khu cong nghiep ở VÂN ĐỒN", "language": "vi", "glossary": 1])
        let terms = EventTerms(body: event.body, glossary: glossary)
        #expect(terms.hits.count == 2)
        for language in ["ja", "en", "vi", "ko"] {
            let spliced = try parsed(
                DialogueHub.frame(event, canonical: event.canonicalBytes, terms: terms.bytes(for: language)))
            #expect(spliced == event.frame(terms: terms.json(for: language)))
        }
        let japanese = try parsed(DialogueHub.frame(event, canonical: event.canonicalBytes, terms: terms.bytes(for: "ja")))
        let first = try #require(japanese["terms"]?.arrayValue?.first)
        #expect(first["text"] == "khu cong nghiep")
        #expect(first["start"] == 3)
        #expect(first["end"] == 18)
        #expect(first["concept"] == "park")
        #expect(first["translation"] == "工業団地")
        let korean = try parsed(DialogueHub.frame(event, canonical: event.canonicalBytes, terms: terms.bytes(for: "ko")))
        // No Korean column: a name falls back to Vietnamese, a term to English.
        #expect(korean["terms"]?.arrayValue?.map { $0["translation"] } == ["industrial park", "Vân Đồn"])
    }

    @Test func historyFrameCarriesEventsInOrder() throws {
        let events = (1...3).map {
            Event(
                session: "ses_x", seq: Int64($0), kind: .message, at: "2026-11-26T05:00:00.000Z", from: officer,
                clientId: "c\($0)", fields: ["text": .string("m\($0)"), "language": "vi"])
        }
        let frame = DialogueHub.historyFrame(
            session: "ses_x",
            events: events.map { DialogueHub.frame($0, canonical: $0.canonicalBytes, terms: Array("[]".utf8)) },
            complete: true)
        let value = try parsed(frame)
        #expect(value["type"] == "history")
        #expect(value["complete"] == true)
        #expect(value["events"]?.arrayValue?.compactMap { $0["seq"]?.intValue } == [1, 2, 3])
        let empty = try parsed(DialogueHub.historyFrame(session: "ses_x", events: [], complete: false))
        #expect(empty["events"] == .array([]))
        #expect(empty["complete"] == false)
    }
}
