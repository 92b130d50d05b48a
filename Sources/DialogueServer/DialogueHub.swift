import AgentPacks
import Dialogue
import HubCore
import Logging
import Store
import Synchronization
import Transcripts
import Transport

/// What the hub asks its core to hold until a session is in memory: the rest of one
/// client frame's handling.
typealias HubWork = @Sendable (isolated DialogueHub) -> Void

/// The live side of the server: the driver of `HubCore` (docs/architecture.md). The core
/// decides — sessions in memory, readers, acks, catch-up, presence, recovery — and returns
/// actions; this actor feeds it transport events, commit results, store reads and timers,
/// and carries its actions out (sends, closes, appends, reads). It still holds, for now,
/// the provider calls; the connections' rules are `ConnectionTable`'s, fed the same way.
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

    /// The open connections and their rules: sign-in, rate limits, busy spells and backlogs.
    var connections: ConnectionTable<Identity>
    /// The decisions: sessions in memory, readers, acks owed, presence, recovery.
    var core: HubCore<HubWork>
    /// Investors waiting in this node's lobbies until an officer admits them.
    var lobby = Lobby()
    /// Mails a desk a question handed over to it, and the transcript to investors who asked
    /// (set once the server knows its links' base).
    nonisolated let mailHooks = MailHooks()
    /// The agent of each session with events on their way to the writer: read by the commit
    /// delivery, off the hub, to find the events' glossary terms before the hub sees them.
    nonisolated let submittedAgents = SubmittedAgents()
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
    /// Calls to the translation provider running and waiting.
    let translatorGate: ProviderGate
    /// Calls to the LLM running and waiting.
    let llmGate: ProviderGate

    /// The lws service thread while it serves, a serial queue before and after
    /// (`ServiceThreadExecutor`; docs/architecture.md, "The hub on the lws service thread").
    nonisolated var unownedExecutor: UnownedSerialExecutor { transport.hubExecutor.asUnownedSerialExecutor() }

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
        self.connections = ConnectionTable(
            limits: ConnectionLimits(
                rateLimit: configuration.rateLimit, sessionRateLimit: configuration.sessionRateLimit,
                helloTimeout: configuration.helloTimeout, connectionsPerInvite: configuration.connectionsPerInvite))
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
        carryOut(connections.unauthorized(id.key, message))
    }

    // MARK: Transport events

    /// Feeds a transport event to the connection rules.
    func handle(_ event: TransportEvent) {
        switch event {
        case .opened(let id, let peer):
            carryOut(connections.opened(id.key, peer: peer, now: Timestamp.nowMilliseconds()))
            metrics.setConnections(connections.count)
        case .message(let id, let bytes):
            carryOut(connections.frame(id.key, bytes, now: Timestamp.nowMilliseconds()))
        case .closed(let id):
            disconnect(id)
        }
    }

    /// Carries out what the connection rules decided, in order.
    func carryOut(_ actions: [ConnectionAction<Identity>]) {
        for action in actions {
            switch action {
            case .refuse(let key, let error):
                refuse(error, to: key.id)
            case .close(let key, let code, let reason):
                transport.close(key.id, code: code, reason: reason)
            case .lookUpToken(let key, let token):
                lookUpToken(key.id, token: token)
            case .throttleSignIn(let key, let peer, let message):
                throttleSignIn(key.id, peer: peer, message: message)
            case .signedIn(let key, let identity, let resume):
                signedIn(key.id, identity, resume: resume)
            case .perform(let key, let frame, let identity):
                perform(frame, identity: identity, on: key.id)
            }
        }
    }

    /// Runs `work` after the session is in memory, keeping the connection's frames in order.
    func withSession(_ sessionId: String, for id: ConnectionID, ref: String? = nil, _ work: @escaping HubWork) {
        carryOut(core.withSession(sessionId, for: id.key, ref: ref, work))
    }

    /// Ends a connection's busy spell and handles, in order, what waited meanwhile.
    func resumeFrames(_ id: ConnectionID) {
        connections.release(id.key)
        drainBacklog(id)
    }

    /// Handles waiting frames until the backlog is empty or a frame makes the connection busy again.
    func drainBacklog(_ id: ConnectionID) {
        while let actions = connections.nextWaiting(id.key, now: Timestamp.nowMilliseconds()) {
            carryOut(actions)
        }
    }

    /// A connection closed: forgotten here, then in the core (readers, presence).
    func disconnect(_ id: ConnectionID) {
        if let sessionId = lobby.leave(id.key) { showLobby(sessionId) }
        guard let connection = connections.closed(id.key) else { return }
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

    /// The calendar side of a session changed in the store (moved, opened, cancelled): the
    /// copy in memory on this node follows (others read it at their next load).
    func sessionPlanned(_ info: SessionInfo) {
        _ = core.withState(of: info.id) { $0.replan(from: info) }
    }

    /// Closes the live connections of an invite (revoked, or its investor removed).
    func closeInvite(_ inviteId: String, reason: String) {
        carryOut(connections.inviteRevoked(inviteId, reason: reason))
    }

    /// Closes investor connections whose invite expired while they were connected: the
    /// expiry holds on live sockets too, not only at the next `hello`.
    func closeExpiredInvites(now: Int64 = Timestamp.nowMilliseconds()) {
        carryOut(connections.closeExpiredInvites(now: now))
    }

    /// Closes staff connections whose account's tokens were all revoked (`staff revoke`
    /// runs in another process, so the hub learns of it by polling).
    func closeRevokedStaff(active: Set<String>) {
        carryOut(connections.staffPolled(active: active))
    }

    /// Whether any staff member is connected (the revocation poll is skipped otherwise).
    var hasStaffConnections: Bool { connections.hasStaff }

    /// Closes connections that have not said `hello` in time.
    func sweepSilentConnections() {
        carryOut(connections.sweep(now: Timestamp.nowMilliseconds()))
    }
}

extension ConnectionTable {
    /// One connection's record, by the transport's name.
    subscript(id: ConnectionID) -> ConnectionRecord<Identity>? { self[id.key] }
}

extension DialogueHub {
    /// From now on frames are ignored: the server is stopping.
    func stopTakingFrames() {
        connections.stopTakingFrames()
    }

    /// Sessions in memory that have not ended.
    func liveSessionIds() -> [String] { core.liveSessionIds }
}

/// Which agent pack each session with submitted events uses, under a lock: the commit
/// delivery finds the terms of committed events with it without asking the hub (which
/// would cost a hop to the service thread and back per commit batch).
final class SubmittedAgents: Sendable {
    private let agents = Mutex<[String: String]>([:])

    /// Records the agents of the sessions `events` belong to (a session's agent never changes).
    func note(_ events: [Event], agent: (String) -> String?) {
        var sessions: [String] = []
        for event in events where !sessions.contains(event.session) { sessions.append(event.session) }
        let missing = agents.withLock { known in sessions.filter { known[$0] == nil } }
        guard !missing.isEmpty else { return }
        let found = missing.compactMap { session in agent(session).map { (session, $0) } }
        agents.withLock { known in for (session, agent) in found { known[session] = agent } }
    }

    /// The agents of the sessions a commit touches; a session whose `ended` event committed
    /// is forgotten afterwards (nothing more is submitted for it).
    func agents(of result: CommitResult) -> [String: String] {
        agents.withLock { known in
            var found: [String: String] = [:]
            for event in result.committed where found[event.session] == nil {
                found[event.session] = known[event.session]
            }
            for event in result.committed where event.kind == .ended { known[event.session] = nil }
            return found
        }
    }
}
