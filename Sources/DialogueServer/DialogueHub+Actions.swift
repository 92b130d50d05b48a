import AgentPacks
import Glossary
import Dialogue
import HubCore
import Store
import Transport

extension DialogueHub {
    /// Carries out an authorised frame (the role table was checked by `process`).
    func perform(_ frame: ClientFrame, identity: Identity, on id: ConnectionID) {
        switch frame {
        case .hello:
            break
        case .join(let sessionId, let after):
            withSession(sessionId, for: id) { hub in hub.join(id, sessionId, after: after) }
        case .say(let sessionId, let text, let clientId, let language, let citations):
            withSession(sessionId, for: id, ref: clientId) { hub in
                hub.say(id, sessionId, text: text, clientId: clientId, language: language, citations: citations)
            }
        case .sayPhrase(let sessionId, let phrase, let clientId):
            withSession(sessionId, for: id, ref: clientId) { hub in
                hub.sayPhrase(id, sessionId, phrase: phrase, clientId: clientId)
            }
        case .ask(let sessionId, let text, let clientId):
            withSession(sessionId, for: id, ref: clientId) { hub in hub.ask(id, sessionId, text: text, clientId: clientId) }
        case .approve(let sessionId, let draft, let text):
            withSession(sessionId, for: id) { hub in hub.approve(id, sessionId, draft: draft, text: text) }
        case .reject(let sessionId, let draft, let reason):
            withSession(sessionId, for: id) { hub in hub.reject(id, sessionId, draft: draft, reason: reason) }
        case .moderate(let sessionId, let action, let target, let mode):
            if action == "assistant" {
                guard let mode else {
                    refuse(DialogueError(.badRequest, "moderate assistant needs \"mode\": auto, review or off"), to: id)
                    return
                }
                withSession(sessionId, for: id) { hub in hub.setAssistantMode(id, sessionId, mode: mode) }
                return
            }
            guard let target else {
                refuse(DialogueError(.badRequest, "moderate \(action) needs \"target\""), to: id)
                return
            }
            withSession(sessionId, for: id) { hub in hub.moderate(id, sessionId, action: action, target: target) }
        case .end(let sessionId):
            withSession(sessionId, for: id) { hub in hub.end(id, sessionId) }
        case .leave(let sessionId):
            withSession(sessionId, for: id) { hub in hub.leave(id, sessionId) }
        case .translate(let sessionId, let seq, let language, let text):
            withSession(sessionId, for: id) { hub in
                hub.translate(id, sessionId, seq: seq, language: language, text: text)
            }
        case .rate(let sessionId, let seq, let rating, let reason, let comment, let clientId):
            withSession(sessionId, for: id, ref: clientId) { hub in
                hub.rate(id, sessionId, answer: seq, rating: rating, reason: reason, comment: comment, clientId: clientId)
            }
        }
    }

    /// An investor rates an answer to their own question (the session's rules check whose).
    /// With a `clientId` the rating is acknowledged once stored (the investor does not receive
    /// ratings, which are for officers), and errors name it.
    func rate(
        _ id: ConnectionID, _ sessionId: String, answer: Int64, rating: String, reason: String?, comment: String?,
        clientId: String?
    ) {
        guard let investor = connections[id]?.participant else { return }
        guard core.isMember(id.key, of: sessionId) else {
            refuse(DialogueError(.forbidden, "you are not in session \(sessionId)", ref: clientId), to: id)
            return
        }
        let pack = core.agent(of: sessionId).flatMap { agents.pack(id: $0) } ?? agents.defaultPack
        let reasons = pack.survey.map { Set($0.ratingReasons.map(\.id)) }
        func decide(_ state: inout SessionState) throws -> Event {
            try state.rate(
                by: investor, answer: answer, rating: rating, reason: reason, comment: comment, reasons: reasons,
                at: Timestamp.now(), clientId: clientId)
        }
        guard let clientId else {
            decideAndSubmit(sessionId, for: id) { state in try decide(&state) }
            return
        }
        let decided: Event?
        do {
            decided = try core.withState(of: sessionId) { state in try decide(&state) }
        } catch {
            refuse(DialogueError(error), to: id)
            return
        }
        guard let event = decided else {
            refuse(Self.recovering(ref: clientId), to: id)
            return
        }
        acknowledge(.append(event), clientId: clientId, in: sessionId, to: id)
    }

