import Dialogue

/// Readers: subscriptions (history first, then live), commits turned into acks and
/// deliveries in seq order, and the catch-up that joins history to live events with no gap.
extension HubCore {
    /// Adds a connection to a session's readers, or restarts its subscription when it is one
    /// already. With `sendHistory`, the events after `after` up to the last committed one are
    /// read first (`readHistory`), and live events wait meanwhile; a reader already up to
    /// date gets the empty `complete` history frame at once and goes live, with no read (a
    /// reconnect at the end of a session costs no round trip, and works while the store is
    /// down). Each start gets a new generation: history of a superseded start is dropped, so
    /// a reader never gets two histories interleaved.
    package mutating func subscribe(
        _ id: ConnectionKey, to sessionId: String, as participant: Participant, reader: Reader? = nil,
        after: Int64, sendHistory: Bool
    ) -> [HubAction<Work>] {
        // Scalars only: a copy of the session held across the mutations below would make
        // them copy its tables.
        guard let upTo = sessions[sessionId]?.durableSeq else { return [] }
        let replaced = sessions[sessionId]?.members[id]?.reader.language
        let alreadyMember = replaced != nil
        nextGeneration += 1
        let generation = nextGeneration
        let reader = reader ?? Reader(participant)
        sessions[sessionId]?.members[id] = Member(
            reader: reader, subscription: sendHistory ? .catchingUp(upTo: upTo, generation: generation) : .live)
        if let replaced { sessions[sessionId]?.readerLeft(language: replaced) }
        sessions[sessionId]?.readerCame(language: reader.language)
        sessions[sessionId]?.speakers[id] = participant
        sessions[sessionId]?.catchUpBuffers[id] = nil
        sessions[sessionId]?.catchUpBytes[id] = nil
        sessions[sessionId]?.historyOut[id] = nil
        memberships[id, default: []].insert(sessionId)
        var actions: [HubAction<Work>] = []
        if !alreadyMember, !participant.role.isObserver {
            let cameOnline = !isOnline(sessionId, participant.id)
            if sessions[sessionId]?.onlineCount[participant.id] == nil {
                actions.append(.localPresence(session: sessionId, participant: participant.id, online: true))
            }
            sessions[sessionId]?.onlineCount[participant.id, default: 0] += 1
            if cameOnline, let presence = presence(sessionId, participant.id, excluding: id) { actions.append(presence) }
        }
        guard sendHistory else { return actions }
        let read = HistoryRead(
            connection: id, session: sessionId, after: after, upTo: upTo, generation: generation,
            seesDrafts: reader.seesDrafts, language: reader.language, agent: sessions[sessionId]?.state.info.agent ?? "")
        if after >= upTo {
            // Nothing to read: history ends here, and what commits next is live.
            actions.append(.send(id, HistoryFrames.frame(session: sessionId, events: [], complete: true)))
            actions += finishCatchUp(read)
        } else {
            actions.append(.readHistory(read))
        }
        return actions
    }

    /// A connection closed: it leaves every session it read.
    package mutating func disconnected(_ id: ConnectionKey, participant: Participant?) -> [HubAction<Work>] {
        var actions: [HubAction<Work>] = []
        for sessionId in memberships[id] ?? [] {
            // Gone: only the session's record (or another reader's) names them in `presence`.
            actions += detach(id, from: sessionId, participant: participant, named: false)
        }
        memberships[id] = nil
        return actions
    }

    /// Removes a connection from a session's readers and announces the participant offline
    /// when it was their last connection anywhere.
    package mutating func detach(
        _ id: ConnectionKey, from sessionId: String, participant: Participant?, named: Bool = true
    ) -> [HubAction<Work>] {
        guard let gone = sessions[sessionId]?.members.removeValue(forKey: id) else { return [] }
        sessions[sessionId]?.readerLeft(language: gone.reader.language)
        sessions[sessionId]?.speakers[id] = nil
        sessions[sessionId]?.catchUpBuffers[id] = nil
        sessions[sessionId]?.catchUpBytes[id] = nil
        sessions[sessionId]?.historyOut[id] = nil
        memberships[id]?.remove(sessionId)
        var actions: [HubAction<Work>] = []
        if let participant, !participant.role.isObserver, let count = sessions[sessionId]?.onlineCount[participant.id] {
            if count <= 1 {
                sessions[sessionId]?.onlineCount[participant.id] = nil
                actions.append(.localPresence(session: sessionId, participant: participant.id, online: false))
                if !isOnline(sessionId, participant.id),
                    let presence = presence(sessionId, participant.id, fallback: named ? participant : nil)
                {
                    actions.append(presence)
                }
            } else {
                sessions[sessionId]?.onlineCount[participant.id] = count - 1
            }
        }
        return actions + unloadIfIdle(sessionId)
    }

