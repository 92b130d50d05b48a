import AgentPacks
import Dialogue
import Logging
import Store
import Transcripts
import Transport

/// The live side of the server: connections, sessions in memory, decisions and fan-out.
///
/// The actor never waits on disk while holding a decision: appends go to the group-commit
/// writer, and acks and broadcasts happen when `didCommit` sees the batch committed.
/// Slow look-ups (tokens, history) run in tasks that come back to the actor, and a
/// connection's later frames wait in its backlog meanwhile, so each connection's frames
/// are handled in order.
actor DialogueHub {
    let transport: WebSocketServer
    let store: any DialogueStore
    let agentSource: AgentPackSource
    /// The agent packs in force (reloaded when their files change).
    var agents: AgentCatalog { agentSource.current }
    let glossaries: GlossaryRegistry
    let retrieval: RetrievalService
    /// The machine-translation provider, when one is configured.
    let translator: TranslationService?
    /// The LLM composer, when one is configured.
    let llm: LLMComposer?
    let configuration: ServerConfiguration
    let metrics: Metrics
    let archiver: TranscriptArchiver
    let signInFailures: SignInFailures
    let logger: Logger

    var connections: [ConnectionID: ClientConnection] = [:]
    var sessions: [String: LiveSession] = [:]
    var loading: [String: SessionLoad] = [:]
    var nextLoadToken: UInt64 = 0
    var draining = false
    /// Counter for subscription generations (see `subscribe`).
    var nextGeneration: UInt64 = 0
    /// Invites revoked while this process runs: a `hello` that read the invite before its
    /// revocation is refused when it completes.
    var revokedInvites: Set<String> = []
    /// Sessions whose rules are being rebuilt from disk after a failed commit; their actions
    /// are answered `unavailable` until then.
    var recovering: Set<String> = []
    /// The reader of other nodes' events is running (one per node; see `readBehindSessions`).
    var readingFromStore = false
    /// Sessions the store holds more of than this node delivered, to be read once this
    /// node's own events in flight are settled.
    var behindStore: Set<String> = []
    /// Joins another node's events overtook (their seq was taken): decided again, with the
    /// joining reader's language, once the session is reloaded.
    var joinsToRetry: [String: [(connection: ConnectionID, language: String?)]] = [:]
    /// Messages and questions another node's events overtook: decided again after the
    /// reload, so their senders get an ack instead of `unavailable`.
    var saysToRetry: [String: [(connection: ConnectionID, event: Event)]] = [:]
    /// Actions that arrived while their session was recovering from contention on a shared
    /// store, run once it is reloaded (their connections wait, frames kept in order).
    var deferredWork: [String: [(connection: ConnectionID, work: @Sendable (isolated DialogueHub) -> Void)]] = [:]
    /// Participants connected through other nodes: session → participant → node ids.
    var remotePresence: [String: [String: Set<String>]] = [:]
    /// Sessions whose presence a notice changed while the heartbeat's full read was out
    /// (nil when no read is out).
    var presenceNoticedDuringRead: Set<String>?
    /// Keeps this node's share of the shared presence board; nil on a store of one node.
    let nodePresence: NodePresence?
    /// The shared store's notices lost their connection (see `storeReachable`).
    var noticesInterrupted = false
    /// The last heartbeat did not reach the shared store.
    var heartbeatFailing = false
    /// Transcripts being written for sessions that just ended.
    var archives: [String: Task<Void, Never>] = [:]
    /// Frames a busy connection may have waiting before it is closed.
    static let backlogLimit = 256
    /// Frame limits per participant (all its sockets) and per session.
    var rateLimits: SharedRateLimits
    /// Calls to the translation provider running and waiting.
    let translatorGate: ProviderGate
    /// Calls to the LLM running and waiting.
    let llmGate: ProviderGate

    init(
        transport: WebSocketServer, store: any DialogueStore, agents: AgentPackSource, glossaries: GlossaryRegistry,
        retrieval: RetrievalService, configuration: ServerConfiguration, providers: ProviderClient,
        metrics: Metrics, archiver: TranscriptArchiver, signInFailures: SignInFailures, logger: Logger
    ) {
        self.transport = transport
        self.store = store
        self.agentSource = agents
        self.glossaries = glossaries
        self.retrieval = retrieval
        self.translator = configuration.translator.map {
            TranslationService(settings: $0, client: providers, logger: logger, metrics: metrics)
        }
        self.llm = configuration.llm.map { LLMComposer(settings: $0, client: providers, logger: logger, metrics: metrics) }
        self.configuration = configuration
        self.metrics = metrics
        self.archiver = archiver
        self.signInFailures = signInFailures
        self.logger = logger
        self.rateLimits = SharedRateLimits(participant: configuration.rateLimit, session: configuration.sessionRateLimit)
        self.translatorGate = ProviderGate(limit: configuration.providerConcurrency, queueLimit: configuration.providerQueue)
        self.llmGate = ProviderGate(limit: configuration.providerConcurrency, queueLimit: configuration.providerQueue)
        self.nodePresence = store.presence.map {
            NodePresence(board: $0, interval: configuration.nodeHeartbeat, logger: logger)
        }
    }

    // MARK: Sending

    func send(_ frame: JSONValue, to id: ConnectionID) {
        transport.send(JSONWriter.bytes(frame), to: id)
    }

    func refuse(_ error: DialogueError, to id: ConnectionID) {
        metrics.rejectedFrame()
        send(error.frame, to: id)
    }

    /// Refuses with `unauthorized` and closes with 1008, as the contract requires.
    func unauthorized(_ message: String, to id: ConnectionID) {
        refuse(DialogueError(.unauthorized, message), to: id)
        transport.close(id, code: 1008, reason: "unauthorized")
        connections[id]?.identity = nil
        connections[id]?.closing = true  // ignore anything else it sends before the close lands
    }

    // MARK: Transport events

    func handle(_ event: TransportEvent) {
        switch event {
        case .opened(let id, let peer):
            if draining {
                transport.close(id, code: 1001, reason: "server shutting down")
                return
            }
            let now = Timestamp.nowMilliseconds()
            connections[id] = ClientConnection(
                id: id, peer: peer, openedAt: now,
                limiter: configuration.rateLimit.map { RateLimiter(policy: $0, now: now) })
            metrics.setConnections(connections.count)
        case .message(let id, let bytes):
            guard let connection = connections[id], !connection.closing else { return }
            guard admit(id, bytes) else { return }
            if connection.busy {
                guard connection.backlog.count < Self.backlogLimit else {
                    refuse(DialogueError(.rateLimited, "too many frames waiting; slow down"), to: id)
                    transport.close(id, code: 1008, reason: "too many frames waiting")
                    connections[id]?.closing = true
                    return
                }
                connections[id]?.backlog.append(bytes)
                return
            }
            process(bytes, from: id)
        case .closed(let id):
            disconnect(id)
        }
    }

    /// Handles one frame of a connection that is not busy.
    func process(_ bytes: [UInt8], from id: ConnectionID) {
        guard let connection = connections[id] else { return }
        let frame: ClientFrame
        do {
            frame = try ClientFrame.decode(bytes)
        } catch {
            if connection.identity == nil {
                unauthorized("the first frame must be a valid hello: \(error.message)", to: id)
            } else {
                refuse(error, to: id)
            }
            return
        }
        guard let identity = connection.identity else {
            if case .hello(let token, let language, let name, let resume) = frame {
                beginHello(id, token: token, language: language, name: name, resume: resume)
            } else {
                unauthorized("the first frame must be hello", to: id)
            }
            return
        }
        if case .hello = frame {
            refuse(DialogueError(.badRequest, "hello was already accepted on this connection"), to: id)
            return
        }
        guard let action = frame.action, identity.role.may(action) else {
            refuse(
                DialogueError(
                    .forbidden, "\(identity.role.withArticle) may not \(frame.action?.rawValue ?? "do that")",
                    ref: frame.clientId), to: id)
            return
        }
        if case .investor(let invite) = identity, !invite.isUsable(nowMilliseconds: Timestamp.nowMilliseconds()) {
            closeExpiredInvites()  // expired since the last sweep: nothing more is taken from it
            return
        }
        if case .investor(let invite) = identity, let session = frame.session, session != invite.session {
            refuse(DialogueError(.forbidden, "your invite is for another session", ref: frame.clientId), to: id)
            return
        }
        // Staff frames never draw from the session's budget: investors at their limit
        // together must not leave the officer unable to moderate or end the session.
        if let session = frame.session, !identity.role.isStaff,
            !rateLimits.admit(session: session, now: Timestamp.nowMilliseconds())
        {
            refuse(
                DialogueError(.rateLimited, "too many frames in this session; slow down", ref: frame.clientId), to: id)
            return
        }
        perform(frame, identity: identity, on: id)
    }

    /// Runs `work` after the session is in memory, keeping the connection's frames in order.
    func withSession(
        _ sessionId: String, for id: ConnectionID, ref: String? = nil,
        _ work: @escaping @Sendable (isolated DialogueHub) -> Void
    ) {
        if recovering.contains(sessionId) {
            if store.isShared, (deferredWork[sessionId]?.count ?? 0) < Self.backlogLimit * 16 {
                connections[id]?.busy = true
                deferredWork[sessionId, default: []].append((id, work))
                return
            }
            refuse(
                DialogueError(.unavailable, "the session is recovering from a storage error; retry", ref: ref), to: id)
            return
        }
        if sessions[sessionId] != nil {
            work(self)
            unloadIfIdle(sessionId)
            return
        }
        connections[id]?.busy = true
        Task {
            let found = await self.loadSession(sessionId)
            if found {
                work(self)
                self.unloadIfIdle(sessionId)
            } else {
                self.refuse(DialogueError(.notFound, "no session \(sessionId)", ref: ref), to: id)
            }
            self.resumeFrames(id)
        }
    }

    /// Loads a session's state once, however many connections ask at the same time. Every
    /// waiter may be the first to resume: whoever resumes while the load is still current
    /// installs its result; a waiter that finds the load already installed and the session
    /// gone again (unloaded meanwhile) loads afresh rather than installing a stale state.
    func loadSession(_ sessionId: String) async -> Bool {
        while sessions[sessionId] == nil {
            let load: SessionLoad
            if let pending = loading[sessionId] {
                load = pending
            } else {
                nextLoadToken += 1
                load = SessionLoad(
                    token: nextLoadToken, task: Task { [store] in try await store.loadState(session: sessionId) })
                loading[sessionId] = load
            }
            let state: SessionState?
            do {
                state = try await load.task.value
            } catch {
                logger.error("session load failed", metadata: ["session.id": "\(sessionId)", "error": "\(error)"])
                state = nil
            }
            if loading[sessionId]?.token == load.token {
                loading[sessionId] = nil
                guard let state else { return false }
                if sessions[sessionId] == nil {
                    sessions[sessionId] = LiveSession(state: state)
                    metrics.setLiveSessions(sessions.count)
                    // Notices that came while the state was read were dropped (no session
                    // yet): what other nodes committed meanwhile is read now.
                    if store.isShared {
                        behindStore.insert(sessionId)
                        readBehindSessions()
                    }
                }
                return true
            }
            if state == nil { return false }
        }
        return true
    }

    /// Ends a connection's busy spell and handles, in order, what waited meanwhile.
    func resumeFrames(_ id: ConnectionID) {
        connections[id]?.busy = false
        drainBacklog(id)
    }

    /// Handles waiting frames until the backlog is empty or a frame makes the connection busy again.
    func drainBacklog(_ id: ConnectionID) {
        while let connection = connections[id], !connection.busy, !connection.closing, !connection.backlog.isEmpty {
            let next = connections[id]!.backlog.removeFirst()  // already admitted on arrival
            process(next, from: id)
        }
    }

    /// Applies the rate limit to one frame as it arrives: the participant's (shared by all
    /// its sockets) once signed in, the connection's own before; refuses it when over.
    func admit(_ id: ConnectionID, _ bytes: [UInt8]) -> Bool {
        guard let connection = connections[id] else { return false }
        let now = Timestamp.nowMilliseconds()
        let allowed: Bool
        if let participant = connection.identity?.participantId {
            allowed = rateLimits.admit(participant: participant, now: now)
        } else if var limiter = connection.limiter {
            allowed = limiter.allow(now: now)
            connections[id]?.limiter = limiter
        } else {
            allowed = true
        }
        if !allowed {
            let ref = (try? JSONParser.parse(bytes))?["clientId"]?.stringValue
            refuse(DialogueError(.rateLimited, "too many frames; slow down", ref: ref), to: id)
        }
        return allowed
    }

    func disconnect(_ id: ConnectionID) {
        guard let connection = connections.removeValue(forKey: id) else { return }
        metrics.setConnections(connections.count)
        for sessionId in connection.sessions {
            detach(id, from: sessionId, participant: connection.participant)
        }
    }

    /// Removes a connection from a session's members and announces the participant
    /// offline when it was their last connection.
    func detach(_ id: ConnectionID, from sessionId: String, participant: Participant?) {
        guard sessions[sessionId]?.members.removeValue(forKey: id) != nil else { return }
        sessions[sessionId]!.readers[id] = nil
        sessions[sessionId]!.catchUpBuffers[id] = nil
        sessions[sessionId]!.catchUpBytes[id] = nil
        connections[id]?.sessions.remove(sessionId)
        if let participant, !participant.role.isObserver, let count = sessions[sessionId]!.onlineCount[participant.id]
        {
            if count <= 1 {
                sessions[sessionId]!.onlineCount[participant.id] = nil
                localPresenceChanged(sessionId, participant.id, online: false)
                if !isOnline(sessionId, participant.id) { broadcastPresence(sessionId, participantId: participant.id) }
            } else {
                sessions[sessionId]!.onlineCount[participant.id] = count - 1
            }
        }
        unloadIfIdle(sessionId)
    }

    /// Forgets a session nobody listens to and nothing is in flight for.
    func unloadIfIdle(_ sessionId: String) {
        guard let session = sessions[sessionId], session.members.isEmpty, session.pendingAcks.isEmpty,
            session.pendingSubmitters.isEmpty,
            session.durableSeq == session.state.lastSeq
        else { return }
        sessions[sessionId] = nil
        metrics.setLiveSessions(sessions.count)
    }

    /// Closes the live connections of an invite (revoked, or its investor removed).
    func closeInvite(_ inviteId: String, reason: String) {
        revokedInvites.insert(inviteId)
        for (id, connection) in connections where connection.identity?.participantId == inviteId && !connection.closing {
            if reason == "invite revoked" { refuse(DialogueError(.unauthorized, "this invite was revoked"), to: id) }
            transport.close(id, code: 1008, reason: reason)
            connections[id]?.closing = true
        }
    }

    /// Closes investor connections whose invite expired while they were connected: the
    /// expiry holds on live sockets too, not only at the next `hello`.
    func closeExpiredInvites(now: Int64 = Timestamp.nowMilliseconds()) {
        for (id, connection) in connections where !connection.closing {
            guard case .investor(let invite) = connection.identity, !invite.isUsable(nowMilliseconds: now),
                invite.revokedAt == nil
            else { continue }
            refuse(DialogueError(.unauthorized, "this invite has expired"), to: id)
            transport.close(id, code: 1008, reason: "invite expired")
            connections[id]?.closing = true
        }
    }

    /// Closes staff connections whose account's tokens were all revoked (`staff revoke`
    /// runs in another process, so the hub learns of it by polling).
    func closeRevokedStaff(active: Set<String>) {
        for (id, connection) in connections {
            guard case .staff(let account) = connection.identity, !active.contains(account.id) else { continue }
            refuse(DialogueError(.unauthorized, "your staff token was revoked"), to: id)
            transport.close(id, code: 1008, reason: "token revoked")
            connections[id]?.closing = true
        }
    }

    /// Whether any staff member is connected (the revocation poll is skipped otherwise).
    var hasStaffConnections: Bool {
        connections.values.contains { if case .staff = $0.identity { return true } else { return false } }
    }

    /// Closes connections that have not said `hello` in time.
    func sweepSilentConnections() {
        rateLimits.prune(now: Timestamp.nowMilliseconds())
        let deadline = Timestamp.nowMilliseconds() - Int64(configuration.helloTimeout * 1000)
        for (id, connection) in connections
        where connection.identity == nil && !connection.busy && !connection.closing && connection.openedAt <= deadline {
            unauthorized("no hello within \(configuration.helloTimeout) seconds", to: id)
        }
    }
}

extension ClientFrame {
    /// The frame's clientId, for `ref` in errors.
    var clientId: String? {
        switch self {
        case .say(_, _, let clientId, _, _), .sayPhrase(_, _, let clientId), .ask(_, _, let clientId): return clientId
        default: return nil
        }
    }
}

extension DialogueHub {
    /// From now on frames are ignored: the server is stopping.
    func stopTakingFrames() {
        draining = true
        for id in connections.keys { connections[id]?.closing = true }
    }

    /// Sessions in memory that have not ended.
    func liveSessionIds() -> [String] {
        sessions.values.filter { $0.state.info.status == .live }.map(\.state.info.id)
    }
}

/// A session's state being read from the store; the token tells loads of the same session apart.
struct SessionLoad {
    var token: UInt64
    var task: Task<SessionState?, Error>
}
