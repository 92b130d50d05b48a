import Dialogue
import Glossary
import HubCore
import Store
import Transport

/// `translate`: an officer or interpreter who joined a session translates one event's text
/// into one of its languages. The session's rules judge the request
/// (`SessionState.checkTranslation`); the event is read and the glossary checked off the
/// hub; the translation is stored (replacing a machine's or an earlier person's) and sent
/// like a machine translation, with `by` and `at`.
extension DialogueHub {
    /// Checks a `translate`, then reads, checks, stores and delivers it off the hub; the
    /// connection's later frames wait meanwhile, so its errors come back in order.
    func translate(_ id: ConnectionID, _ sessionId: String, seq: Int64, language: String, text: String) {
        guard let connection = connections[id], let participant = connection.participant,
            let state = core.state(of: sessionId)
        else { return }
        guard core.isMember(id.key, of: sessionId) else {
            refuse(DialogueError(.forbidden, "join session \(sessionId) before translating its events"), to: id)
            return
        }
        let target: String
        do {
            target = try state.checkTranslation(seq: seq, language: language, text: text)
        } catch {
            refuse(error, to: id)
            return
        }
        let author = TranslationAuthor(
            id: participant.id, name: accountName(of: id) ?? participant.name, role: participant.role.rawValue)
        let agent = state.info.agent
        connections.hold(id.key)
        // Detached: matching the glossary on a long original is work the hub need not wait for.
        spawn { [store, glossaries, logger] in
            let outcome: Result<(StoredTranslation, officersOnly: Bool), DialogueError>
            do {
                let event = try await store.events(session: sessionId, after: seq - 1, limit: 1).first { $0.seq == seq }
                try state.checkTranslationTarget(event, seq: seq, into: target)
                let body = event?.body ?? .null
                let version = body["glossary"]?.intValue.map(Int.init)
                var glossaryOk = true
                if let version, let glossary = await glossaries.glossary(agent: agent, version: version) {
                    let terms = EventTerms(body: body, glossary: glossary)
                    glossaryOk = glossary.keepsTerms(terms.hits, in: text, language: target)
                }
                let translation = StoredTranslation(
                    session: sessionId, seq: seq, language: target, text: text, engine: StoredTranslation.humanEngine,
                    glossaryVersion: version, glossaryOk: glossaryOk, by: author)
                // A person's replaces any other; it is refused only when the event was
                // redacted since it was read (the store decides that in the same statement).
                if try await store.saveTranslation(translation) {
                    outcome = .success((translation, officersOnly: event?.kind.officersOnly ?? false))
                } else {
                    outcome = .failure(
                        DialogueError(.conflict, "seq \(seq) was redacted; it has no text left to translate"))
                }
            } catch let refusal as DialogueError {
                outcome = .failure(refusal)
            } catch {
                logger.error(
                    "translation not stored", metadata: ["session.id": "\(sessionId)", "seq": "\(seq)", "error": "\(error)"])
                outcome = .failure(
                    DialogueError(.unavailable, "the translation could not be stored; nothing was stored, send it again"))
            }
            await self.translated(outcome, for: id)
        }
    }

    /// A `translate` is decided: the translation goes out, or its sender hears why not.
    private func translated(_ outcome: Result<(StoredTranslation, officersOnly: Bool), DialogueError>, for id: ConnectionID) {
        switch outcome {
        case .success(let (translation, officersOnly)):
            translationArrived(translation, officersOnly: officersOnly)
        case .failure(let refusal):
            refuse(refusal, to: id)
        }
        resumeFrames(id)
    }
}

extension DialogueHub {
    /// A draft approved as written keeps its text, so the translations people made of the
    /// draft are translations of the answer too: they are stored for the answer's seq (a
    /// person's, which no machine translation replaces) and sent to its readers. An edited
    /// approval has new text, and its translations start afresh.
    func carryDraftTranslations(to answer: Event) {
        guard answer.body["edited"]?.boolValue == false, let draft = answer.body["draft"]?.intValue else { return }
        spawn { [store, logger] in
            do {
                let made = try await store.translations(session: answer.session, language: nil)
                    .filter { $0.seq == draft && $0.engine == StoredTranslation.humanEngine }
                for var translation in made {
                    translation.seq = answer.seq
                    if try await store.saveTranslation(translation) {
                        await self.translationArrived(translation, officersOnly: false)
                    }
                }
            } catch {
                logger.error(
                    "draft translations not carried to the answer",
                    metadata: ["session.id": "\(answer.session)", "seq": "\(answer.seq)", "error": "\(error)"])
            }
        }
    }
}