    // MARK: Commits

    /// A batch came back from the writer: acks, then each event to its readers, in seq
    /// order; then the failed ones (see `failed`). An event this node delivered already
    /// (read from the store after another node's notice) is not delivered twice. `found`
    /// gives what the driver found for the event at an index once (its terms): an event
    /// held for a reader still receiving history keeps it, and gets it back in the
    /// `Delivery` at the end of the catch-up, so nothing is found again per reader.
    package mutating func committed(
        _ events: [(event: Event, canonical: [UInt8])], failed: [FailedEvent] = [],
        found: (Int) -> (any Sendable)? = { _ in nil }
    ) -> [HubAction<Work>] {
        var actions: [HubAction<Work>] = []
        var touched: [String] = []
        for (index, (event, canonical)) in events.enumerated() {
            guard let durable = sessions[event.session]?.durableSeq else { continue }
            if touched.last != event.session { touched.append(event.session) }
            sessions[event.session]?.settled(event.seq)
            if event.seq <= durable { continue }
            sessions[event.session]?.durableSeq = event.seq
            let acks = sessions[event.session]?.pendingAcks.removeValue(forKey: event.seq) ?? []
            sessions[event.session]?.pendingSubmitters[event.seq] = nil
            for (connection, clientId) in acks { actions.append(.ack(connection, clientId: clientId, seq: event.seq)) }
            broadcast(event, canonical: canonical, batchIndex: index, found: { found(index) }, into: &actions)
            moderationEffects(event, into: &actions)
            ownEffects(event, batchIndex: index, into: &actions)
        }
        if !failed.isEmpty { actions += self.failed(failed) }
        var seen = Set<String>()
        for sessionId in touched where seen.insert(sessionId).inserted {
            actions += settledMaybe(sessionId)
            actions += catchUpIfSettled(sessionId)
            actions += unloadIfIdle(sessionId)
        }
        return actions
    }

    /// Sends an event to a session's readers: live ones grouped by language, readers still
    /// receiving history get it held (or are closed when too far behind), with what the
    /// driver `found` for it (asked once, and only when someone holds it).
    mutating func broadcast(
        _ event: Event, canonical: [UInt8], batchIndex: Int?, found: () -> (any Sendable)? = { nil },
        into actions: inout [HubAction<Work>]
    ) {
        // A rejection's reason and who rejected go only to readers who see drafts.
        let withoutReview = ReviewFields.canonicalForReadersWithoutDrafts(kind: event.kind, canonical: canonical)
        let plan = deliveryPlan(event, strips: withoutReview != nil)
        if !plan.byLanguage.isEmpty || !plan.stripped.isEmpty {
            actions.append(
                .deliver(
                    Delivery(
                        event: event, canonical: canonical, byLanguage: plan.byLanguage, withoutReview: withoutReview,
                        withoutReviewReaders: plan.stripped, batchIndex: batchIndex, found: nil)))
        }
        var tooSlow: [(ConnectionKey, Participant?)] = []
        let kept = plan.held.isEmpty ? nil : found()
        for (id, seesDrafts) in plan.held {
            let bytes = seesDrafts ? canonical : withoutReview ?? canonical
            sessions[event.session]?.catchUpBuffers[id, default: []].append(
                HeldEvent(event: event, canonical: bytes, found: kept))
            sessions[event.session]?.catchUpBytes[id, default: 0] += canonical.count
            if (sessions[event.session]?.catchUpBytes[id] ?? 0) > limits.catchUpBufferBytes {
                tooSlow.append((id, sessions[event.session]?.speakers[id]))
            }
        }
        // A reader this far behind while receiving history is the outbox's "too slow" case.
        for (id, participant) in tooSlow {
            actions.append(.close(id, code: 1008, reason: "too slow: outgoing queue full"))
            actions += detach(id, from: event.session, participant: participant)
        }
    }

