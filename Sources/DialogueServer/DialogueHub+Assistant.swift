import AgentPacks
import Dialogue
import Glossary
import HubCore
import Retrieval
import Transport

extension DialogueHub {
    /// `ask`: stored as a `question` (acked like a message); the assistant answers once it
    /// is committed (see `afterCommit`).
    func ask(_ id: ConnectionID, _ sessionId: String, text: String, clientId: String) {
        guard let participant = speaker(id, in: sessionId, clientId: clientId, verb: "ask") else { return }
        // A place in the LLM's queue is reserved now (its answer claims it): when the calls
        // and the queue are full, the question is refused rather than left waiting.
        guard let agent = core.state(of: sessionId)?.info.agent else { return }
        let reserves = llm != nil && core.state(of: sessionId)?.info.assistant != .off
        if reserves, !llmGate.reserve() {
            refuse(
                DialogueError(
                    .rateLimited, "the assistant has too many questions waiting; ask again in a moment", ref: clientId),
                to: id)
            return
        }
        let decided: SessionState.SayOutcome?
        do {
            let language = LanguageGuess.language(of: text, declared: participant.language)
            let glossary = glossaries.active(agent: agent)?.version
            decided = try core.withState(of: sessionId) { state in
                try state.ask(
                    by: participant, text: text, clientId: clientId, language: language, at: Timestamp.now(),
                    glossary: glossary)
            }
        } catch {
            if reserves { llmGate.unreserve() }
            refuse(DialogueError(error), to: id)
            return
        }
        guard let outcome = decided else {
            if reserves { llmGate.unreserve() }
            refuse(Self.recovering(ref: clientId), to: id)
            return
        }
        if reserves, case .duplicate = outcome { llmGate.unreserve() }  // answered already
        acknowledge(outcome, clientId: clientId, in: sessionId, to: id)
    }

    /// A committed question: retrieve and compose off the hub, then come back to publish.
    func answerInBackground(_ question: Event) {
        guard let info = core.state(of: question.session)?.info, info.assistant != .off,
            let text = question.text, let pack = agents.pack(id: info.agent) ?? Optional(agents.defaultPack)
        else { return }
        let language = question.body["language"]?.stringValue ?? "en"
        let glossary = glossaries.active(agent: pack.id)?.glossary
        let settings = pack.manifest.retrievalSettings
        let llm = self.llm
        spawn { [retrieval, logger, llmGate] in
            var results: [SearchResult] = []
            do {
                results = try await retrieval.search(
                    SearchQuery(text: text, language: language, k: settings.k, agent: pack.id))
                    .filter { $0.score >= settings.minScore }
            } catch {
                logger.error("assistant retrieval failed", metadata: ["session.id": "\(question.session)", "error": "\(error)"])
            }
            let composer = ExtractiveComposer(pack: pack, glossary: glossary)
            var composition = composer.compose(question: text, language: language, results: results)
            // With an LLM configured and something to answer from, its answer replaces the
            // extractive one when it keeps to the passages; hand-over and confidence stay.
            // A full queue (questions that passed `ask` together) keeps the extractive answer.
            if llm != nil, composition.citations.isEmpty { llmGate.unreserve() }
            if let llm, !composition.citations.isEmpty, await llmGate.acquire() {
                defer { llmGate.release() }
                let terms = glossary.map { glossary in
                    glossary.terms(in: text, language: language).map {
                        ($0.text, glossary.approvedForm(of: $0.conceptIndex, for: language))
                    }
                } ?? []
                if let answer = await llm.answer(
                    question: text, language: language, results: composer.passagesInLanguage(results, language: language),
                    organisation: pack.manifest.organisationName(in: language), terms: terms, glossary: glossary)
                {
                    composition.text = answer.text
                    composition.citations = answer.citations
                    composition.language = language
                    composition.engine = llm.engine
                }
            }
            await self.publishWhenServing(composition, about: question, pack: pack)
        }
    }

    /// Publishes the reply once the session serves: now, after a load, or after the reload
    /// of a session recovering from a failed or contended commit (never dropped meanwhile).
    func publishWhenServing(_ composition: ExtractiveComposer.Composition, about question: Event, pack: AgentPack) {
        carryOut(
            core.withSessionUnattended(question.session) { hub in hub.publish(composition, about: question, pack: pack) })
    }

