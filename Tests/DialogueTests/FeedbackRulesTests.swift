import Testing

@testable import Dialogue

/// The session's rules for a rating and a shared file (issue 19).
@Suite struct FeedbackRulesTests {
    let investor = Participant(id: "inv_1", role: .investor, name: "Sato", language: "ja")
    let other = Participant(id: "inv_2", role: .investor, name: "Kim", language: "ko")
    let officer = Participant(id: "stf_1", role: .officer, name: "Lan", language: "vi")
    let assistant = Participant(id: "assistant", role: .assistant, name: "Assistant", language: "en")

    /// A live session where `investor` asked (seq 3) and the assistant answered (seq 4).
    func session() -> SessionState {
        var state = SessionState(
            info: SessionInfo(
                id: "ses_1", title: "t", status: .live, languages: ["vi", "ja"], agent: "a", assistant: .auto,
                createdAt: "2026-12-01T00:00:00Z", createdBy: "stf_1"))
        for (seq, who) in [(1, investor), (2, other)] {
            state.apply(Event(session: "ses_1", seq: Int64(seq), kind: .joined, at: "t", from: who))
        }
        state.apply(Event(session: "ses_1", seq: 3, kind: .question, at: "t", from: investor, clientId: "c1", fields: ["text": "Q"]))
        state.apply(Event(session: "ses_1", seq: 4, kind: .answer, at: "t", from: assistant, fields: ["text": "A", "about": 3]))
        return state
    }

    @Test func theAskerRatesAnAnswerOnce() throws {
        var state = session()
        let event = try state.rate(
            by: investor, answer: 4, rating: "unhelpful", reason: "outdated", comment: "2023 figures",
            reasons: ["wrong", "outdated"], at: "t")
        #expect(event.kind == .rating && event.seq == 5)
        #expect(event.body["about"]?.intValue == 4 && event.body["reason"]?.stringValue == "outdated")
        #expect(event.body["comment"]?.stringValue == "2023 figures")
        #expect(throws: DialogueError.self) {
            try state.rate(by: investor, answer: 4, rating: "helpful", reason: nil, comment: nil, reasons: nil, at: "t")
        }
    }

    @Test func officersMutedInvestorsAndLongCommentsAreRefused() {
        var state = session()
        #expect(!Role.officer.may(.rate))
        #expect(throws: DialogueError(.forbidden, "only the investor who asked the question may rate its answer", ref: "c")) {
            try state.rate(by: officer, answer: 4, rating: "helpful", reason: nil, comment: nil, reasons: nil, at: "t", clientId: "c")
        }
        #expect(throws: DialogueError.self) {
            try state.rate(
                by: investor, answer: 4, rating: "unhelpful", reason: nil, comment: String(repeating: "済", count: 2001),
                reasons: nil, at: "t")
        }
        _ = try? state.moderate(by: officer, action: "mute", target: investor.id, at: "t")
        #expect(throws: DialogueError(.forbidden, "you are muted in this session")) {
            try state.rate(by: investor, answer: 4, rating: "helpful", reason: nil, comment: nil, reasons: nil, at: "t")
        }
        #expect(EventKind.rating.officersOnly && !EventKind.attachment.officersOnly)
    }

    @Test func onlyTheAskerRatesAndOnlyAnswers() {
        var state = session()
        #expect(throws: DialogueError(.forbidden, "only the investor who asked the question may rate its answer")) {
            try state.rate(by: other, answer: 4, rating: "helpful", reason: nil, comment: nil, reasons: nil, at: "t")
        }
        #expect(throws: DialogueError.self) {
            try state.rate(by: investor, answer: 3, rating: "helpful", reason: nil, comment: nil, reasons: nil, at: "t")
        }
    }

    @Test func aReasonGoesWithAnUnhelpfulRatingAndComesFromThePack() {
        var state = session()
        #expect(throws: DialogueError.self) {
            try state.rate(by: investor, answer: 4, rating: "helpful", reason: "wrong", comment: nil, reasons: ["wrong"], at: "t")
        }
        #expect(throws: DialogueError.self) {
            try state.rate(by: investor, answer: 4, rating: "unhelpful", reason: "rude", comment: nil, reasons: ["wrong"], at: "t")
        }
    }

    @Test func replayRemembersRatingsSoTheyStayOnce() throws {
        var live = session()
        let rating = try live.rate(by: investor, answer: 4, rating: "helpful", reason: nil, comment: nil, reasons: nil, at: "t")
        var replayed = session()
        replayed.apply(rating)
        #expect(throws: DialogueError.self) {
            try replayed.rate(by: investor, answer: 4, rating: "helpful", reason: nil, comment: nil, reasons: nil, at: "t")
        }
    }

    @Test func filesAreSharedWhileTheSessionIsLive() throws {
        var state = session()
        let event = try state.shareAttachment(by: officer, attachment: ["id": "att_1", "name": "plan.pdf"], at: "t")
        #expect(event.kind == .attachment && event.body["attachment"]?["name"]?.stringValue == "plan.pdf")
        _ = try state.end(by: officer, at: "t")
        #expect(throws: DialogueError.self) { try state.shareAttachment(by: officer, attachment: ["id": "att_2"], at: "t") }
    }

    @Test func theRateFrameIsDecodedAndChecked() throws {
        let frame = try ClientFrame.decode(
            Array(#"{"type":"rate","session":"s","seq":4,"rating":"unhelpful","reason":"wrong","comment":" "}"#.utf8))
        #expect(frame == .rate(session: "s", seq: 4, rating: "unhelpful", reason: "wrong", comment: nil, clientId: nil))
        let named = try ClientFrame.decode(Array(#"{"type":"rate","session":"s","seq":4,"rating":"helpful","clientId":"r1"}"#.utf8))
        #expect(named == .rate(session: "s", seq: 4, rating: "helpful", reason: nil, comment: nil, clientId: "r1"))
        #expect(frame.action == .rate)
        #expect(throws: DialogueError.self) {
            try ClientFrame.decode(Array(#"{"type":"rate","session":"s","seq":4,"rating":"great"}"#.utf8))
        }
        #expect(Role.investor.may(.rate) && !Role.reviewer.may(.rate))
    }
}