    /// Who gets an event: live readers by language (or stripped), and readers catching up
    /// whose history ends before it. Apart from `broadcast` so the members are not held
    /// while their buffers grow.
    private func deliveryPlan(_ event: Event, strips: Bool) -> (
        byLanguage: [String: [ConnectionKey]], stripped: [ConnectionKey], held: [(ConnectionKey, Bool)]
    ) {
        var byLanguage: [String: [ConnectionKey]] = [:]
        var stripped: [ConnectionKey] = []
        var held: [(ConnectionKey, Bool)] = []
        guard let members = sessions[event.session]?.members else { return ([:], [], []) }
        for (id, member) in members {
            let reader = member.reader
            if event.kind.officersOnly && !reader.seesDrafts { continue }
            switch member.subscription {
            case .live:
                if strips && !reader.seesDrafts {
                    stripped.append(id)
                } else {
                    byLanguage[reader.language, default: []].append(id)
                }
            case .catchingUp(let upTo, _):
                if event.seq > upTo { held.append((id, reader.seesDrafts)) }
            }
        }
        return (byLanguage, stripped, held)
    }

    /// Effects of a moderation event on this node's connections: a removed participant's
    /// connections to the session close; a mute or unmute is announced as presence.
    mutating func moderationEffects(_ event: Event, into actions: inout [HubAction<Work>]) {
        if event.kind == .ended, sessions[event.session]?.state.info.lobby == true {
            actions.append(.lobbyClosed(session: event.session))
            return
        }
        guard event.kind == .moderation, let target = event.body["target"]?.stringValue,
            let speakers = sessions[event.session]?.speakers
        else { return }
        let action = event.body["action"]?.stringValue
        if action == "admit" || action == "decline" {
            actions.append(.lobbyDecided(session: event.session, invite: target, admitted: action == "admit"))
        } else if action == "remove" {
            for (id, speaker) in speakers where speaker.id == target {
                actions.append(.close(id, code: 1008, reason: "removed"))
            }
        } else if let presence = presence(event.session, target) {
            actions.append(presence)
        }
    }

    /// Effects of this node's own committed events beyond delivery (another node's are
    /// that node's to carry out): the assistant answers a question, an approval as written
    /// carries the draft's translations, an end archives, a text is translated into every
    /// language of the session and of its readers but its own (a phrase carries its own)
    /// when a provider is configured (`translates`).
    func ownEffects(_ event: Event, batchIndex: Int, into actions: inout [HubAction<Work>]) {
        guard let session = sessions[event.session] else { return }
        switch event.kind {
        case .question where session.state.info.assistant != .off:
            actions.append(.answer(question: event))
        case .answer where event.body["edited"]?.boolValue == false && event.body["draft"] != nil:
            actions.append(.carryDraftTranslations(answer: event))
        case .ended:
            actions.append(.archive(session: event.session))
        default:
            break
        }
        // A hand-over published (an answer naming a desk that has an address): the desk is
        // told by mail, by the node that committed it.
        if event.kind == .answer, event.body["contact"]?["email"]?.stringValue != nil {
            actions.append(.notifyDesk(answer: event))
        }
        guard translates, [.message, .question, .answer].contains(event.kind), event.body["phraseTexts"] == nil,
            let text = event.body["text"]?.stringValue, !text.isEmpty, let source = event.body["language"]?.stringValue
        else { return }
        // The readers' languages are counted as they come and go: nothing here per reader.
        var targets = Set(session.state.info.languages.map(LanguageTag.primary))
        targets.formUnion(session.readerLanguages.keys)
        targets.remove(LanguageTag.primary(source))
        if !targets.isEmpty { actions.append(.translate(event, into: targets.sorted(), batchIndex: batchIndex)) }
    }

    // MARK: History

    /// Whether `generation` is still the connection's current catch-up in the session.
    func isCatchingUp(_ read: HistoryRead) -> Bool {
        guard case .catchingUp(_, let current) = sessions[read.session]?.members[read.connection]?.subscription
        else { return false }
        return current == read.generation
    }

