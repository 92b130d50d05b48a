import Dialogue

/// The bounds the core keeps (the defaults are the server's).
package struct HubLimits: Sendable {
    /// Live events held for a reader still receiving history, in bytes, before it is closed
    /// as too slow (the transport's outgoing queue bound).
    package var catchUpBufferBytes = 8 * 1024 * 1024
    /// History waits while more than this is queued for the reader: the reader's pace, not
    /// the database's, sets the speed, and memory per reader stays near this bound.
    package var historyQueueBytes = 1024 * 1024
    /// Largest history frame: 256 events are cut earlier when they would pass this.
    package var historyFrameBytes = 512 * 1024
    /// Pause before looking at a full outgoing queue again.
    package var historyRecheckMilliseconds = 5
    /// Actions a recovering session keeps waiting (shared store) before refusing more.
    package var deferredPerSession = 256 * 16
    /// Most events read per session and query from the store after other nodes' commits.
    package var readBehindPage = 512
    /// Pause before reading other nodes' events again after a failed read.
    package var readBehindRetryMilliseconds = 250
    /// First pause before reading a recovering session again; doubled up to the maximum.
    package var reloadFirstPauseMilliseconds = 200
    /// Longest pause between reads of a recovering session.
    package var reloadMaxPauseMilliseconds = 3000

    /// The server's bounds.
    package init() {}
}

