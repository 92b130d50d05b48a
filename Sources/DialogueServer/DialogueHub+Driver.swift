import Dialogue
import HubCore
import Logging
import Store
import Transport

/// The driver's half of the hub: carrying out what `HubCore` decided. Sends and closes go to
/// the transport, appends to the writer, reads to the store in tasks that feed their
/// results back to the core; nothing here decides.
extension DialogueHub {
    /// Carries out actions in order. `terms` are the terms of the commit result the actions
    /// answer, found off the hub (indexed by `Delivery.batchIndex`).
    func carryOut(_ actions: [HubAction<HubWork>], terms: [EventTerms]? = nil) {
        for action in actions { carryOut(action, terms: terms) }
    }

    /// Carries out one action.
    func carryOut(_ action: HubAction<HubWork>, terms: [EventTerms]? = nil) {
        switch action {
        case .run(let work, let key, let sessionId, let thenResume):
            guard core.hasSession(sessionId) else {
                // Unloaded by the work before it (its last reader left): loaded again.
                carryOut(core.withSession(sessionId, for: key, work))
                return
            }
            work(self)
            unloadIfIdle(sessionId)
            if thenResume { resumeFrames(key.id) }
        case .runUnattended(let work, let sessionId):
            guard core.hasSession(sessionId) else {
                carryOut(core.withSessionUnattended(sessionId, work))
                return
            }
            work(self)
            unloadIfIdle(sessionId)
        case .hold(let key):
            connections.hold(key)
        case .resume(let key):
            resumeFrames(key.id)
        case .refuse(let key, let error):
            refuse(error, to: key.id)
        case .close(let key, let code, let reason):
            transport.close(key.id, code: code, reason: reason)
            connections.markClosing(key)
        case .ack(let key, let clientId, let seq):
            send(["type": "ack", "clientId": .string(clientId), "seq": .int(seq)], to: key.id)
        case .deliver(let delivery):
            // Terms found once: in the commit result, or kept by the core for a held event.
            deliver(
                delivery,
                terms: delivery.batchIndex.flatMap { index in terms.map { $0[index] } } ?? delivery.found as? EventTerms)
        case .send(let key, let bytes):
            transport.send(bytes, to: key.id)
        case .presence(let sessionId, let participant, let online, let to):
            let frame: JSONValue = [
                "type": "presence", "session": .string(sessionId), "participant": participant.json(online: online),
            ]
            transport.send(JSONWriter.bytes(frame), to: to.map(\.id))
        case .localPresence(let sessionId, let participant, let online):
            nodePresence?.record(PresenceChange(PresenceKey(session: sessionId, participant: participant), online: online))
        case .submit(let events):
            submittedAgents.note(events) { core.agent(of: $0) }
            store.writer.submit(events)
        case .answer(let question):
            answerInBackground(question)
        case .carryDraftTranslations(let answer):
            carryDraftTranslations(to: answer)
        case .archive(let sessionId):
            archives[sessionId] = Task { [archiver, mailHooks] in
                await archiver.archive(session: sessionId)
                // Sealed now: the transcript mailed is the one signed and archived.
                if let ended = mailHooks.ended { await ended(sessionId) }
                self.archived(sessionId)
            }
        case .translate(let event, let targets, let index):
            guard translator != nil else { return }  // no provider: the terms need not be found
            translateInBackground(event, into: targets, terms: terms?[index] ?? self.terms(of: event))
        case .load(let sessionId, let token):
            spawn { [store, logger] in
                let state: SessionState?
                do {
                    state = try await store.loadState(session: sessionId)
                } catch {
                    logger.error("session load failed", metadata: ["session.id": "\(sessionId)", "error": "\(error)"])
                    state = nil
                }
                await self.loaded(sessionId, token: token, state: state)
            }
        case .reload(let sessionId, let delivered):
            spawn { [store] in
                do {
                    guard let fresh = try await store.loadState(session: sessionId) else {
                        await self.reloadFailed(sessionId, reason: "the session is not in the store")
                        return
                    }
                    let from = min(delivered, fresh.lastSeq)
                    let missed =
                        fresh.lastSeq > from
                        ? try await store.storedFrames(session: sessionId, after: from, limit: Int(fresh.lastSeq - from))
                        : []
                    await self.reloaded(sessionId, fresh, missed: missed.map { (seq: $0.seq, canonical: $0.canonical) })
                } catch {
                    await self.reloadFailed(sessionId, reason: "\(error)")
                }
            }
        case .scheduleReload(let sessionId, let pause):
            spawn {
                try? await Task.sleep(for: .milliseconds(pause))
                await self.reloadTimerFired(sessionId)
            }
        case .reopenWriter(let sessionId):
            store.writer.reopen(session: sessionId)
        case .readHistory(let read):
            readHistory(read)
        case .recheckHistoryQueue(let read, let pause):
            // The queue is measured in this task (the transport's count is thread-safe) until
            // it is within the bound or the connection is gone: one task and one hop to the
            // hub per drained queue, not one per pause.
            let bound = core.limits.historyQueueBytes
            spawn { [transport] in
                repeat {
                    do { try await Task.sleep(for: .milliseconds(pause)) } catch { return }  // shutting down
                } while (transport.queuedBytes(for: read.connection.id) ?? 0) > bound
                await self.historyQueueCheck(read)
            }
        case .readBehind(let after):
            let page = core.limits.readBehindPage
            spawn { [store] in
                do {
                    let frames = try await store.storedFrames(after: after, limit: page)
                    await self.readBehindFinished(
                        after, frames: frames.mapValues { $0.map { (seq: $0.seq, canonical: $0.canonical) } })
                } catch {
                    await self.readBehindFailed(after, reason: "\(error)")
                }
            }
        case .scheduleReadBehind(let pause):
            spawn {
                try? await Task.sleep(for: .milliseconds(pause))
                await self.readBehindTimerFired()
            }
        case .retryJoin(let key, let sessionId, let language):
            retryJoin(key.id, sessionId, language: language)
        case .retrySay(let key, let event):
            retrySay(key.id, event)
        case .storeReachability:
            announceReachability()
        case .lobbyDecided(let sessionId, let invite, let admitted):
            lobbyDecided(sessionId, invite: invite, admitted: admitted)
        case .notifyDesk(let answer):
            if let notify = mailHooks.handover { spawn { await notify(answer) } }
        case .lobbyClosed(let sessionId):
            for key in lobby.takeAll(in: sessionId) {
                unauthorized("the session ended before an officer let you in", to: key.id)
            }
        case .sessionsInMemory(let count):
            metrics.setLiveSessions(count)
        case .log(let entry):
            // An error's detail is the error; an info line's is only more detail.
            logger.log(
                level: entry.level == .error ? .error : .info, "\(entry.message)",
                metadata: ["session.id": "\(entry.session)", entry.level == .error ? "error" : "detail": "\(entry.detail)"])
        }
    }

