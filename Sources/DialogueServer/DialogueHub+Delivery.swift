import Dialogue
import Store
import Transport

extension DialogueHub {
    /// Largest history frame: a page of 256 events is cut earlier when it would pass this,
    /// so no frame outgrows clients' limits or a reader's outgoing queue.
    static let historyFrameBudget = 512 * 1024
    /// History waits while more than this is queued for the reader: the reader's pace, not
    /// the database's, sets the speed, and memory per reader stays near this bound.
    static let historyQueueBound = 1024 * 1024
    /// Live events held for a reader still receiving history, in bytes, before it is closed
    /// as too slow (the same bound as the transport's outgoing queue).
    static let catchUpBufferBound = 8 * 1024 * 1024
    /// Events read per history page (at most 64 KiB each, so a page stays within 4 MiB).
    static let historyPageSize = 64

    /// Adds a connection to a session's readers, or restarts its subscription when it is one
    /// already. With `sendHistory`, the events after `after` up to the last committed one are
    /// sent first, and live events wait meanwhile. Each start gets a new generation: history
    /// of a superseded start is dropped, so a reader never gets two histories interleaved.
    func subscribe(_ id: ConnectionID, _ sessionId: String, after: Int64, sendHistory: Bool) {
        guard let upTo = sessions[sessionId]?.durableSeq, let connection = connections[id] else { return }
        let alreadyMember = sessions[sessionId]!.members[id] != nil
        nextGeneration += 1
        let generation = nextGeneration
        sessions[sessionId]!.members[id] = sendHistory ? .catchingUp(upTo: upTo, generation: generation) : .live
        sessions[sessionId]!.readers[id] = Reader(
            language: connection.language, seesDrafts: connection.seesDrafts,
            getsEveryTranslation: connection.getsEveryTranslation)
        sessions[sessionId]!.catchUpBuffers[id] = nil
        sessions[sessionId]!.catchUpBytes[id] = nil
        connections[id]?.sessions.insert(sessionId)
        if !alreadyMember, let participant = connection.participant, !participant.role.isObserver {
            let cameOnline = !isOnline(sessionId, participant.id)
            if sessions[sessionId]!.onlineCount[participant.id] == nil {
                localPresenceChanged(sessionId, participant.id, online: true)
            }
            sessions[sessionId]!.onlineCount[participant.id, default: 0] += 1
            if cameOnline { broadcastPresence(sessionId, participantId: participant.id, excluding: id) }
        }
        guard sendHistory else { return }
        let officer = connection.seesDrafts
        let language = connection.language
        let agent = sessions[sessionId]!.state.info.agent
        // Detached: reading and framing history is work the hub need not wait for; frames
        // come back through the hub, which drops them if this subscription was superseded.
        Task.detached { [store, transport, logger, glossaries] in
            var cursor = after
            var sentComplete = false
            do {
                while cursor < upTo {
                    let page = try await store.storedFrames(
                        session: sessionId, after: cursor, limit: Self.historyPageSize
                    ).filter { $0.seq <= upTo }
                    guard let last = page.last else { break }
                    cursor = last.seq
                    // A body that is not an object (a damaged database) is skipped, never sent raw.
                    var visible = page.filter {
                        (officer || !$0.kind.officersOnly) && $0.canonical.first == UInt8(ascii: "{")
                            && $0.canonical.last == UInt8(ascii: "}")
                    }
                    if !officer {
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
                    let translations =
                        (try? await store.translations(
                            session: sessionId, from: page.first?.seq ?? 0, to: last.seq,
                            language: LanguageTag.primary(language))) ?? [:]
                    for stored in visible {
                        frames.append(
                            await Self.frame(
                                stored, language: language, agent: agent, glossaries: glossaries,
                                translation: translations[stored.seq]))
                    }
                    let chunks = Self.chunks(frames)
                    for (index, chunk) in chunks.enumerated() {
                        let complete = cursor >= upTo && index == chunks.count - 1
                        let frame = Self.historyFrame(session: sessionId, events: chunk, complete: complete)
                        while let queued = transport.queuedBytes(for: id), queued > Self.historyQueueBound {
                            try await Task.sleep(for: .milliseconds(5))
                        }
                        guard await self.deliverHistory(frame, to: id, sessionId, generation) else { return }
                        sentComplete = complete
                    }
                }
                await self.finishCatchUp(id, sessionId, generation, needsClosingFrame: !sentComplete)
            } catch {
                logger.error("history read failed", metadata: ["session.id": "\(sessionId)", "error": "\(error)"])
                await self.historyFailed(id, sessionId, generation)
            }
        }
    }

    /// Splits event frames into history frames of at most 256 events and about
    /// `historyFrameBudget` bytes (one event always fits, whatever its size).
    nonisolated static func chunks(_ frames: [[UInt8]]) -> [[[UInt8]]] {
        var chunks: [[[UInt8]]] = []
        var current: [[UInt8]] = []
        var bytes = 0
        for frame in frames {
            if !current.isEmpty && (current.count == 256 || bytes + frame.count > historyFrameBudget) {
                chunks.append(current)
                current = []
                bytes = 0
            }
            current.append(frame)
            bytes += frame.count + 1
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    /// Whether `generation` is still the connection's current catch-up in the session.
    func isCatchingUp(_ id: ConnectionID, _ sessionId: String, _ generation: UInt64) -> Bool {
        guard case .catchingUp(_, let current) = sessions[sessionId]?.members[id] else { return false }
        return current == generation
    }

    /// Sends one history frame if its subscription is still current; false tells the reader to stop.
    func deliverHistory(_ frame: [UInt8], to id: ConnectionID, _ sessionId: String, _ generation: UInt64) -> Bool {
        guard isCatchingUp(id, sessionId, generation) else { return false }
        transport.send(frame, to: id)
        return true
    }

    /// History is out: send what arrived meanwhile and go live.
    func finishCatchUp(_ id: ConnectionID, _ sessionId: String, _ generation: UInt64, needsClosingFrame: Bool) {
        guard isCatchingUp(id, sessionId, generation) else { return }
        if needsClosingFrame {
            transport.send(Self.historyFrame(session: sessionId, events: [], complete: true), to: id)
        }
        let officer = connections[id]?.seesDrafts == true
        let language = connections[id]?.language ?? "en"
        sessions[sessionId]!.catchUpBytes[id] = nil
        for pending in sessions[sessionId]!.catchUpBuffers.removeValue(forKey: id) ?? []
        where officer || !pending.event.kind.officersOnly {
            let terms = pending.terms
            transport.send(
                Self.frame(
                    pending.event, canonical: pending.canonical, terms: terms.bytes(for: language),
                    translation: ReaderTranslation.bytes(body: pending.event.body, stored: nil, for: language)),
                to: id)
        }
        sessions[sessionId]!.members[id] = .live
    }

    /// A history read failed: the reader would have a gap, so it is told and closed (1011) and
    /// resumes from its last seq on reconnecting.
    func historyFailed(_ id: ConnectionID, _ sessionId: String, _ generation: UInt64) {
        guard isCatchingUp(id, sessionId, generation) else { return }
        refuse(DialogueError(.unavailable, "history could not be read; reconnect with resume"), to: id)
        transport.close(id, code: 1011, reason: "history unavailable")
        connections[id]?.closing = true
    }

    /// A `history` frame around event frames that are already bytes.
    nonisolated static func historyFrame(session: String, events: [[UInt8]], complete: Bool) -> [UInt8] {
        var out = Array(#"{"type":"history","session":"#.utf8)
        out.append(contentsOf: JSONWriter.bytes(.string(session)))
        out.append(contentsOf: #","complete":"#.utf8)
        out.append(contentsOf: (complete ? "true" : "false").utf8)
        out.append(contentsOf: #","events":["#.utf8)
        for (index, event) in events.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: event)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// A stored event's frame for one reader, spliced from its stored bytes; events with text
    /// get their terms found with the glossary version they name.
    nonisolated static func frame(
        _ stored: StoredFrame, language: String, agent: String, glossaries: GlossaryRegistry,
        translation: StoredTranslation? = nil
    ) async -> [UInt8] {
        guard stored.kind.hasText else { return Event.frameBytes(canonical: stored.canonical, hasText: false) }
        guard let body = try? JSONParser.parse(stored.canonical) else {
            return Event.frameBytes(
                canonical: stored.canonical, hasText: true, translation: translation.map { JSONWriter.bytes($0.json) })
        }
        if body["text"] == nil, body["textHash"] != nil || body["citationsHash"] != nil {
            // Redacted: marked so, with no terms or translation of a text that is gone.
            return Array(#"{"type":"event","redacted":true,"terms":[],"#.utf8) + stored.canonical.dropFirst()
        }
        let translationBytes = ReaderTranslation.bytes(body: body, stored: translation, for: language)
        guard let version = body["glossary"]?.intValue,
            let glossary = await glossaries.glossary(agent: agent, version: Int(version))
        else { return Event.frameBytes(canonical: stored.canonical, hasText: true, translation: translationBytes) }
        let terms = EventTerms(body: body, glossary: glossary)
        return Event.frameBytes(
            canonical: stored.canonical, hasText: true, terms: terms.bytes(for: language), translation: translationBytes)
    }

    /// An event's frame for one reader, spliced onto its canonical JSON (which the writer
    /// already made for hashing) instead of encoding the event again, with the reader
    /// language's `terms`.
    nonisolated static func frame(
        _ event: Event, canonical: [UInt8], terms: [UInt8], translation: [UInt8]? = nil
    ) -> [UInt8] {
        Event.frameBytes(canonical: canonical, hasText: event.kind.hasText, terms: terms, translation: translation)
    }

    /// The terms of a live event, found with the glossary version it names (kept parsed
    /// while recent, so this never waits on the store).
    func terms(of event: Event) -> EventTerms {
        guard event.kind.hasText, let version = event.body["glossary"]?.intValue,
            let agent = sessions[event.session]?.state.info.agent
        else { return .empty }
        return EventTerms(body: event.body, glossary: glossaries.cached(agent: agent, version: Int(version)))
    }

    /// The agents of the sessions a commit touches, for finding terms off the hub.
    func agents(of result: CommitResult) -> [String: String] {
        var agents: [String: String] = [:]
        for event in result.committed where agents[event.session] == nil {
            agents[event.session] = sessions[event.session]?.state.info.agent
        }
        return agents
    }

    /// The terms of each committed event, found before the commit reaches the hub: matching
    /// a 64 KiB text takes a while, and the hub must not wait on it.
    nonisolated static func terms(
        of result: CommitResult, agents: [String: String], glossaries: GlossaryRegistry
    ) -> [EventTerms] {
        result.committed.map { event in
            guard event.kind.hasText, let version = event.body["glossary"]?.intValue, let agent = agents[event.session]
            else { return .empty }
            return EventTerms(body: event.body, glossary: glossaries.cached(agent: agent, version: Int(version)))
        }
    }

    /// Applies a commit: acks, then the events to every member, in seq order. `terms` are
    /// the events' terms when found already (else they are found here).
    func didCommit(_ result: CommitResult, terms: [EventTerms]? = nil) {
        let now = result.committedAt
        metrics.committed(latencies: result.submittedAt.map { Double(now &- $0) / 1e9 })
        for (index, (event, canonical)) in zip(result.committed, result.canonical).enumerated() {
            guard let durable = sessions[event.session]?.durableSeq else { continue }
            sessions[event.session]!.settledSeq = max(sessions[event.session]!.settledSeq, event.seq)
            // Read from the store already (another node's notice came first): delivered once.
            if event.seq <= durable { continue }
            sessions[event.session]!.durableSeq = max(durable, event.seq)
            let acks = sessions[event.session]!.pendingAcks.removeValue(forKey: event.seq) ?? []
            sessions[event.session]!.pendingSubmitters[event.seq] = nil
            for (connection, clientId) in acks {
                send(["type": "ack", "clientId": .string(clientId), "seq": .int(event.seq)], to: connection)
            }
            broadcast(event, canonical: canonical, terms: terms?[index])
            afterCommit(event)
            if [.message, .question, .answer].contains(event.kind) {
                translateInBackground(event, terms: terms?[index] ?? self.terms(of: event))
            }
        }
        if !result.failed.isEmpty { failed(result.failed) }
        let touched = Set(result.committed.map(\.session))
        catchUpIfSettled(touched)
        for sessionId in touched { unloadIfIdle(sessionId) }
    }

    /// Sends an event to a session's members, making its frame once per reader language.
    func broadcast(_ event: Event, canonical: [UInt8], terms known: EventTerms? = nil) {
        guard let members = sessions[event.session]?.members else { return }
        var live: [String: [ConnectionID]] = [:]
        var tooSlow: [(ConnectionID, Participant?)] = []
        var found = known
        func eventTerms() -> EventTerms {
            if let found { return found }
            let computed = self.terms(of: event)
            found = computed
            return computed
        }
        let readers = sessions[event.session]!.readers
        // A rejection's reason and who rejected go only to readers who see drafts.
        let withoutReview = ReviewFields.canonicalForReadersWithoutDrafts(kind: event.kind, canonical: canonical)
        var liveWithoutReview: [ConnectionID] = []
        for (id, subscription) in members {
            guard let reader = readers[id] else { continue }
            if event.kind.officersOnly && !reader.seesDrafts { continue }
            let readerCanonical = reader.seesDrafts ? canonical : withoutReview ?? canonical
            switch subscription {
            case .live:
                if withoutReview != nil && !reader.seesDrafts {
                    liveWithoutReview.append(id)
                } else {
                    live[reader.language, default: []].append(id)
                }
            case .catchingUp(let upTo, _):
                guard event.seq > upTo else { continue }
                sessions[event.session]!.catchUpBuffers[id, default: []].append(
                    PendingFrame(event: event, canonical: readerCanonical, terms: eventTerms()))
                sessions[event.session]!.catchUpBytes[id, default: 0] += canonical.count
                if sessions[event.session]!.catchUpBytes[id]! > Self.catchUpBufferBound {
                    tooSlow.append((id, connections[id]?.participant))
                }
            }
        }
        // Terms are found once per event and encoded once per reader language.
        let terms = live.isEmpty ? .empty : eventTerms()
        // A phrase carries its own translations: each reader language gets the agency's wording.
        let isPhrase = event.body["phraseTexts"] != nil
        for (language, ids) in live {
            let translation = isPhrase ? ReaderTranslation.bytes(body: event.body, stored: nil, for: language) : nil
            transport.send(
                Self.frame(event, canonical: canonical, terms: terms.bytes(for: language), translation: translation),
                to: ids)
        }
        if let withoutReview, !liveWithoutReview.isEmpty {
            // A `status` has no text: one frame serves every language.
            transport.send(Self.frame(event, canonical: withoutReview, terms: Array("[]".utf8)), to: liveWithoutReview)
        }
        // A reader this far behind while receiving history is the outbox's "too slow" case.
        for (id, participant) in tooSlow {
            transport.close(id, code: 1008, reason: "too slow: outgoing queue full")
            connections[id]?.closing = true
            detach(id, from: event.session, participant: participant)
        }
    }

    /// Effects beyond delivery: presence for mutes, closing removed investors, archiving ended sessions.
    func afterCommit(_ event: Event) {
        switch event.kind {
        case .moderation:
            guard let target = event.body["target"]?.stringValue else { return }
            if event.body["action"]?.stringValue == "remove" {
                for (id, connection) in connections
                where connection.identity?.participantId == target && connection.sessions.contains(event.session) {
                    transport.close(id, code: 1008, reason: "removed")
                    connections[id]?.closing = true
                }
            } else {
                broadcastPresence(event.session, participantId: target)
            }
        case .question:
            answerInBackground(event)
        case .answer:
            carryDraftTranslations(to: event)
        case .ended:
            let sessionId = event.session
            archives[sessionId] = Task { [archiver] in
                await archiver.archive(session: sessionId)
                self.archived(sessionId)
            }
        default:
            break
        }
    }

    /// An archive finished.
    func archived(_ sessionId: String) { archives[sessionId] = nil }

    /// Waits for transcripts being written (at shutdown).
    func waitForArchives() async {
        for task in archives.values { await task.value }
    }

    /// Waits for a session's transcript being written, if it is: its final head is signed
    /// then, so a verification or export right after `ended` does not find it missing.
    func waitForArchive(session sessionId: String) async {
        await archives[sessionId]?.value
    }

    /// Storage refused events: tell their senders, and rebuild the session's rules from disk
    /// once, answering `unavailable` to its actions until then, so no decision is taken on a
    /// state that assumed the lost events.
    func failed(_ failures: [FailedAppend]) {
        metrics.commitFailed(events: failures.count)
        for sessionId in Set(failures.map(\.event.session)) where sessions[sessionId] == nil {
            store.writer.reopen(session: sessionId)  // nothing here to reload
        }
        for failure in failures {
            if let session = sessions[failure.event.session] {
                session.settledSeq = max(session.settledSeq, failure.event.seq)
            }
        }
        if store.isShared {
            collectRetries(failures)
        } else {
            for sessionId in Set(failures.map(\.event.session)) where sessions[sessionId] != nil {
                let firstFailed = failures.filter { $0.event.session == sessionId }.map(\.event.seq).min() ?? 0
                failPendingAcks(sessionId, above: firstFailed - 1)
            }
        }
        for sessionId in Set(failures.map(\.event.session)) where sessions[sessionId] != nil {
            logger.log(
                level: store.isShared ? .info : .error, "events not stored",
                metadata: ["session.id": "\(sessionId)", "error": "\(failures[0].error)"])
            guard recovering.insert(sessionId).inserted else { continue }
            Task { await self.recover(sessionId) }
        }
    }

    /// On a shared store an event refused as out of sequence lost a race with another node:
    /// its join, message or question is decided again once the session is reloaded, and its
    /// sender gets the ack of that one. Other refusals are told to their senders.
    private func collectRetries(_ failures: [FailedAppend]) {
        for failure in failures where failure.event.kind == .joined {
            // Out of sequence: another node's event took the seq (or this one followed such a
            // refusal). The member stays; its join is decided again after the reload.
            guard case .outOfSequence = failure.error, let session = sessions[failure.event.session],
                let submitter = session.pendingSubmitters[failure.event.seq], submitter.kind == .joined
            else { continue }
            session.pendingSubmitters[failure.event.seq] = nil
            joinsToRetry[failure.event.session, default: []].append(
                (submitter.connection, failure.event.body["language"]?.stringValue))
        }
        for failure in failures where [.message, .question].contains(failure.event.kind) {
            guard case .outOfSequence = failure.error, let session = sessions[failure.event.session],
                let clientId = failure.event.clientId, let waiting = session.pendingAcks[failure.event.seq]
            else { continue }
            let others = waiting.filter { $0.1 != clientId }
            session.pendingAcks[failure.event.seq] = others.isEmpty ? nil : others
            for (connection, owed) in waiting where owed == clientId {
                saysToRetry[failure.event.session, default: []].append((connection, failure.event))
            }
        }
        for failure in failures {
            if case .outOfSequence = failure.error { continue }
            // Not contention (storage refused it): its sender is told, as on a single node.
            refuseOwed(failure.event.session, seq: failure.event.seq)
        }
    }

    /// Reloads a session's rules after a failed commit, retrying until the store answers.
    /// Events another node stored meanwhile (which took the seqs this node had decided) are
    /// in the reloaded rules; they are delivered here too, then the writer takes the
    /// session's events again.
    private func recover(_ sessionId: String) async {
        // Every event this node decided for the session comes back first (stored or refused):
        // none may still be in the writer when it takes the session's events again.
        let lastDecided = sessions[sessionId]?.state.lastSeq ?? 0
        while let session = sessions[sessionId], session.settledSeq < lastDecided {
            try? await Task.sleep(for: .milliseconds(2))
        }
        var pause = Duration.milliseconds(200)
        while true {
            do {
                if let fresh = try await store.loadState(session: sessionId) {
                    let delivered = min(sessions[sessionId]?.durableSeq ?? fresh.lastSeq, fresh.lastSeq)
                    let missed =
                        fresh.lastSeq > delivered
                        ? try await store.storedFrames(
                            session: sessionId, after: delivered, limit: Int(fresh.lastSeq - delivered)) : []
                    let live = sessions[sessionId] != nil
                    replaceState(sessionId, with: fresh, failingAbove: delivered)
                    if live {
                        for frame in missed {
                            guard let event = try? Event(body: JSONParser.parse(frame.canonical)) else { continue }
                            deliverStored(event, canonical: frame.canonical)
                        }
                    }
                    store.writer.reopen(session: sessionId)
                    retryJoins(sessionId)
                    retrySays(sessionId)
                    for (connection, work) in deferredWork.removeValue(forKey: sessionId) ?? [] {
                        if sessions[sessionId] != nil { work(self) }
                        resumeFrames(connection)
                    }
                    catchUpIfSettled([sessionId])
                    unloadIfIdle(sessionId)
                    return
                }
            } catch {
                logger.error("session reload failed", metadata: ["session.id": "\(sessionId)", "error": "\(error)"])
            }
            // Backing off: a store that is overloaded rather than gone gets no retry storm.
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(3))
        }
    }

    /// Refuses every ack still owed for seqs above `seq`: those events were not stored.
    private func failPendingAcks(_ sessionId: String, above seq: Int64) {
        guard let session = sessions[sessionId] else { return }
        let owed = Set(session.pendingSubmitters.keys).union(session.pendingAcks.keys)
        for unstored in owed.sorted() where unstored > seq { refuseOwed(sessionId, seq: unstored) }
    }

    /// Tells whoever waits on one seq that its event was not stored. Senders may retry with
    /// the same clientId; whoever asked for another kind of event is told too; a connection
    /// whose `joined` was lost is closed (1011), since its membership rests on that event,
    /// and comes back on reconnecting.
    private func refuseOwed(_ sessionId: String, seq: Int64) {
        guard let session = sessions[sessionId] else { return }
        if let submitter = session.pendingSubmitters.removeValue(forKey: seq) {
            refuse(
                DialogueError(.unavailable, "storage refused the \(submitter.kind.rawValue) event; nothing was stored"),
                to: submitter.connection)
            if submitter.kind == .joined {
                transport.close(submitter.connection, code: 1011, reason: "storage unavailable; reconnect")
                connections[submitter.connection]?.closing = true
            }
        }
        for (connection, clientId) in session.pendingAcks.removeValue(forKey: seq) ?? [] {
            refuse(
                DialogueError(.unavailable, "the message could not be stored; retry with the same clientId", ref: clientId),
                to: connection)
        }
    }

    /// Decides again the messages and questions another node's events overtook.
    private func retrySays(_ sessionId: String) {
        for (connection, event) in saysToRetry.removeValue(forKey: sessionId) ?? [] {
            guard let record = connections[connection], !record.closing, let clientId = event.clientId,
                let text = event.body["text"]?.stringValue
            else { continue }
            if event.kind == .question {
                ask(connection, sessionId, text: text, clientId: clientId)
            } else {
                say(
                    connection, sessionId, text: text, clientId: clientId,
                    language: event.body["language"]?.stringValue, citations: event.body["citations"])
            }
        }
    }

    /// Decides again the joins another node's events overtook, for members still connected.
    private func retryJoins(_ sessionId: String) {
        for (connection, language) in joinsToRetry.removeValue(forKey: sessionId) ?? [] {
            guard let record = connections[connection], !record.closing, record.sessions.contains(sessionId),
                var participant = record.participant
            else { continue }
            if let language { participant.language = language }
            decideAndSubmit(sessionId, for: connection) { state in try state.join(participant, at: Timestamp.now()) }
        }
    }

    /// Puts a session's rules reloaded from the store in place. Whatever this node decided
    /// above `failingAbove` (default: the reloaded last seq) was not stored: its acks fail.
    func replaceState(_ sessionId: String, with state: SessionState, failingAbove: Int64? = nil) {
        recovering.remove(sessionId)
        guard sessions[sessionId] != nil else { return }
        failPendingAcks(sessionId, above: failingAbove ?? state.lastSeq)
        sessions[sessionId]!.state = state
        sessions[sessionId]!.durableSeq = state.lastSeq
        unloadIfIdle(sessionId)
    }

    /// Tells a session's members that a participant came online, went offline, or was (un)muted.
    func broadcastPresence(_ sessionId: String, participantId: String, excluding: ConnectionID? = nil) {
        guard let session = sessions[sessionId] else { return }
        var participant = session.state.participant(participantId)
        if participant == nil {
            participant = connections.values.first { $0.participant?.id == participantId }?.participant
        }
        guard let participant else { return }
        let frame: JSONValue = [
            "type": "presence", "session": .string(sessionId),
            "participant": participant.json(online: isOnline(sessionId, participantId)),
        ]
        let bytes = JSONWriter.bytes(frame)
        transport.send(bytes, to: session.members.keys.filter { $0 != excluding })
    }
}