    /// An officer shares a stored file in a session (from `POST …/attachments`): the
    /// `attachment` event is decided once the session is in memory, and `done` hears its seq
    /// or why it was refused. Runs unattended: no connection of the officer is needed.
    func shareAttachment(
        _ sessionId: String, by officer: Participant, attachment: JSONValue,
        done: @escaping @Sendable (Result<Int64, DialogueError>) -> Void
    ) {
        carryOut(
            core.withSessionUnattended(sessionId) { hub in
                let decided: Event?
                do {
                    decided = try hub.core.withState(of: sessionId) { state in
                        try state.shareAttachment(by: officer, attachment: attachment, at: Timestamp.now())
                    }
                } catch let error as DialogueError {
                    done(.failure(error))
                    return
                } catch {
                    done(.failure(DialogueError(.badRequest, "\(error)")))
                    return
                }
                guard let event = decided else {
                    done(.failure(Self.recovering()))
                    return
                }
                hub.carryOut(hub.core.submit([event], in: sessionId, submitter: nil))
                done(.success(event.seq))
            })
    }

    /// Staff `join`: history after `after`, then live events; an officer's first join is recorded.
    func join(_ id: ConnectionID, _ sessionId: String, after: Int64) {
        guard let participant = connections[id]?.participant else { return }
        // A repeated join restarts the subscription in place (new history, same membership).
        subscribe(id, sessionId, after: after, sendHistory: true)
        // Who waits in the lobby: for those who see it change (officers, interpreters).
        if participant.role.seesDrafts, core.state(of: sessionId)?.info.lobby == true {
            send(lobby.frame(session: sessionId), to: id)
        }
        if participant.role == .officer, core.status(of: sessionId)?.takesMessages == true {
            decideAndSubmit(sessionId, for: id) { state in try state.join(participant, at: Timestamp.now()) }
        }
    }

    /// Makes sure an officer acting in a session is its participant and receives its events.
    func ensureJoined(_ id: ConnectionID, _ sessionId: String) -> Bool {
        guard let connection = connections[id], let participant = connection.participant else { return false }
        if core.isMember(id.key, of: sessionId) { return true }
        guard participant.role == .officer else {
            refuse(DialogueError(.forbidden, "you are not in session \(sessionId)"), to: id)
            return false
        }
        subscribe(id, sessionId, after: core.durableSeq(of: sessionId) ?? 0, sendHistory: false)
        if core.status(of: sessionId)?.takesMessages == true {
            decideAndSubmit(sessionId, for: id) { state in try state.join(participant, at: Timestamp.now()) }
        }
        return true
    }

    func say(
        _ id: ConnectionID, _ sessionId: String, text: String, clientId: String, language: String?,
        citations: JSONValue?
    ) {
        guard let participant = speaker(id, in: sessionId, clientId: clientId, verb: "speak") else { return }
        guard let agent = core.agent(of: sessionId) else { return }
        let decided: SessionState.SayOutcome?
        do {
            // The frame's language, else the sender's unless the script plainly says otherwise.
            let language = language ?? LanguageGuess.language(of: text, declared: participant.language)
            // An officer's citations must be passages the index holds for the session's pack;
            // anyone else's are refused by the session's rules below.
            if let citations, participant.role == .officer {
                try agentSource.citations(agent: agent).check(Citation.list(from: citations, ref: clientId), ref: clientId)
            }
            let glossary = glossaries.active(agent: agent)?.version
            // Decided in place: a copy of the session would copy its client-id table.
            decided = try core.withState(of: sessionId) { state in
                try state.say(
                    by: participant, text: text, clientId: clientId, language: language, citations: citations,
                    at: Timestamp.now(), glossary: glossary)
            }
        } catch {
            refuse(DialogueError(error), to: id)
            return
        }
        guard let outcome = decided else {
            refuse(Self.recovering(ref: clientId), to: id)
            return
        }
        acknowledge(outcome, clientId: clientId, in: sessionId, to: id)
    }

