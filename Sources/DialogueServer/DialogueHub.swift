import AgentPacks
import Dialogue
import HubCore
import Logging
import Store
import Transcripts
import Transport

/// What the hub asks its core to hold until a session is in memory: the rest of one
/// client frame's handling.
typealias HubWork = @Sendable (isolated DialogueHub) -> Void

/// The live side of the server: the driver of `HubCore` (docs/architecture.md). The core
/// decides — sessions in memory, readers, acks, catch-up, presence, recovery — and returns
/// actions; this actor feeds it transport events, commit results, store reads and timers,
/// and carries its actions out (sends, closes, appends, reads). It still holds, for now,
/// the connections themselves (sign-in, rate limits, backlogs) and the provider calls.
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

    /// The open connections: who signed in, their rate limits, busy spells and backlogs.
    var connections: [ConnectionID: ClientConnection] = [:]
    /// The decisions: sessions in memory, readers, acks owed, presence, recovery.
    var core: HubCore<HubWork>
    var draining = false
    /// Invites revoked while this process runs: a `hello` that read the invite before its
    /// revocation is refused when it completes.
    var revokedInvites: Set<String> = []
    /// The tasks the driver started for the core's reads and timers, by number: each
    /// removes itself when done; at shutdown `waitForTasks` cancels and awaits them.
    var tasks: [UInt64: Task<Void, Never>] = [:]
    var nextTask: UInt64 = 0
    /// Set at shutdown: no new tasks start.
    var tasksStopped = false
    /// Keeps this node's share of the shared presence board; nil on a store of one node.
    let nodePresence: NodePresence?
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
        self.core = HubCore(sharedStore: store.isShared, translates: configuration.translator != nil)
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
    func withSession(_ sessionId: String, for id: ConnectionID, ref: String? = nil, _ work: @escaping HubWork) {
        carryOut(core.withSession(sessionId, for: id.key, ref: ref, work))
    }

    /// Ends a connection's busy spell and handles, in order, what waited meanwhile.
    func resumeFrames(_ id: ConnectionID) {
        connections[id]?.busy = false
        drainBacklog(id)
    }

    /// Handles waiting frames until the backlog is empty or a frame makes the connection busy again.
    func drainBacklog(_ id: ConnectionID) {
        // Tested field by field: a copy of the record held across `removeFirst` would copy the backlog.
        while connections[id]?.busy == false, connections[id]?.closing == false,
            connections[id]?.backlog.isEmpty == false
        {
            guard let next = connections[id]?.backlog.removeFirst() else { return }  // admitted on arrival
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
        carryOut(core.disconnected(id.key, participant: connection.participant))
    }

    /// Removes a connection from a session's readers (announcing the participant offline
    /// when it was their last connection).
    func detach(_ id: ConnectionID, from sessionId: String, participant: Participant?) {
        carryOut(core.detach(id.key, from: sessionId, participant: participant))
    }

    /// Forgets a session nobody listens to and nothing is in flight for.
    func unloadIfIdle(_ sessionId: String) {
        carryOut(core.unloadIfIdle(sessionId))
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
    func liveSessionIds() -> [String] { core.liveSessionIds }
}
