import Testing

@testable import Dialogue

/// The event a `say` appended; records an issue when it was a duplicate instead.
private func appended(_ outcome: SessionState.SayOutcome, sourceLocation: SourceLocation = #_sourceLocation) -> Event? {
    guard case .append(let event) = outcome else {
        Issue.record("expected a new event, got \(outcome)", sourceLocation: sourceLocation)
        return nil
    }
    return event
}

@Suite struct SessionStateTests {
    typealias F = SessionFixture
    let officer = F.officer
    let investor = F.investor

    /// A live session in which the officer and the investor have joined (seq 1 and 2).
    func joined() throws -> SessionState {
        var state = SessionState(info: F.info)
        _ = try state.join(officer, at: F.at(1))
        _ = try state.join(investor, at: F.at(2))
        return state
    }

    func say(
        _ state: inout SessionState, _ who: Participant, _ text: String, clientId: String, step: Int = 10
    ) throws(DialogueError) -> SessionState.SayOutcome {
        try state.say(by: who, text: text, clientId: clientId, language: who.language, citations: nil, at: F.at(step))
    }

    // MARK: join

    @Test func joinReturnsJoinedOnlyTheFirstTime() throws {
        var state = SessionState(info: F.info)
        let first = try #require(try state.join(investor, at: F.at(1)))
        #expect(first.kind == .joined)
        #expect(first.seq == 1)
        #expect(first.session == F.info.id)
        #expect(first.senderId == investor.id)
        #expect(first.clientId == nil)
        #expect(first.body["language"] == "en")
        #expect(first.body["organisation"] == "Sato & Partners")
        #expect(first.body["from"] == ["id": "inv_kenji", "role": "investor", "name": "Kenji Sato"])
        #expect(first.body["at"] == .string(F.at(1)))
        #expect(try state.join(investor, at: F.at(2)) == nil)
        #expect(try state.join(investor, at: F.at(3)) == nil)
        #expect(state.lastSeq == 1)
        #expect(state.participants == [investor])
        #expect(state.participant(investor.id) == investor)
        #expect(state.participant("nobody") == nil)
    }

    @Test func joinedWithoutOrganisationHasNoSuchField() throws {
        var state = SessionState(info: F.info)
        let event = try #require(try state.join(officer, at: F.at(1)))
        #expect(event.body["organisation"] == nil)
        #expect(event.body.objectValue?.keys.sorted() == ["at", "from", "kind", "language", "seq", "session"])
    }

    @Test func participantsKeepOrderOfFirstJoin() throws {
        var state = SessionState(info: F.info)
        for (step, who) in [investor, officer, F.otherInvestor, officer, investor].enumerated() {
            _ = try state.join(who, at: F.at(step))
        }
        #expect(state.participants.map(\.id) == [investor.id, officer.id, F.otherInvestor.id])
        #expect(state.lastSeq == 3)
    }

    // MARK: say

    @Test func seqIsGaplessFromOne() throws {
        var state = try joined()
        var seqs: [Int64] = [1, 2]
        for i in 0..<50 {
            let who = i.isMultiple(of: 3) ? officer : investor
            if let event = appended(try say(&state, who, "message \(i)", clientId: "c\(i)", step: 10 + i)) {
                seqs.append(event.seq)
            }
        }
        #expect(seqs == Array(1...52))
        #expect(state.lastSeq == 52)
    }

