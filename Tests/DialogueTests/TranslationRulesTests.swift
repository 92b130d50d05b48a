import Testing

@testable import Dialogue

/// `translate`: what an officer's or interpreter's translation must be before it is stored.
@Suite struct TranslationRulesTests {
    typealias F = SessionFixture

    /// Joined officer (1) and investor (2), then the investor's message (3) and a moderation (4).
    func session() throws -> (SessionState, message: Event, moderation: Event) {
        var state = SessionState(info: F.info)
        _ = try state.join(F.officer, at: F.at(1))
        _ = try state.join(F.investor, at: F.at(2))
        guard
            case .append(let message) = try state.say(
                by: F.investor, text: "Tell me about Van Don", clientId: "c1", language: "en", citations: nil,
                at: F.at(3))
        else { throw DialogueError(.conflict, "no message") }
        let moderation = try state.moderate(by: F.officer, action: "mute", target: F.investor.id, at: F.at(4))
        return (state, message, moderation)
    }

    @Test func aTranslationIntoASessionLanguageOfAStoredEventIsAccepted() throws {
        let (state, message, _) = try session()
        #expect(try state.checkTranslation(seq: 3, language: "vi", text: "Cho tôi biết về Vân Đồn") == "vi")
        // Kept under the primary subtag, as readers and machine translations are matched.
        #expect(try state.checkTranslation(seq: 3, language: "en-GB", text: "About Van Don") == "en")
        try state.checkTranslationTarget(message, seq: 3)
        try state.checkTranslationTarget(message, seq: 3, into: "vi")
        // Not into the language it is written in.
        #expect(throws: DialogueError(.badRequest, "seq 3 is written in en already; translate it into another language")) {
            try state.checkTranslationTarget(message, seq: 3, into: "en")
        }
    }

    @Test func theTextMustBeThereAndWithinTheLimit() throws {
        let (state, _, _) = try session()
        for blank in ["", "   ", "\n\t"] {
            #expect(throws: DialogueError(.badRequest, "field \"text\" is empty: send the translation's text")) {
                try state.checkTranslation(seq: 3, language: "vi", text: blank)
            }
        }
        let longest = String(repeating: "ạ", count: SessionState.maxTranslationLength)
        #expect(try state.checkTranslation(seq: 3, language: "vi", text: longest) == "vi")
        do {
            _ = try state.checkTranslation(seq: 3, language: "vi", text: longest + "a")
            Issue.record("a text over the limit was accepted")
        } catch {
            #expect(error.code == .badRequest)
            #expect(error.message.contains("8001 characters") && error.message.contains("at most 8000"), "\(error)")
        }
    }

    @Test func theLanguageMustBeOneOfTheSessions() throws {
        let (state, _, _) = try session()
        do {
            _ = try state.checkTranslation(seq: 3, language: "ja", text: "ヴァンドン")
            Issue.record("a language outside the session was accepted")
        } catch {
            #expect(error.code == .badRequest)
            #expect(error.message == "ja is not a language of session \(F.info.id) (vi, en)")
        }
    }

    @Test func anUnknownSeqIsNotFound() throws {
        let (state, _, _) = try session()
        for seq: Int64 in [0, 5, 99] {
            #expect(throws: DialogueError(.notFound, "no event at seq \(seq) in session \(F.info.id)")) {
                try state.checkTranslation(seq: seq, language: "vi", text: "x")
            }
        }
        // Decided but not stored (or lost): not found either.
        #expect(throws: DialogueError(.notFound, "no event at seq 3 in session \(F.info.id)")) {
            try state.checkTranslationTarget(nil, seq: 3)
        }
    }

    @Test func onlyEventsWithTextAreTranslated() throws {
        let (state, _, moderation) = try session()
        do {
            try state.checkTranslationTarget(moderation, seq: 4)
            Issue.record("a moderation was accepted as a translation target")
        } catch {
            #expect(error.code == .badRequest)
            #expect(error.message.hasPrefix("seq 4 is a moderation event"))
        }
        #expect(SessionState.translatableKinds == [.message, .question, .answer, .draft])
    }

    /// A redacted event (its `text` replaced by `textHash`) is not translated: the
    /// translation would store the words again.
    @Test func aRedactedEventIsNotTranslated() throws {
        let (state, message, _) = try session()
        guard case .object(var members) = message.body else { throw DialogueError(.conflict, "no body") }
        members["text"] = nil
        members["textHash"] = .string("c2FsdGVkIGNvbW1pdG1lbnQ=")
        let redacted = try Event(body: .object(members))
        #expect(throws: DialogueError(.conflict, "seq 3 was redacted; it has no text left to translate")) {
            try state.checkTranslationTarget(redacted, seq: 3, into: "vi")
        }
    }

    @Test func anEndedSessionStillTakesTranslations() throws {
        var (state, _, _) = try session()
        _ = try state.end(by: F.officer, at: F.at(5))
        #expect(try state.checkTranslation(seq: 3, language: "vi", text: "Cho tôi biết về Vân Đồn") == "vi")
    }
}