/// The live side of the server as a state machine with no I/O: which sessions are in
/// memory (loading, serving, recovering), who reads them (history first, then live),
/// what acks and submitters are owed, presence here and on other nodes, and recovery after
/// failed or contended commits. Each input is a `mutating` function returning the
/// `HubAction`s the driver carries out; nothing here waits, sleeps or polls: where the hub
/// used to wait, the core waits for an input (the last commit result, a timer, a page).
///
/// `Work` is what the driver asks to run once a session is in memory (its decision for
/// one client frame); the core holds it, in order, and hands it back in `.run`.
package struct HubCore<Work> {
    /// On a store shared by several nodes, contention is recovered from by waiting, and
    /// other nodes' commits are read.
    package let sharedStore: Bool
    /// The bounds.
    package var limits: HubLimits
    /// A translation provider is configured: committed texts get `translate` effects (without
    /// one, their target languages are not worked out for every message).
    package let translates: Bool
    /// Sessions in memory.
    var sessions: [String: LiveSession] = [:]
    /// Sessions being read from the store, with who waits for them.
    var loads: [String: SessionLoad<Work>] = [:]
    /// Work waiting for a recovering session.
    var deferred: [String: [Waiter<Work>]] = [:]
    /// The sessions each connection reads.
    var memberships: [ConnectionKey: Set<String>] = [:]
    /// The last load's number (tells a load's result from a stale one's).
    var nextLoadToken: UInt64 = 0
    /// The last subscription's number (tells a reader's current catch-up from one it replaced).
    var nextGeneration: UInt64 = 0
    /// Participants connected through other nodes: session → participant → node ids.
    var remotePresence: [String: [String: Set<String>]] = [:]
    /// Sessions whose presence a notice changed while the heartbeat's full read was out
    /// (nil when no read is out).
    var presenceNoticedDuringRead: Set<String>?
    /// Sessions the store holds more of than this node delivered, to be read once this
    /// node's own events in flight are settled.
    var behindStore: Set<String> = []
    /// A read of other nodes' events is out (there is one at a time).
    var readingBehind = false
    /// The shared store's notices lost their connection.
    var noticesInterrupted = false
    /// The last heartbeat did not reach the shared store.
    var heartbeatFailing = false

    /// An empty core.
    package init(sharedStore: Bool, translates: Bool = true, limits: HubLimits = HubLimits()) {
        self.sharedStore = sharedStore
        self.translates = translates
        self.limits = limits
    }

    // MARK: Queries

    /// Where a session stands here.
    package enum Phase: Equatable {
        /// Not in memory.
        case absent
        /// Being read; `waiting` pieces of work wait for it.
        case loading(waiting: Int)
        /// In memory, serving or recovering.
        case inMemory(SessionMode)
    }

    /// Where a session stands here.
    package func phase(of sessionId: String) -> Phase {
        if let session = sessions[sessionId] { return .inMemory(session.mode) }
        if let load = loads[sessionId] { return .loading(waiting: load.waiters.count) }
        return .absent
    }

    /// A session's rules, when it is in memory (a copy: where one field is enough, the
    /// narrow queries below read it without copying the rules out of the core).
    package func state(of sessionId: String) -> SessionState? { sessions[sessionId]?.state }

    /// Whether the session is in memory.
    package func hasSession(_ sessionId: String) -> Bool { sessions[sessionId] != nil }

    /// A session's status (live, ended), when it is in memory.
    package func status(of sessionId: String) -> SessionStatus? { sessions[sessionId]?.state.info.status }

    /// A session's agent (its pack and glossary), when it is in memory.
    package func agent(of sessionId: String) -> String? { sessions[sessionId]?.state.info.agent }

    /// Whether the connection reads the session.
    package func isMember(_ id: ConnectionKey, of sessionId: String) -> Bool {
        memberships[id]?.contains(sessionId) == true
    }

    /// The sessions a connection reads.
    package func sessions(of id: ConnectionKey) -> Set<String> { memberships[id] ?? [] }

    /// The readers of a session (a table built per call: where a filter is enough, use
    /// `readers(of:where:)` or `hasReader(in:where:)`).
    package func readers(of sessionId: String) -> [ConnectionKey: Reader] {
        sessions[sessionId]?.members.mapValues(\.reader) ?? [:]
    }

    /// The readers of a session that `include` picks.
    package func readers(of sessionId: String, where include: (Reader) -> Bool) -> [ConnectionKey] {
        guard let members = sessions[sessionId]?.members else { return [] }
        var picked: [ConnectionKey] = []
        for (id, member) in members where include(member.reader) { picked.append(id) }
        return picked
    }

    /// Whether a reader of the session is one `include` picks.
    package func hasReader(in sessionId: String, where include: (Reader) -> Bool) -> Bool {
        sessions[sessionId]?.members.values.contains { include($0.reader) } ?? false
    }

    /// The highest committed seq of a session in memory.
    package func durableSeq(of sessionId: String) -> Int64? { sessions[sessionId]?.durableSeq }

    /// Sessions in memory that have not ended.
    package var liveSessionIds: [String] {
        sessions.values.filter { $0.state.info.status.takesMessages }.map(\.state.info.id)
    }

    // MARK: Sessions in memory

    /// Runs `work` for a connection once the session is in memory: now when it is, after the
    /// load when it is not (one load however many ask), after the reload when it is
    /// recovering on a shared store. The connection's frames wait meanwhile (`hold`).
    package mutating func withSession(
        _ sessionId: String, for id: ConnectionKey, ref: String? = nil, _ work: Work
    ) -> [HubAction<Work>] {
        let waiter = Waiter(connection: id, ref: ref, work: work)
        if let mode = sessions[sessionId]?.mode {
            guard case .recovering = mode else { return [.run(work, on: id, session: sessionId, thenResume: false)] }
            if sharedStore, deferred[sessionId, default: []].count < limits.deferredPerSession {
                deferred[sessionId, default: []].append(waiter)
                return [.hold(id)]
            }
            return [.refuse(id, DialogueError(.unavailable, "the session is recovering from a storage error; retry", ref: ref))]
        }
        return [.hold(id)] + awaitLoad(sessionId, waiter)
    }

    /// Runs work of the session's own that no connection waits for (the assistant's reply
    /// to a question): now when the session is serving, after the load when it is not in
    /// memory, after the reload when it is recovering, on any store: nobody is there to be
    /// refused, and dropping it would lose the reply. Past the bound of waiting work it is
    /// dropped, and the log says so.
    package mutating func withSessionUnattended(_ sessionId: String, _ work: Work) -> [HubAction<Work>] {
        let waiter = Waiter(connection: nil, ref: nil, work: work)
        if let mode = sessions[sessionId]?.mode {
            guard case .recovering = mode else { return [.runUnattended(work, session: sessionId)] }
            guard deferred[sessionId, default: []].count < limits.deferredPerSession else {
                return [
                    .log(
                        HubLogEntry(
                            level: .error, message: "work of the session dropped: too much waits for its recovery",
                            session: sessionId, detail: ""))
                ]
            }
            deferred[sessionId, default: []].append(waiter)
            return []
        }
        return awaitLoad(sessionId, waiter)
    }

    /// Queues work for a session not in memory: one load however many wait.
    private mutating func awaitLoad(_ sessionId: String, _ waiter: Waiter<Work>) -> [HubAction<Work>] {
        if loads[sessionId] != nil {
            loads[sessionId]?.waiters.append(waiter)
            return []
        }
        nextLoadToken += 1
        loads[sessionId] = SessionLoad(token: nextLoadToken, waiters: [waiter])
        return [.load(session: sessionId, token: nextLoadToken)]
    }

    /// Hands held work back to run: a connection's (whose frames resume after it), or the
    /// session's own.
    func run(_ waiter: Waiter<Work>, in sessionId: String) -> HubAction<Work> {
        guard let connection = waiter.connection else { return .runUnattended(waiter.work, session: sessionId) }
        return .run(waiter.work, on: connection, session: sessionId, thenResume: true)
    }

    /// A load came back: `state` is nil when the session does not exist or the read failed.
    /// The waiting work runs in arrival order (or is refused `not_found`).
    package mutating func sessionLoaded(_ sessionId: String, token: UInt64, state: SessionState?) -> [HubAction<Work>] {
        guard let load = loads[sessionId], load.token == token else { return [] }
        loads[sessionId] = nil
        var actions: [HubAction<Work>] = []
        guard let state else {
            for waiter in load.waiters {
                guard let connection = waiter.connection else {
                    actions.append(
                        .log(
                            HubLogEntry(
                                level: .error, message: "work of the session dropped: it could not be read",
                                session: sessionId, detail: "")))
                    continue
                }
                actions.append(.refuse(connection, DialogueError(.notFound, "no session \(sessionId)", ref: waiter.ref)))
                actions.append(.resume(connection))
            }
            return actions
        }
        sessions[sessionId] = LiveSession(state: state)
        actions.append(.sessionsInMemory(sessions.count))
        for waiter in load.waiters { actions.append(run(waiter, in: sessionId)) }
        if sharedStore {
            // Notices that came while the state was read were dropped (no session yet):
            // what other nodes committed meanwhile is read now.
            behindStore.insert(sessionId)
            actions += startReadBehind()
        }
        return actions
    }

    /// Forgets a session nobody listens to and nothing is in flight for.
    package mutating func unloadIfIdle(_ sessionId: String) -> [HubAction<Work>] {
        guard sessions[sessionId]?.isIdle == true else { return [] }
        sessions[sessionId] = nil
        behindStore.remove(sessionId)  // read afresh when loaded again
        return [.sessionsInMemory(sessions.count)]
    }

    // MARK: Decisions

    /// Runs a decision on a session's rules in place; nil when the session is not in memory,
    /// or is recovering: its rules are about to be replaced by the store's, and an event
    /// decided on them now could follow seqs another node took (and be stored after them).
    package mutating func withState<R>(of sessionId: String, _ decide: (inout SessionState) throws -> R) rethrows -> R? {
        guard sessions[sessionId]?.mode == .serving else { return nil }
        return try sessions[sessionId]?.deciding(decide)
    }

    /// Asks the session's rules for an event and queues it for commit, remembering who asked
    /// (a failure is told to them); refusals go back as errors.
    package mutating func decideAndSubmit(
        _ sessionId: String, for id: ConnectionKey, _ decide: (inout SessionState) throws -> Event?
    ) -> [HubAction<Work>] {
        guard sessions[sessionId]?.mode == .serving else { return [] }
        do {
            guard let event = try sessions[sessionId]?.deciding(decide) else { return [] }
            return submit([event], in: sessionId, submitter: id)
        } catch let error as DialogueError {
            return [.refuse(id, error)]
        } catch {
            return [.refuse(id, DialogueError(.badRequest, "\(error)"))]
        }
    }

    /// Queues decided events for commit; `submitter` hears of a failure of the first.
    package mutating func submit(_ events: [Event], in sessionId: String, submitter: ConnectionKey?) -> [HubAction<Work>] {
        guard let first = events.first else { return [] }
        if let submitter { sessions[sessionId]?.pendingSubmitters[first.seq] = (submitter, first.kind) }
        return [.submit(events)]
    }

    /// A `say` or `ask` decided: a repeated clientId gets its first ack (now, or once that
    /// event commits); a new event is queued and its ack owed after the commit.
    package mutating func acknowledge(
        _ outcome: SessionState.SayOutcome, clientId: String, in sessionId: String, to id: ConnectionKey
    ) -> [HubAction<Work>] {
        guard let durable = sessions[sessionId]?.durableSeq else { return [] }
        switch outcome {
        case .duplicate(let seq):
            if seq <= durable { return [.ack(id, clientId: clientId, seq: seq)] }
            sessions[sessionId]?.pendingAcks[seq, default: []].append((id, clientId))
            return []
        case .append(let event):
            sessions[sessionId]?.pendingAcks[event.seq, default: []].append((id, clientId))
            return [.submit([event])]
        }
    }

    /// Forgets drafts whose text was redacted (they can no longer be approved).
    package mutating func forgetDrafts(_ seqs: [Int64], in sessionId: String) {
        for seq in seqs { sessions[sessionId]?.state.forgetDraft(seq) }
    }

    /// An invite's participant was erased: no session in memory keeps their name.
    package mutating func erase(_ participantId: String, placeholder: String) {
        for sessionId in Array(sessions.keys) { sessions[sessionId]?.state.erase(participantId, placeholder: placeholder) }
    }
}

extension HubCore {
    /// Sessions in memory whose rules know the participant.
    package func sessionsHolding(_ participantId: String) -> [String] {
        sessions.filter { $0.value.state.participant(participantId) != nil }.map(\.key).sorted()
    }
}
