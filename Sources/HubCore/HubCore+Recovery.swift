import Dialogue

/// Recovery after events the store refused. On one node a refusal is a storage error: the
/// senders are told and the session's rules are read again, its actions refused meanwhile.
/// On a shared store a refusal "out of sequence" lost a race with another node: the
/// session's actions wait, and its refused joins, messages and questions are decided again
/// after the reload, so their senders get acks. Either way the reload waits until every
/// event this node decided has come back from the writer — not by polling: each commit
/// result is an input, and the one that settles the last event starts the reload.
extension HubCore {
    /// The writer refused events (called by `committed` with the failures of a batch).
    mutating func failed(_ failures: [FailedEvent]) -> [HubAction<Work>] {
        var actions: [HubAction<Work>] = []
        var sessionIds: [String] = []
        for failure in failures where !sessionIds.contains(failure.event.session) { sessionIds.append(failure.event.session) }
        for sessionId in sessionIds where sessions[sessionId] == nil {
            actions.append(.reopenWriter(session: sessionId))  // nothing here to reload
        }
        for failure in failures {
            let sessionId = failure.event.session
            sessions[sessionId]?.settled(failure.event.seq)
        }
        if sharedStore {
            actions += collectRetries(failures)
        } else {
            for sessionId in sessionIds where sessions[sessionId] != nil {
                let firstFailed = failures.filter { $0.event.session == sessionId }.map(\.event.seq).min() ?? 0
                actions += failOwed(sessionId, above: firstFailed - 1)
            }
        }
        for sessionId in sessionIds where sessions[sessionId] != nil {
            let reason = failures.first { $0.event.session == sessionId }?.reason ?? ""
            actions.append(
                .log(
                    HubLogEntry(
                        level: sharedStore ? .info : .error, message: "events not stored", session: sessionId,
                        detail: reason)))
            if sessions[sessionId]?.mode == .serving { sessions[sessionId]?.mode = .recovering(.settling) }
            actions += settledMaybe(sessionId)
        }
        return actions
    }

    /// On a shared store: joins and `say`s refused out of sequence are kept to decide again;
    /// other refusals are told to their senders, as on one node.
    private mutating func collectRetries(_ failures: [FailedEvent]) -> [HubAction<Work>] {
        var actions: [HubAction<Work>] = []
        for failure in failures where failure.outOfSequence && failure.event.kind == .joined {
            let sessionId = failure.event.session
            guard let submitter = sessions[sessionId]?.pendingSubmitters[failure.event.seq], submitter.kind == .joined
            else { continue }
            sessions[sessionId]?.pendingSubmitters[failure.event.seq] = nil
            sessions[sessionId]?.joinsToRetry.append((submitter.connection, failure.event.body["language"]?.stringValue))
        }
        for failure in failures where failure.outOfSequence && [.message, .question].contains(failure.event.kind) {
            let sessionId = failure.event.session
            guard let clientId = failure.event.clientId, let waiting = sessions[sessionId]?.pendingAcks[failure.event.seq]
            else { continue }
            let others = waiting.filter { $0.1 != clientId }
            sessions[sessionId]?.pendingAcks[failure.event.seq] = others.isEmpty ? nil : others
            for (connection, owed) in waiting where owed == clientId {
                sessions[sessionId]?.saysToRetry.append((connection, failure.event))
            }
        }
        for failure in failures where !failure.outOfSequence {
            actions += refuseOwed(failure.event.session, seq: failure.event.seq)
        }
        return actions
    }

    /// Starts the reload of a recovering session once every event it decided came back.
    mutating func settledMaybe(_ sessionId: String) -> [HubAction<Work>] {
        // Scalars only (no copy of the session held while its mode changes).
        guard sessions[sessionId]?.mode == .recovering(.settling), let durable = sessions[sessionId]?.durableSeq,
            let settled = sessions[sessionId]?.settledSeq, let last = sessions[sessionId]?.state.lastSeq,
            settled >= last
        else { return [] }
        sessions[sessionId]?.mode = .recovering(.reloading(attempt: 0))
        return [.reload(session: sessionId, delivered: durable)]
    }