    /// Starts a task for a read or a timer, kept until it ends (never dropped).
    func spawn(_ operation: @escaping @Sendable () async -> Void) {
        guard !tasksStopped else { return }  // shutting down: no new reads or timers
        nextTask += 1
        let number = nextTask
        tasks[number] = Task.detached {
            await operation()
            await self.taskEnded(number)
        }
    }

    /// A task started by `spawn` is done.
    func taskEnded(_ number: UInt64) { tasks[number] = nil }

    /// Waits for the driver's reads and timers (at shutdown: timers are cancelled first).
    func waitForTasks() async {
        tasksStopped = true
        for task in tasks.values { task.cancel() }
        while let task = tasks.values.first { await task.value }  // each removes itself
    }

    // MARK: Results fed back to the core

    /// A session read from the store (nil: not there, or the read failed).
    func loaded(_ sessionId: String, token: UInt64, state: SessionState?) {
        carryOut(core.sessionLoaded(sessionId, token: token, state: state))
    }

    /// A recovering session read again, with the events stored after what was delivered.
    func reloaded(_ sessionId: String, _ state: SessionState, missed: [(seq: Int64, canonical: [UInt8])]) {
        carryOut(core.reloaded(sessionId, state: state, missed: missed))
    }

    /// Reading a recovering session failed.
    func reloadFailed(_ sessionId: String, reason: String) {
        carryOut(core.reloadFailed(sessionId, reason: reason))
    }

    /// The pause after a failed reload is over.
    func reloadTimerFired(_ sessionId: String) {
        carryOut(core.reloadTimerFired(sessionId))
    }

    /// The pause after a reader's full queue is over: the queue is measured again.
    func historyQueueCheck(_ read: HistoryRead) {
        carryOut(core.historyQueueChecked(read, queuedBytes: transport.queuedBytes(for: read.connection.id) ?? 0))
    }

    /// A history page read and framed, with the reader's queue measured now.
    func historyPageRead(_ read: HistoryRead, events: [[UInt8]], through: Int64?) {
        carryOut(
            core.historyPage(
                read, events: events, through: through, queuedBytes: transport.queuedBytes(for: read.connection.id) ?? 0))
    }

    /// A history page could not be read.
    func historyReadFailed(_ read: HistoryRead) {
        carryOut(core.historyFailed(read))
    }