    /// Stores the assistant's reply in the session's current mode: `auto` an answer, `review`
    /// a draft for officers; a status tells everyone where the question stands.
    func publish(_ composition: ExtractiveComposer.Composition, about question: Event, pack: AgentPack) {
        guard let state = core.state(of: question.session), state.info.status.takesMessages else { return }
        let questionLanguage = question.body["language"]?.stringValue ?? "en"
        // Investors read titles, never the pack's file names (a model may echo one).
        var text = InternalNames.replacingFileNames(in: composition.text, documents: pack.documents)
        // A model may answer in another language than asked: its answer carries the language
        // its body is written in (readers' translations follow it), judged before the contact
        // line in the asker's language is added. The extractive composer writes in the asker's
        // language by construction (quoting another only where the pack lacks it, and saying so).
        let language =
            composition.engine == "extractive" ? composition.language : WrittenLanguage.of(text, claimed: composition.language)
        if let (desk, _) = composition.handover {
            // The investor is told, in their language, who will contact them and how.
            text += "\n\n" + AssistantPhrases.contact(
                questionLanguage, desk: desk.name.text(in: questionLanguage),
                organisation: desk.organisation.text(in: questionLanguage), email: desk.email, phone: desk.phone)
        }
        var fields: [String: JSONValue] = [
            "about": .int(question.seq), "replyTo": .int(question.seq), "text": .string(text),
            "language": .string(language),
            // Per cent, an integer: the canonical form of a stored event has no fractions
            // (docs/transcripts.md); events stored before this carry `confidence` (0…1).
            "confidencePercent": .int(Int64((composition.confidence * 100).rounded())),
            "engine": .string(composition.engine),
            "citations": .array(
                composition.citations.map { citation in
                    var cited: [String: JSONValue] = [
                        "document": .string(citation.document), "title": .string(citation.title),
                        "passage": .string(citation.passage), "source": .string(citation.source),
                    ]
                    // An uploaded document: the version quoted (docs/knowledge.md).
                    if let version = pack.documents.first(where: { $0.id == citation.document })?.version {
                        cited["version"] = .int(Int64(version))
                    }
                    return .object(cited)
                }),
        ]
        let media = PackMedia.cards(for: composition.citations.map(\.document), in: pack)
        if !media.isEmpty { fields["media"] = .array(media) }
        if let version = glossaries.active(agent: pack.id)?.version { fields["glossary"] = .int(Int64(version)) }
        if let (desk, reason) = composition.handover {
            // The desk the topic calls for; when it does not work in the investor's
            // language, the reason names the desk that does (the default desk) as the way in.
            var reason = reason
            let base = LanguageTag.primary(questionLanguage)
            if !desk.languages.map(LanguageTag.primary).contains(base),
                let fallbackId = pack.manifest.handover?.defaultDesk, let fallback = pack.desk(id: fallbackId),
                fallback.languages.map(LanguageTag.primary).contains(base)
            {
                reason += " " + AssistantPhrases.languageBridge(questionLanguage, desk: fallback.name.text(in: questionLanguage))
            }
            var contact: [String: JSONValue] = [
                "desk": .string(desk.id), "name": .string(desk.name.text(in: questionLanguage)),
                "role": .string(desk.role.text(in: questionLanguage)),
                "organisation": .string(desk.organisation.text(in: questionLanguage)),
                "languages": .array(desk.languages.map { .string($0) }), "reason": .string(reason),
            ]
            if let email = desk.email { contact["email"] = .string(email) }
            if let phone = desk.phone { contact["phone"] = .string(phone) }
            fields["contact"] = .object(contact)
        }
        let assistant = SessionState.assistant(name: pack.manifest.name(in: questionLanguage), language: composition.language)
        let now = Timestamp.now()
        let decided: [Event]?
        do {
            decided =
                try core.withState(of: question.session) { state in
                    switch state.info.assistant {
                    case .off:
                        return []
                    case .auto:
                        let status = fields["contact"] != nil ? "handed_over" : "answered"
                        return [
                            try state.assistantEvent(.answer, by: assistant, fields: fields, at: now),
                            try state.assistantEvent(
                                .status, by: assistant, fields: ["about": .int(question.seq), "state": .string(status)],
                                at: now),
                        ]
                    case .review:
                        return [
                            try state.assistantEvent(.draft, by: assistant, fields: fields, at: now),
                            try state.assistantEvent(
                                .status, by: assistant, fields: ["about": .int(question.seq), "state": "reviewing"], at: now),
                        ]
                    }
                }
        } catch {
            logger.error("assistant reply not stored", metadata: ["session.id": "\(question.session)", "error": "\(error)"])
            return
        }
        guard let events = decided else {
            // Run only while the session serves (`publishWhenServing`): said, should that change.
            logger.error("assistant reply not stored: the session is recovering", metadata: ["session.id": "\(question.session)"])
            return
        }
        carryOut(core.submit(events, in: question.session, submitter: nil))
    }

    func approve(_ id: ConnectionID, _ sessionId: String, draft: Int64, text: String?) {
        guard ensureJoined(id, sessionId), var officer = connections[id]?.participant,
            let state = core.state(of: sessionId)
        else { return }
        // `editedBy` records the account, not a display name chosen at hello.
        officer.name = accountName(of: id) ?? officer.name
        let pack = agents.pack(id: state.info.agent) ?? agents.defaultPack
        let language = state.pendingDrafts[draft]?.fields["language"]?.stringValue ?? officer.language
        let assistant = SessionState.assistant(name: pack.manifest.name(in: language), language: language)
        do {
            guard
                let events = try core.withState(of: sessionId, { state in
                    try state.approve(by: officer, draft: draft, text: text, assistant: assistant, at: Timestamp.now())
                })
            else {
                refuse(Self.recovering(), to: id)
                return
            }
            carryOut(core.submit(events, in: sessionId, submitter: id.key))
        } catch {
            refuse(DialogueError(error), to: id)
        }
    }

    func reject(_ id: ConnectionID, _ sessionId: String, draft: Int64, reason: String?) {
        guard ensureJoined(id, sessionId), let officer = connections[id]?.participant,
            let state = core.state(of: sessionId)
        else { return }
        let pack = agents.pack(id: state.info.agent) ?? agents.defaultPack
        let assistant = SessionState.assistant(name: pack.manifest.name(in: officer.language), language: officer.language)
        decideAndSubmit(sessionId, for: id) { state in
            try state.reject(by: officer, draft: draft, reason: reason, assistant: assistant, at: Timestamp.now())
        }
    }

    func setAssistantMode(_ id: ConnectionID, _ sessionId: String, mode: String) {
        guard ensureJoined(id, sessionId), let officer = connections[id]?.participant else { return }
        decideAndSubmit(sessionId, for: id) { state in
            try state.setAssistantMode(by: officer, mode: mode, at: Timestamp.now())
        }
    }
}

extension DialogueHub {
    /// The staff account's own name behind a connection: what `by` and `editedBy` record
    /// (a `hello` may give another display name, which messages show).
    func accountName(of id: ConnectionID) -> String? {
        if case .staff(let account)? = connections[id]?.identity { return account.name }
        return nil
    }
}