    /// The reload came back: the stored state replaces the decided one; whatever this node
    /// decided above what it delivered was not stored (its acks fail); the events other nodes
    /// stored meanwhile (`missed`, after `delivered`) go to the readers; then the writer
    /// takes the session again, overtaken joins and `say`s are decided again, and the work
    /// that waited runs.
    package mutating func reloaded(
        _ sessionId: String, state fresh: SessionState, missed: [(seq: Int64, canonical: [UInt8])]
    ) -> [HubAction<Work>] {
        // Scalars only: a copy of the session held across the changes below would copy its tables.
        guard case .recovering(.reloading)? = sessions[sessionId]?.mode, let durable = sessions[sessionId]?.durableSeq
        else { return [] }
        let delivered = min(durable, fresh.lastSeq)
        var actions = failOwed(sessionId, above: delivered)
        sessions[sessionId]?.state = fresh
        sessions[sessionId]?.durableSeq = fresh.lastSeq
        sessions[sessionId]?.settledSeq = fresh.lastSeq
        sessions[sessionId]?.mode = .serving
        for frame in missed where frame.seq > delivered && frame.seq <= fresh.lastSeq {
            guard let event = try? Event(body: JSONParser.parse(frame.canonical)) else {
                // Its readers miss it (the rules, read whole, have it): the operator is told.
                actions.append(
                    .log(
                        HubLogEntry(
                            level: .error, message: "unreadable stored event skipped after a reload",
                            session: sessionId, detail: "seq \(frame.seq)")))
                continue
            }
            broadcast(event, canonical: frame.canonical, batchIndex: nil, into: &actions)
            moderationEffects(event, into: &actions)
        }
        actions.append(.reopenWriter(session: sessionId))
        for retry in sessions[sessionId]?.joinsToRetry ?? [] {
            actions.append(.retryJoin(retry.connection, session: sessionId, language: retry.language))
        }
        for retry in sessions[sessionId]?.saysToRetry ?? [] { actions.append(.retrySay(retry.connection, retry.event)) }
        sessions[sessionId]?.joinsToRetry = []
        sessions[sessionId]?.saysToRetry = []
        for waiter in deferred.removeValue(forKey: sessionId) ?? [] {
            actions.append(run(waiter, in: sessionId))
        }
        actions += catchUpIfSettled(sessionId)
        actions += unloadIfIdle(sessionId)
        return actions
    }

    /// The reload failed (the store did not answer): it is tried again after a pause that
    /// doubles, so a store that is overloaded rather than gone gets no retry storm.
    package mutating func reloadFailed(_ sessionId: String, reason: String) -> [HubAction<Work>] {
        guard case .recovering(.reloading(let attempt))? = sessions[sessionId]?.mode else { return [] }
        sessions[sessionId]?.mode = .recovering(.reloading(attempt: attempt + 1))
        var pause = limits.reloadFirstPauseMilliseconds
        for _ in 0..<min(attempt, 8) { pause = min(pause * 2, limits.reloadMaxPauseMilliseconds) }
        return [
            .log(HubLogEntry(level: .error, message: "session reload failed", session: sessionId, detail: reason)),
            .scheduleReload(session: sessionId, afterMilliseconds: pause),
        ]
    }

    /// The pause after a failed reload is over.
    package mutating func reloadTimerFired(_ sessionId: String) -> [HubAction<Work>] {
        guard let session = sessions[sessionId], case .recovering(.reloading) = session.mode else { return [] }
        return [.reload(session: sessionId, delivered: session.durableSeq)]
    }

    /// Refuses every ack and submitter still owed for seqs above `seq`: those events were not stored.
    mutating func failOwed(_ sessionId: String, above seq: Int64) -> [HubAction<Work>] {
        // The seqs are gathered before `refuseOwed` changes the tables (no copy of them held).
        guard let owed = sessions[sessionId].map({ Set($0.pendingSubmitters.keys).union($0.pendingAcks.keys) })
        else { return [] }
        var actions: [HubAction<Work>] = []
        for unstored in owed.sorted() where unstored > seq { actions += refuseOwed(sessionId, seq: unstored) }
        return actions
    }

    /// Tells whoever waits on one seq that its event was not stored. Senders may retry with
    /// the same clientId; whoever asked for another kind of event is told too; a connection
    /// whose `joined` was lost is closed (1011), since its membership rests on that event,
    /// and comes back on reconnecting.
    mutating func refuseOwed(_ sessionId: String, seq: Int64) -> [HubAction<Work>] {
        var actions: [HubAction<Work>] = []
        if let submitter = sessions[sessionId]?.pendingSubmitters.removeValue(forKey: seq) {
            actions.append(
                .refuse(
                    submitter.connection,
                    DialogueError(.unavailable, "storage refused the \(submitter.kind.rawValue) event; nothing was stored")))
            if submitter.kind == .joined {
                actions.append(.close(submitter.connection, code: 1011, reason: "storage unavailable; reconnect"))
            }
        }
        for (connection, clientId) in sessions[sessionId]?.pendingAcks.removeValue(forKey: seq) ?? [] {
            actions.append(
                .refuse(
                    connection,
                    DialogueError(
                        .unavailable, "the message could not be stored; retry with the same clientId", ref: clientId)))
        }
        return actions
    }
}