    @Test func sayMakesAMessageEvent() throws {
        var state = try joined()
        let citations: JSONValue = [["document": "doc-1", "title": "T", "passage": "P.", "source": "S"]]
        let event = try #require(
            appended(
                try state.say(
                    by: officer, text: "Hello", clientId: "c1", language: "en", citations: citations, at: F.at(5))))
        #expect(event.kind == .message)
        #expect(event.seq == 3)
        #expect(event.clientId == "c1")
        #expect(event.text == "Hello")
        #expect(
            event.body == [
                "session": .string(F.info.id), "seq": 3, "kind": "message", "at": .string(F.at(5)),
                "from": ["id": "stf_officer", "role": "officer", "name": "Trần Thu Hà"], "text": "Hello",
                "language": "en",
                "clientId": "c1", "citations": citations,
            ])
    }

    @Test func onlyOfficersMayAttachCitations() throws {
        var state = try joined()
        let citations: JSONValue = [["document": "doc-1", "title": "T", "passage": "P.", "source": "https://x.example"]]
        #expect(throws: DialogueError(
            .forbidden, "field \"citations\": only officers may attach citations to a message", ref: "c1"))
        {
            try state.say(by: investor, text: "Hello", clientId: "c1", language: "en", citations: citations, at: F.at(5))
        }
        // Refused before anything is decided: the seq is not used, and the investor may still speak.
        #expect(state.lastSeq == 2)
        let plain = try #require(appended(try say(&state, investor, "Hello", clientId: "c1")))
        #expect(plain.seq == 3 && plain.body["citations"] == nil)
    }

    @Test func repeatedClientIdIsADuplicateWithTheSameSeq() throws {
        var state = try joined()
        let first = try #require(appended(try say(&state, investor, "Hello", clientId: "c1")))
        _ = try say(&state, officer, "Welcome", clientId: "o1")
        #expect(try say(&state, investor, "Hello", clientId: "c1") == .duplicate(seq: first.seq))
        // The text does not matter: the client id alone identifies the message.
        #expect(try say(&state, investor, "Hello again", clientId: "c1") == .duplicate(seq: first.seq))
        #expect(state.lastSeq == 4)
        // Another sender may use the same client id.
        let other = try #require(appended(try say(&state, officer, "Hi", clientId: "c1")))
        #expect(other.seq == 5)
        #expect(try say(&state, officer, "Hi", clientId: "c1") == .duplicate(seq: 5))
    }

    @Test func sayBeforeJoiningIsForbidden() throws {
        var state = try joined()
        #expect(throws: DialogueError(.forbidden, "join the session before speaking", ref: "m1")) {
            try say(&state, F.otherInvestor, "Bonjour", clientId: "m1")
        }
        #expect(state.lastSeq == 2)
    }

    @Test func mutedParticipantIsForbiddenUntilUnmuted() throws {
        var state = try joined()
        let mute = try state.moderate(by: officer, action: "mute", target: investor.id, at: F.at(3))
        #expect(state.participant(investor.id)?.muted == true)
        do {
            _ = try say(&state, investor, "Can I speak?", clientId: "c1")
            Issue.record("a muted investor spoke")
        } catch {
            #expect(error.code == .forbidden)
            #expect(error.ref == "c1")
        }
        #expect(state.lastSeq == mute.seq)
        _ = try state.moderate(by: officer, action: "unmute", target: investor.id, at: F.at(4))
        #expect(state.participant(investor.id)?.muted == false)
        let event = try #require(appended(try say(&state, investor, "Thanks", clientId: "c1")))
        #expect(event.seq == 5)
    }

    @Test func removedParticipantIsRefusedAndCannotRejoin() throws {
        var state = try joined()
        let removal = try state.moderate(by: officer, action: "remove", target: investor.id, at: F.at(3))
        #expect(removal.kind == .moderation)
        #expect(state.participant(investor.id)?.removed == true)
        do {
            _ = try say(&state, investor, "Hello?", clientId: "c1")
            Issue.record("a removed investor spoke")
        } catch {
            #expect(error.code == .forbidden)
            #expect(error.ref == "c1")
        }
        #expect(throws: DialogueError.self) { try state.join(investor, at: F.at(4)) }
        do {
            _ = try state.join(investor, at: F.at(4))
        } catch {
            #expect(error.code == .forbidden)
        }
        #expect(state.lastSeq == 3)
        #expect(state.participants.count == 2)
    }

    // MARK: moderate

    @Test func moderationEventShape() throws {
        var state = try joined()
        let event = try state.moderate(by: officer, action: "mute", target: investor.id, at: F.at(3))
        #expect(event.seq == 3)
        #expect(event.senderId == officer.id)
        #expect(event.body["action"] == "mute")
        #expect(event.body["target"] == .string(investor.id))
        #expect(event.body["targetName"] == .string(investor.name))
        #expect(event.body["from"]?["role"] == "officer")
    }

    /// An erased participant's name and organisation leave the session's rules: the
    /// participants a welcome lists and a later moderation's `targetName` hold the placeholder.
    @Test func anErasedParticipantsNameIsNotUsedAgain() throws {
        var state = try joined()
        let known = state.erase(investor.id, placeholder: "(erased)")
        let ghost = state.erase("inv_ghost", placeholder: "(erased)")
        #expect(known && !ghost)
        let erased = try #require(state.participant(investor.id))
        #expect(erased.name == "(erased)" && erased.organisation == nil)
        #expect(state.participant(officer.id)?.name == officer.name)
        let event = try state.moderate(by: officer, action: "mute", target: investor.id, at: F.at(3))
        #expect(event.body["targetName"] == "(erased)")
        #expect(!state.participants.contains { $0.name == investor.name })
    }

    @Test func onlyInvestorsCanBeModerated() throws {
        var state = try joined()
        _ = try state.join(F.secondOfficer, at: F.at(3))
        for action in ["mute", "unmute", "remove"] {
            for target in [officer.id, F.secondOfficer.id] {
                #expect(throws: DialogueError(.forbidden, "only investors can be muted or removed")) {
                    try state.moderate(by: officer, action: action, target: target, at: F.at(4))
                }
            }
        }
        #expect(state.lastSeq == 3)
    }

    @Test func moderatingAnUnknownParticipantIsNotFound() throws {
        var state = try joined()
        do {
            _ = try state.moderate(by: officer, action: "mute", target: "inv_ghost", at: F.at(3))
            Issue.record("moderated a stranger")
        } catch {
            #expect(error.code == .notFound)
        }
    }

    @Test func doubleMuteAndUnmuteAreConflicts() throws {
        var state = try joined()
        func code(_ action: String) -> ErrorCode? {
            do {
                _ = try state.moderate(by: officer, action: action, target: investor.id, at: F.at(9))
                return nil
            } catch {
                return error.code
            }
        }
        #expect(code("unmute") == .conflict)  // not muted yet
        #expect(code("mute") == nil)
        #expect(code("mute") == .conflict)
        #expect(code("unmute") == nil)
        #expect(code("unmute") == .conflict)
        #expect(code("remove") == nil)
        #expect(code("remove") == .conflict)
        #expect(code("mute") == .conflict)  // already removed
        // Two refused, three appended after the two joins.
        #expect(state.lastSeq == 5)
    }

    // MARK: end and leave

    @Test func afterTheEndEverythingIsAConflict() throws {
        var state = try joined()
        let said = try #require(appended(try say(&state, investor, "Before the end", clientId: "c1")))
        let end = try state.end(by: officer, at: F.at(20))
        #expect(end.kind == .ended)
        #expect(end.seq == 4)
        #expect(state.info.status == .ended)
        #expect(state.info.endedAt == F.at(20))

        #expect(throws: DialogueError(.conflict, "session \(F.info.id) has ended", ref: "c2")) {
            try say(&state, investor, "After the end", clientId: "c2")
        }
        // A retried, already stored message still gets its ack.
        #expect(try say(&state, investor, "Before the end", clientId: "c1") == .duplicate(seq: said.seq))
        func refusal(_ attempt: (inout SessionState) throws(DialogueError) -> Void) -> ErrorCode? {
            do {
                try attempt(&state)
                return nil
            } catch {
                return error.code
            }
        }
        #expect(refusal { state throws(DialogueError) in _ = try state.end(by: officer, at: F.at(21)) } == .conflict)
        #expect(
            refusal { state throws(DialogueError) in
                _ = try state.moderate(by: officer, action: "mute", target: investor.id, at: F.at(21))
            } == .conflict)
        #expect(
            refusal { state throws(DialogueError) in _ = try state.join(F.otherInvestor, at: F.at(21)) } == .conflict)
        #expect(refusal { state throws(DialogueError) in _ = try state.leave(by: investor, at: F.at(21)) } == .conflict)
        // Someone already known joining again is not an event, so not a conflict either.
        #expect(refusal { state throws(DialogueError) in _ = try state.join(investor, at: F.at(21)) } == nil)
        #expect(state.lastSeq == 4)
    }

    @Test func leaveAppendsLeft() throws {
        var state = try joined()
        let left = try #require(try state.leave(by: investor, at: F.at(3)))
        #expect(left.kind == .left)
        #expect(left.seq == 3)
        #expect(left.senderId == investor.id)
        #expect(left.body.objectValue?.keys.sorted() == ["at", "from", "kind", "seq", "session"])
        // A stranger's leave records nothing.
        #expect(try state.leave(by: F.otherInvestor, at: F.at(4)) == nil)
        #expect(state.lastSeq == 3)
        // Leaving does not remove: the participant stays listed, and the id stays theirs.
        #expect(state.participant(investor.id)?.removed == false)
        #expect(try state.join(investor, at: F.at(5)) == nil)
    }

    // MARK: replay

    @Test func replayRebuildsTheSameState() throws {
        var live = SessionState(info: F.info)
        var events: [Event] = []
        func keep(_ event: Event?) { if let event { events.append(event) } }
        keep(try live.join(officer, at: F.at(1)))
        keep(try live.join(investor, at: F.at(2)))
        keep(try live.join(F.otherInvestor, at: F.at(3)))
        keep(appended(try say(&live, investor, "Hello", clientId: "c1", step: 4)))
        keep(appended(try say(&live, officer, "Welcome", clientId: "o1", step: 5)))
        keep(try live.moderate(by: officer, action: "mute", target: investor.id, at: F.at(6)))
        keep(appended(try say(&live, F.otherInvestor, "Bonjour", clientId: "m1", step: 7)))
        keep(try live.moderate(by: officer, action: "remove", target: F.otherInvestor.id, at: F.at(8)))
        keep(try live.leave(by: officer, at: F.at(9)))
        keep(try live.end(by: officer, at: F.at(10)))
        #expect(events.map(\.seq) == Array(1...10))

        var replayed = SessionState(info: F.info)
        for event in events { replayed.apply(event) }
        #expect(replayed.participants == live.participants)
        #expect(replayed.lastSeq == live.lastSeq)
        #expect(replayed.info == live.info)
        #expect(replayed.participant(investor.id)?.muted == true)
        #expect(replayed.participant(F.otherInvestor.id)?.removed == true)

        // The same client ids are recognised after replay.
        #expect(try say(&replayed, investor, "Hello", clientId: "c1") == .duplicate(seq: 4))
        #expect(try say(&replayed, officer, "Welcome", clientId: "o1") == .duplicate(seq: 5))
        #expect(try say(&replayed, F.otherInvestor, "Bonjour", clientId: "m1") == .duplicate(seq: 7))

        // Replaying events that went through their stored canonical form gives the same again.
        var fromBodies = SessionState(info: F.info)
        for event in events { fromBodies.apply(try Event(body: JSONParser.parse(event.canonicalBytes))) }
        #expect(fromBodies.participants == live.participants)
        #expect(fromBodies.lastSeq == live.lastSeq)
        #expect(try say(&fromBodies, investor, "Hello", clientId: "c1") == .duplicate(seq: 4))
    }

    @Test func replayOfALiveSessionContinuesTheSequence() throws {
        var live = SessionState(info: F.info)
        let stored = [
            try #require(try live.join(officer, at: F.at(1))), try #require(try live.join(investor, at: F.at(2))),
            try #require(appended(try say(&live, investor, "Hello", clientId: "c1"))),
        ]
        var replayed = SessionState(info: F.info)
        for event in stored { replayed.apply(event) }
        #expect(replayed.info.status == .live)
        let next = try #require(appended(try say(&replayed, officer, "Next", clientId: "o9")))
        #expect(next.seq == 4)
        #expect(try say(&replayed, investor, "Hello", clientId: "c1") == .duplicate(seq: 3))
        #expect(try replayed.join(investor, at: F.at(5)) == nil)
    }
}
