import AgentPacks
import Dialogue
import Foundation
import Logging
import Mail
import PostgresStore
import ServiceLifecycle
import Store
import Synchronization
import Transcripts
import Transport

/// The whole server wired together: store, agent packs, transport, hub, HTTP API.
/// `start()` binds; `run()` serves its parts in one `ServiceGroup` and, on graceful
/// shutdown, drains as the contract says (`ServerPart`).
package final class DialogueServerApp: Sendable {
    package let configuration: ServerConfiguration
    package let store: any DialogueStore
    package let transcripts: TranscriptService
    let agentSource: AgentPackSource
    var agents: AgentCatalog { agentSource.current }
    let glossaries: GlossaryRegistry
    package let retrieval: RetrievalService
    /// Documents officers upload, published over the packs' files.
    let documents: DocumentLibrary
    let transcriptSearch: TranscriptSearch
    /// Redaction, erasure and retention over the store, index, hub and archive files.
    let redactions: RedactionService
    let transport: WebSocketServer
    let hub: DialogueHub
    let metrics: Metrics
    /// The HTTP client of the translation and LLM providers; shut down last.
    package let providers = ProviderClient()
    let signInFailures: SignInFailures
    let logger: Logger
    /// Signs checkpoints of live sessions, fed by the commit delivery.
    let checkpointer: Checkpointer
    /// The HTTP API `start()` made for the bound port, answered by the `http` part.
    let served = Mutex<HTTPAPI?>(nil)
    /// Other nodes' commits (a shared store), opened once by `start()` for the `notices` part.
    let notices = Mutex<AsyncStream<CommitNotice>?>(nil)
    /// The `http` part's handlers still running.
    let requestHandlers = RequestHandlers()
    /// Sends the outbox (the `mail` part).
    let mailWorker: MailWorker
    /// The sender of meeting mails.
    let mailFrom: MailAddress
    /// Seals invite codes for the mails that repeat a link.
    let inviteSeal: InviteLinkSeal
    /// Seals the messages of the outbox (they hold join links).
    let outboxSeal: SigningKeySeal
    /// Queues the mails of meetings; made by `start()`, which knows the links' base URL.
    let mailer = Mutex<MeetingMailer?>(nil)

    /// Opens the store the configuration names (SQLite in the data folder, or PostgreSQL)
    /// and the agent packs; refuses to start on a broken pack or database.
    package static func open(configuration: ServerConfiguration, logger: Logger) async throws -> DialogueServerApp {
        guard let url = configuration.storeURL else { return try DialogueServerApp(configuration: configuration, logger: logger) }
        let store = try await PostgresStore.open(
            url: url, commitInterval: configuration.commitInterval, commitBatch: configuration.commitBatch,
            logger: logger)
        do {
            return try DialogueServerApp(configuration: configuration, logger: logger, store: store)
        } catch {
            store.close()
            throw error
        }
    }

    /// Opens the data folder (SQLite) and agent packs; refuses to start on a broken pack or database.
    package convenience init(configuration: ServerConfiguration, logger: Logger) throws {
        let store = try SQLiteStore(
            dataDirectory: configuration.dataDirectory, commitInterval: configuration.commitInterval,
            commitBatch: configuration.commitBatch, logger: logger)
        try self.init(configuration: configuration, logger: logger, store: store)
    }

    /// Serves from `store`, with the data folder for the node's own files (signing key unless
    /// configured elsewhere, retrieval and transcript-search indexes, archived transcripts).
    package init(configuration: ServerConfiguration, logger: Logger, store: any DialogueStore) throws {
        self.configuration = configuration
        self.logger = logger
        agentSource = try AgentPackSource(
            folder: URL(fileURLWithPath: configuration.agentsDirectory, isDirectory: true), logger: logger)
        self.store = store
        glossaries = GlossaryRegistry(store: store, logger: logger)
        // The retrieval index is a database file of its own: indexing never takes the event
        // store's write lock.
        retrieval = try RetrievalService(
            dataDirectory: configuration.dataDirectory, agents: agentSource, glossaries: glossaries, logger: logger)
        documents = DocumentLibrary(
            store: store, agentSource: agentSource, retrieval: retrieval,
            scratch: URL(fileURLWithPath: configuration.dataDirectory, isDirectory: true).appendingPathComponent("scratch"),
            logger: logger)
        // Transcript search keeps its own index file too, filled when someone searches.
        transcriptSearch = try TranscriptSearch(dataDirectory: configuration.dataDirectory, store: store)
        let keyPath = SigningKey.path(dataDirectory: configuration.dataDirectory, override: configuration.signingKeyPath)
        let key = try SigningKey.loadOrCreate(path: keyPath)
        transcripts = TranscriptService(
            store: store, key: key, dataDirectory: configuration.dataDirectory, logger: logger,
            glossaries: glossaries, retiredKeys: try SigningKey.retiredKeys(keyPath: keyPath),
            checkpointEvents: configuration.checkpointEvents)
        checkpointer = Checkpointer(
            service: transcripts, events: configuration.checkpointEvents, interval: configuration.checkpointInterval,
            logger: logger)
        var transportConfiguration = TransportConfiguration()
        transportConfiguration.host = configuration.host
        transportConfiguration.port = configuration.port
        transportConfiguration.origins = OriginPolicy(
            allowed: configuration.allowedOrigins, publicURL: configuration.publicURL)
        transportConfiguration.clientAddresses = ClientAddressResolver(
            trustedProxies: configuration.trustedProxies.compactMap(CIDR.init), header: configuration.forwardedHeader)
        if let cap = configuration.maxConnections { transportConfiguration.maxConnections = cap }
        if let cap = configuration.maxConnectionsPerAddress { transportConfiguration.maxConnectionsPerAddress = cap }
        if let budget = configuration.maxBodyMemory { transportConfiguration.bodyMemoryBudget = budget }
        if let seconds = configuration.requestTimeout { transportConfiguration.requestTimeout = seconds }
        transportConfiguration.strictTransportSecurity = configuration.servedOverHTTPS
        transportConfiguration.tlsCertificatePath = configuration.tlsCertificate
        transportConfiguration.tlsKeyPath = configuration.tlsKey
        transportConfiguration.deflate = configuration.deflate
        transportConfiguration.largeBodyPaths = HTTPAPI.routes.largeBodyPaths  // from the route table
        transportConfiguration.largeBodyTemplates = HTTPAPI.routes.largeBodyTemplates
        transportConfiguration.pingInterval = configuration.pingInterval
        transportConfiguration.echoPath = configuration.conformanceEcho ? "/echo" : nil
        transportConfiguration.eventLoop = TransportConfiguration.EventLoop(rawValue: configuration.eventLoop) ?? .libev
        transport = WebSocketServer(configuration: transportConfiguration, logger: logger)
        metrics = Metrics()
        metrics.readRefusals { [transport] in
            Dictionary(uniqueKeysWithValues: transport.refusalCounts.map { ($0.key.rawValue, $0.value) })
        }
        signInFailures = SignInFailures(
            limitPerMinute: configuration.signInFailuresPerMinute, metrics: metrics, logger: logger)
        hub = DialogueHub(
            transport: transport, store: store, agents: agentSource, glossaries: glossaries, retrieval: retrieval,
            configuration: configuration, providers: providers,
            metrics: metrics,
            archiver: TranscriptArchiver(service: transcripts, logger: logger), signInFailures: signInFailures,
            logger: logger)
        // The hub runs on the lws service thread (its executor) and takes each WebSocket
        // event in the callback that read it: no hop between reading a frame and deciding.
        transport.setEventHandler { [hub] event in hub.assumeIsolated { $0.handle(event) } }
        // Each commit goes from the writer's thread straight into the hub's queue, with its
        // glossary terms found on the way (on the writer's thread, so the hub never spends
        // its time matching long texts); no task in between.
        let (checkpointer, glossaries) = (checkpointer, glossaries)
        store.writer.deliverResults { [hub] result in
            checkpointer.note(result)  // a counter under a lock: signing is the checkpointer's task
            let terms = DialogueHub.terms(
                of: result, agents: hub.submittedAgents.agents(of: result), glossaries: glossaries)
            hub.transport.hubExecutor.perform { hub.assumeIsolated { $0.didCommit(result, terms: terms) } }
        }
        redactions = RedactionService(
            store: store, transcripts: transcripts, index: transcriptSearch.index, hub: hub, logger: logger)
        inviteSeal = InviteLinkSeal(signingKey: key.rawRepresentation)
        outboxSeal = SigningKeySeal(signingKey: key.rawRepresentation, purpose: "outbox messages v1")
        let sender = configuration.mailSender(port: configuration.port)
        do { mailFrom = try MailAddress(parsing: sender) } catch {
            throw ServerStartError.badMail("--mail-from \(sender.debugDescription) is not a mail address: \(error)")
        }
        mailWorker = MailWorker(
            store: store, seal: outboxSeal, transport: try Self.mailTransport(configuration, logger: logger), from: mailFrom,
            node: SecretToken.identifier(prefix: "node"), policy: MailRetryPolicy(first: configuration.mailRetry),
            lease: configuration.mailLease, logger: logger)
    }

    /// The transport `--smtp`, `--sendmail` or the default Maildir (`DATA/mail`) names.
    static func mailTransport(_ configuration: ServerConfiguration, logger: Logger) throws -> any MailTransport {
        switch configuration.mail {
        case .maildir(let folder):
            return MaildirTransport(
                directory: folder ?? URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("mail").path)
        case .sendmail(let path):
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw ServerStartError.badMail("--sendmail \(path): no executable program there")
            }
            return SendmailTransport(path: path)
        case .smtp(let url):
            do { return try SMTPTransport(url: url, logger: logger) } catch {
                throw ServerStartError.badMail("--smtp: \(error)")
            }
        }
    }

    /// What `serve` prints when it is up.
    package struct Started: Sendable {
        /// `http://HOST:PORT` of the bound socket (no trailing slash).
        package var listenURL: String
        /// Base of links given to people: `--public-url`, else `listenURL`.
        package var baseURL: String
        /// The first officer's token, when the database had no staff yet.
        package var officerToken: String?
    }

    /// Binds, starts the commit writer and the service thread, and reports what to print;
    /// `run()` then serves until the group around it shuts down gracefully.
    package func start() async throws -> Started {
        var officerToken: String?
        if try await store.staffAccounts().isEmpty {
            officerToken = try await store.addStaff(name: "officer", role: .officer).token
        }
        try await glossaries.load(agents)
        // Published uploads in force before the first index refresh (which then covers them).
        try await documents.refresh()
        retrieval.refreshInBackground()
        store.writer.start()
        try transport.start()
        let baseURL = configuration.baseURL(port: transport.port)
        let api = makeHTTPAPI(baseURL: baseURL)
        transport.setPreflight { [api] request in await api.preflight(request) }
        served.withLock { $0 = api }
        let meetingMailer = makeMailer(baseURL: baseURL)
        mailer.withLock { $0 = meetingMailer }
        hub.mailHooks.set(
            handover: { answer in await meetingMailer.notifyDesk(answer) },
            ended: { session in await meetingMailer.sendTranscripts(of: session) })
        notices.withLock { $0 = store.commitNotices() }
        // Another node's notices sent before this node listens are lost: a revocation or a
        // cancellation would not reach the sockets it is about to take. Wait for them (the
        // listeners go on connecting after the limit; their `resumed` has the sessions catch up).
        if await !store.noticesListening(within: .seconds(10)) {
            logger.warning("serving before every notice channel listens; they go on connecting")
        }
        logger.info(
            "serving",
            metadata: [
                "url": "\(baseURL)/", "data": "\(configuration.dataDirectory)", "agents": "\(agents.ids)",
                "transport.loop": "\(transport.eventLoop.rawValue)",
                "transcript.publicKey": "\(transcripts.publicKey)", "transcript.keyId": "\(transcripts.keyId)",
            ])
        return Started(
            listenURL: configuration.listenURL(port: transport.port), baseURL: baseURL, officerToken: officerToken)
    }

    /// Serves (after `start()`) until the task's service group shuts down gracefully, then
    /// stops every part in the order `ServerPart.startOrder` reversed gives; returns once the
    /// store is closed. The parts run in one `ServiceGroup` of their own, which takes its
    /// graceful shutdown from the group this runs in (the command's, which has the signals).
    package func run() async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: parts(), logger: logger))
        try await group.run()
        logger.info("stopped")
    }
}