    /// Other nodes' events read after the seqs asked for.
    func readBehindFinished(_ after: [String: Int64], frames: [String: [(seq: Int64, canonical: [UInt8])]]) {
        carryOut(core.readBehindFinished(after, frames: frames))
    }

    /// Reading other nodes' events failed.
    func readBehindFailed(_ after: [String: Int64], reason: String) {
        carryOut(core.readBehindFailed(after, reason: reason))
    }

    /// The pause after a failed read of other nodes' events is over.
    func readBehindTimerFired() {
        carryOut(core.readBehindTimerFired())
    }

    // MARK: Sending events

    /// Sends an event to the readers the core chose, making its frame once per reader
    /// language. `known` are its terms when found already (else found here).
    func deliver(_ delivery: Delivery, terms known: EventTerms?) {
        let event = delivery.event
        if !delivery.byLanguage.isEmpty {
            // Terms are found once per event and encoded once per reader language.
            let terms = known ?? self.terms(of: event)
            // A phrase carries its own translations: each reader language gets the agency's wording.
            let isPhrase = event.body["phraseTexts"] != nil
            for (language, keys) in delivery.byLanguage {
                let translation = isPhrase ? ReaderTranslation.bytes(body: event.body, stored: nil, for: language) : nil
                transport.send(
                    Self.frame(event, canonical: delivery.canonical, terms: terms.bytes(for: language), translation: translation),
                    to: keys.map(\.id))
            }
        }
        if let withoutReview = delivery.withoutReview, !delivery.withoutReviewReaders.isEmpty {
            // A `status` has no text: one frame serves every language.
            transport.send(
                Self.frame(event, canonical: withoutReview, terms: Array("[]".utf8)),
                to: delivery.withoutReviewReaders.map(\.id))
        }
    }

    // MARK: History

    /// Reads one history page off the hub, frames it for its reader, and feeds it back.
    func readHistory(_ read: HistoryRead) {
        spawn { [store, glossaries, logger] in
            do {
                let page = try await store.storedFrames(
                    session: read.session, after: read.after, limit: Self.historyPageSize
                ).filter { $0.seq <= read.upTo }
                // A body that is not an object (a damaged database) is skipped, never sent raw.
                var visible = page.filter {
                    (read.seesDrafts || !$0.kind.officersOnly) && $0.canonical.first == UInt8(ascii: "{")
                        && $0.canonical.last == UInt8(ascii: "}")
                }
                if !read.seesDrafts {
                    // A rejection's reason and who rejected go only to readers who see drafts.
                    for index in visible.indices {
                        if let stripped = ReviewFields.canonicalForReadersWithoutDrafts(
                            kind: visible[index].kind, canonical: visible[index].canonical)
                        {
                            visible[index].canonical = stripped
                        }
                    }
                }
                var frames: [[UInt8]] = []
                if let last = page.last {
                    let translations =
                        (try? await store.translations(
                            session: read.session, from: page.first?.seq ?? 0, to: last.seq,
                            language: LanguageTag.primary(read.language))) ?? [:]
                    for stored in visible {
                        frames.append(
                            await Self.frame(
                                stored, language: read.language, agent: read.agent, glossaries: glossaries,
                                translation: translations[stored.seq]))
                    }
                }
                await self.historyPageRead(read, events: frames, through: page.last?.seq)
            } catch {
                logger.error("history read failed", metadata: ["session.id": "\(read.session)", "error": "\(error)"])
                await self.historyReadFailed(read)
            }
        }
    }

    // MARK: Deciding again after contention

    /// Decides again a join another node's events overtook, for a member still connected.
    func retryJoin(_ id: ConnectionID, _ sessionId: String, language: String?) {
        guard let record = connections[id], !record.closing, core.isMember(id.key, of: sessionId),
            var participant = record.participant
        else { return }
        if let language { participant.language = language }
        decideAndSubmit(sessionId, for: id) { state in try state.join(participant, at: Timestamp.now()) }
    }

    /// Decides again a message or question another node's events overtook.
    func retrySay(_ id: ConnectionID, _ event: Event) {
        guard let record = connections[id], !record.closing, let clientId = event.clientId,
            let text = event.body["text"]?.stringValue
        else { return }
        if event.kind == .question {
            ask(id, event.session, text: text, clientId: clientId)
        } else {
            say(
                id, event.session, text: text, clientId: clientId, language: event.body["language"]?.stringValue,
                citations: event.body["citations"])
        }
    }
}

extension DialogueError {
    /// A refusal from an error thrown while deciding: the rules throw `DialogueError`s;
    /// anything else is reported as a bad request, as before.
    init(_ error: any Error) {
        self = error as? DialogueError ?? DialogueError(.badRequest, "\(error)")
    }
}