    /// A history page was read and framed for its reader: `events` are the frames of the
    /// visible events, `through` the last seq the page covered (nil when the store had
    /// none left), `queuedBytes` what waits in the reader's outgoing queue. The frames go
    /// out in `history` frames while the queue has room (see `pumpHistory`); then the next
    /// page is read, or at the end the held live events follow.
    package mutating func historyPage(
        _ read: HistoryRead, events: [[UInt8]], through: Int64?, queuedBytes: Int
    ) -> [HubAction<Work>] {
        guard isCatchingUp(read) else { return [] }
        let end = through.map { $0 >= read.upTo } ?? true
        let chunks = HistoryFrames.chunks(events, budget: limits.historyFrameBytes)
        var frames = chunks.enumerated().map { index, chunk in
            HistoryFrames.frame(session: read.session, events: chunk, complete: end && index == chunks.count - 1)
        }
        // The last frame says `complete`; when the last page had nothing visible, an empty one does.
        if end && frames.isEmpty { frames = [HistoryFrames.frame(session: read.session, events: [], complete: true)] }
        var next = read
        next.after = through ?? read.upTo
        sessions[read.session]?.historyOut[read.connection] = HistoryOut(frames: frames, next: end ? nil : next)
        return pumpHistory(read, queuedBytes: queuedBytes)
    }

    /// The pause after a full queue is over: send on, or wait again.
    package mutating func historyQueueChecked(_ read: HistoryRead, queuedBytes: Int) -> [HubAction<Work>] {
        guard isCatchingUp(read) else { return [] }
        return pumpHistory(read, queuedBytes: queuedBytes)
    }

    /// Sends waiting history frames while the reader's queue is within its bound (the
    /// reader's pace, not the database's, sets the speed, and memory per reader stays near
    /// the bound); when it is over, looks again after a pause. With every frame out, the
    /// next page is read, or the reader goes live.
    mutating func pumpHistory(_ read: HistoryRead, queuedBytes: Int) -> [HubAction<Work>] {
        guard var out = sessions[read.session]?.historyOut.removeValue(forKey: read.connection) else { return [] }
        var actions: [HubAction<Work>] = []
        var queued = queuedBytes
        var sent = 0
        while sent < out.frames.count, queued <= limits.historyQueueBytes {
            actions.append(.send(read.connection, out.frames[sent]))
            queued += out.frames[sent].count
            sent += 1
        }
        if sent < out.frames.count {
            out.frames.removeFirst(sent)
            sessions[read.session]?.historyOut[read.connection] = out
            actions.append(.recheckHistoryQueue(read, afterMilliseconds: limits.historyRecheckMilliseconds))
        } else if let next = out.next {
            actions.append(.readHistory(next))
        } else {
            actions += finishCatchUp(read)
        }
        return actions
    }

    /// A history read failed: the reader would have a gap, so it is told and closed (1011)
    /// and resumes from its last seq on reconnecting.
    package mutating func historyFailed(_ read: HistoryRead) -> [HubAction<Work>] {
        guard isCatchingUp(read) else { return [] }
        return [
            .refuse(read.connection, DialogueError(.unavailable, "history could not be read; reconnect with resume")),
            .close(read.connection, code: 1011, reason: "history unavailable"),
        ]
    }

    /// History is out: what arrived meanwhile follows, and the reader goes live.
    mutating func finishCatchUp(_ read: HistoryRead) -> [HubAction<Work>] {
        var actions: [HubAction<Work>] = []
        let held = sessions[read.session]?.catchUpBuffers.removeValue(forKey: read.connection) ?? []
        sessions[read.session]?.catchUpBytes[read.connection] = nil
        for item in held where read.seesDrafts || !item.event.kind.officersOnly {
            actions.append(
                .deliver(
                    Delivery(
                        event: item.event, canonical: item.canonical, byLanguage: [read.language: [read.connection]],
                        withoutReview: nil, withoutReviewReaders: [], batchIndex: nil, found: item.found)))
        }
        sessions[read.session]?.members[read.connection]?.subscription = .live
        return actions
    }
}

/// An event the writer did not store, and why.
package struct FailedEvent: Sendable {
    /// The event.
    package var event: Event
    /// Another node's event took its seq (a shared store): decided again after a reload.
    package var outOfSequence: Bool
    /// The store's reason, for the log.
    package var reason: String

    /// A refused event.
    package init(event: Event, outOfSequence: Bool, reason: String) {
        self.event = event
        self.outOfSequence = outOfSequence
        self.reason = reason
    }
}