    /// `say` with `phrase`: an officer sends a phrasebook sentence. The event holds the text in
    /// the sender's language and the phrase in every language of the phrasebook, so each
    /// reader gets the agency's own wording at once, in history and transcripts too.
    func sayPhrase(_ id: ConnectionID, _ sessionId: String, phrase phraseId: String, clientId: String) {
        guard let speaker = speaker(id, in: sessionId, clientId: clientId, verb: "speak") else { return }
        guard let agent = core.agent(of: sessionId) else { return }
        let pack = agents.pack(id: agent) ?? agents.defaultPack
        guard let phrase = pack.phrasebook?.phrase(id: phraseId) else {
            refuse(DialogueError(.notFound, "no phrase \"\(phraseId)\" in the phrasebook of \(pack.id)", ref: clientId), to: id)
            return
        }
        let spoken = PhraseChoice(phrase: phrase, senderLanguage: speaker.language, packLanguage: pack.manifest.defaultLanguage)
        let decided: SessionState.SayOutcome?
        do {
            let glossary = glossaries.active(agent: agent)?.version
            decided = try core.withState(of: sessionId) { state in
                try state.say(
                    by: speaker, text: spoken.text, clientId: clientId, language: spoken.language, citations: nil,
                    at: Timestamp.now(), glossary: glossary,
                    extra: ["phrase": .string(phrase.id), "phraseTexts": .object(phrase.texts.mapValues { .string($0) })])
            }
        } catch {
            refuse(DialogueError(error), to: id)
            return
        }
        guard let outcome = decided else {
            refuse(Self.recovering(ref: clientId), to: id)
            return
        }
        acknowledge(outcome, clientId: clientId, in: sessionId, to: id)
    }

    /// The refusal of an action decided while its session recovers (its rules are about to
    /// be replaced): the client retries, with the same clientId.
    static func recovering(ref: String? = nil) -> DialogueError {
        DialogueError(.unavailable, "the session is recovering from a storage error; retry", ref: ref)
    }

    /// Who sends a `say` or `ask` into a session, or nil (refused): an investor who left
    /// must reconnect; an officer not yet in the session joins it on the way.
    func speaker(_ id: ConnectionID, in sessionId: String, clientId: String, verb: String) -> Participant? {
        guard let participant = connections[id]?.participant else { return nil }
        if !core.isMember(id.key, of: sessionId) {
            if participant.role == .investor {
                let why =
                    lobby.isWaiting(id.key)
                    ? "you are waiting in the lobby: an officer has not let you in yet"
                    : "you left this session; reconnect to \(verb) again"
                refuse(DialogueError(.forbidden, why, ref: clientId), to: id)
                return nil
            }
            guard ensureJoined(id, sessionId) else { return nil }
        }
        return core.hasSession(sessionId) ? participant : nil
    }

    /// A `say` or `ask` decided: a repeated clientId gets its first ack (now, or once that
    /// event commits); a new event is queued and its ack owed after the commit.
    func acknowledge(_ outcome: SessionState.SayOutcome, clientId: String, in sessionId: String, to id: ConnectionID) {
        carryOut(core.acknowledge(outcome, clientId: clientId, in: sessionId, to: id.key))
    }

    func moderate(_ id: ConnectionID, _ sessionId: String, action: String, target: String) {
        guard ensureJoined(id, sessionId), let officer = connections[id]?.participant else { return }
        if action == "admit" || action == "decline" {
            // The name the lobby showed (the investor may wait on another node: then the id).
            let name = lobby.waiting(in: sessionId).first { $0.invite == target }?.name ?? target
            decideAndSubmit(sessionId, for: id) { state in
                try state.decideLobby(
                    by: officer, invite: target, name: name, admit: action == "admit", at: Timestamp.now())
            }
            return
        }
        decideAndSubmit(sessionId, for: id) { state in
            try state.moderate(by: officer, action: action, target: target, at: Timestamp.now())
        }
    }

    func end(_ id: ConnectionID, _ sessionId: String) {
        guard ensureJoined(id, sessionId), let officer = connections[id]?.participant else { return }
        decideAndSubmit(sessionId, for: id) { state in try state.end(by: officer, at: Timestamp.now()) }
    }

    func leave(_ id: ConnectionID, _ sessionId: String) {
        guard let participant = connections[id]?.participant else { return }
        guard core.isMember(id.key, of: sessionId) else {
            refuse(DialogueError(.conflict, "you are not in session \(sessionId)"), to: id)
            return
        }
        if !participant.role.isObserver, core.status(of: sessionId)?.takesMessages == true {
            decideAndSubmit(sessionId, for: id) { state in try state.leave(by: participant, at: Timestamp.now()) }
        }
        detach(id, from: sessionId, participant: participant)
    }

    /// Asks the session's rules for an event and queues it for commit; refusals go back as errors.
    func decideAndSubmit(
        _ sessionId: String, for id: ConnectionID, _ decide: (inout SessionState) throws -> Event?
    ) {
        carryOut(core.decideAndSubmit(sessionId, for: id.key, decide))
    }
}
