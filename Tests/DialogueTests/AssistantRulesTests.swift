import Testing

@testable import Dialogue

/// Questions, drafts, approvals, rejections and assistant modes as session rules.
@Suite("Assistant rules")
struct AssistantRulesTests {
    typealias F = SessionFixture
    let assistant = SessionState.assistant(name: "Trợ lý", language: "en")

    func joined() throws -> SessionState {
        var state = SessionState(info: F.info)
        _ = try state.join(F.officer, at: F.at(1))
        _ = try state.join(F.investor, at: F.at(2))
        return state
    }

    func appended(_ outcome: SessionState.SayOutcome) throws -> Event {
        guard case .append(let event) = outcome else { throw DialogueError(.badRequest, "expected an event") }
        return event
    }

    @Test func aQuestionIsStoredLikeAMessageAndItsClientIdIsOnceOnly() throws {
        var state = try joined()
        let question = try appended(
            try state.ask(by: F.investor, text: "Bao nhiêu?", clientId: "q1", language: "vi", at: F.at(3), glossary: 2))
        #expect(question.kind == .question && question.seq == 3)
        #expect(question.body["glossary"] == 2)
        #expect(try state.ask(by: F.investor, text: "again", clientId: "q1", language: "vi", at: F.at(4)) == .duplicate(seq: 3))
        #expect(throws: DialogueError.self) {
            try state.ask(by: F.otherInvestor, text: "?", clientId: "x", language: "fr", at: F.at(5))
        }
    }

    @Test func approveTurnsAPendingDraftIntoAnAnswerOnce() throws {
        var state = try joined()
        let question = try appended(try state.ask(by: F.investor, text: "Q", clientId: "q", language: "en", at: F.at(3)))
        let draft = try state.assistantEvent(
            .draft, by: assistant,
            fields: ["about": .int(question.seq), "text": "Draft text", "language": "en", "citations": .array([])],
            at: F.at(4))
        #expect(state.pendingDrafts[draft.seq]?.about == question.seq)
        let events = try state.approve(by: F.officer, draft: draft.seq, text: "Edited", assistant: assistant, at: F.at(5))
        #expect(events.map(\.kind) == [.answer, .status])
        #expect(events[0].body["text"] == "Edited")
        #expect(events[0].body["edited"] == true)
        #expect(events[0].body["approvedBy"] == .string(F.officer.id))
        #expect(events[0].body["draft"] == .int(draft.seq))
        #expect(events[1].body["state"] == "answered")
        #expect(state.pendingDrafts.isEmpty)
        #expect(throws: DialogueError.self) {
            try state.approve(by: F.officer, draft: draft.seq, text: nil, assistant: assistant, at: F.at(6))
        }
    }

    @Test func rejectClosesTheDraftAndReplayRebuildsWhatIsPending() throws {
        var state = try joined()
        var replayed = SessionState(info: F.info)
        let q1 = try appended(try state.ask(by: F.investor, text: "Q1", clientId: "a", language: "en", at: F.at(3)))
        let d1 = try state.assistantEvent(.draft, by: assistant, fields: ["about": .int(q1.seq), "text": "D1"], at: F.at(4))
        let q2 = try appended(try state.ask(by: F.investor, text: "Q2", clientId: "b", language: "en", at: F.at(5)))
        let d2 = try state.assistantEvent(
            .draft, by: assistant, fields: ["about": .int(q2.seq), "text": "D2", "contact": ["desk": "land"]], at: F.at(6))
        let rejection = try state.reject(by: F.officer, draft: d1.seq, reason: "wrong", assistant: assistant, at: F.at(7))
        #expect(rejection.body["state"] == "rejected" && rejection.body["about"] == .int(q1.seq))
        #expect(Set(state.pendingDrafts.keys) == [d2.seq])
        // Replaying the same events gives the same pending drafts.
        for event in [q1, d1, q2, d2, rejection] { replayed.apply(event) }
        #expect(replayed.pendingDrafts == state.pendingDrafts)
        // A draft with a contact is published as handed over.
        let events = try state.approve(by: F.officer, draft: d2.seq, text: nil, assistant: assistant, at: F.at(8))
        #expect(events[0].body["edited"] == false)
        #expect(events[1].body["state"] == "handed_over")
    }

    @Test func modes() throws {
        var state = try joined()
        let event = try state.setAssistantMode(by: F.officer, mode: "auto", at: F.at(3))
        #expect(event.kind == .moderation && event.body["mode"] == "auto")
        #expect(state.info.assistant == .auto)
        #expect(throws: DialogueError.self) { try state.setAssistantMode(by: F.officer, mode: "auto", at: F.at(4)) }
        #expect(throws: DialogueError.self) { try state.setAssistantMode(by: F.officer, mode: "loud", at: F.at(4)) }
        var replayed = SessionState(info: F.info)
        replayed.apply(event)
        #expect(replayed.info.assistant == .auto)
    }
}
