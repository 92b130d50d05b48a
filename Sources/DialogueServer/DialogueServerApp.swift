import AgentPacks
import Dialogue
import Foundation
import Logging
import PostgresStore
import Store
import Synchronization
import Transcripts
import Transport

/// The whole server wired together: store, agent packs, transport, hub, HTTP API.
/// `start()` binds and begins serving; `shutdown()` drains as the contract says.
package final class DialogueServerApp: Sendable {
    package let configuration: ServerConfiguration
    package let store: any DialogueStore
    package let transcripts: TranscriptService
    let agentSource: AgentPackSource
    var agents: AgentCatalog { agentSource.current }
    let glossaries: GlossaryRegistry
    package let retrieval: RetrievalService
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
    /// The checkpointer's loop.
    private let checkpointTask = Mutex<Task<Void, Never>?>(nil)
    /// Delivers commit results to the hub; it ends once the writer has committed everything.
    private let commitDelivery = Mutex<Task<Void, Never>?>(nil)
    /// Publishes this node's presence to a shared store and beats for it.
    private let presenceTask = Mutex<Task<Void, Never>?>(nil)

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
        transportConfiguration.largeBodyPaths = ["/v1/glossary": 16 * 1024 * 1024]
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
        redactions = RedactionService(
            store: store, transcripts: transcripts, index: transcriptSearch.index, hub: hub, logger: logger)
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

    /// Binds, starts the commit writer and the service thread, and begins consuming.
    package func start() async throws -> Started {
        var officerToken: String?
        if try await store.staffAccounts().isEmpty {
            officerToken = try await store.addStaff(name: "officer", role: .officer).token
        }
        try await glossaries.load(agents)
        retrieval.refreshInBackground()
        store.writer.start()
        try transport.start()
        let baseURL = configuration.baseURL(port: transport.port)
        let api = makeHTTPAPI(baseURL: baseURL)
        transport.setPreflight { [api] request in await api.preflight(request) }
        let (hub, transport, store) = (hub, transport, store)
        Task { for await event in transport.events { await hub.handle(event) } }
        let checkpointer = checkpointer
        checkpointTask.withLock { $0 = Task { await checkpointer.run() } }
        commitDelivery.withLock {
            $0 = Task { [glossaries] in
                for await result in store.writer.results {
                    checkpointer.note(result)  // a counter under a lock: signing is the checkpointer's task
                    // Terms are found here, between the writer and the hub, so the hub never
                    // spends its time matching long texts.
                    let agents = await hub.agents(of: result)
                    let terms = DialogueHub.terms(of: result, agents: agents, glossaries: glossaries)
                    await hub.didCommit(result, terms: terms)
                }
            }
        }
        // Another node's commits: the sessions live here catch up from the store.
        if let notices = store.commitNotices() {
            Task { for await notice in notices { await hub.committedElsewhere(notice) } }
        }
        if let nodePresence = hub.nodePresence {
            presenceTask.withLock { $0 = Task { await nodePresence.run(hub: hub) } }
        }
        Task {
            for await request in transport.httpRequests {
                Task { transport.respond(to: request.id, with: await api.handle(request)) }
            }
        }
        let sweep = Duration.milliseconds(Int64(max(100, min(1000, configuration.helloTimeout * 250))))
        Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: sweep)
                await hub.sweepSilentConnections()
                await hub.closeExpiredInvites()
            }
        }
        Task { [store, logger] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(5))
                guard await hub.hasStaffConnections else { continue }
                do {
                    await hub.closeRevokedStaff(active: try await store.activeStaffIds())
                } catch {
                    logger.error("staff revocation check failed", metadata: ["error": "\(error)"])
                }
            }
        }
        // Agent packs edited while serving: reloaded (and their glossary and index brought up
        // to date) when they validate; reported and ignored when they do not.
        Task { [agentSource, glossaries, retrieval, logger] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(3))
                guard let catalog = agentSource.reloadIfChanged() else { continue }
                do {
                    try await glossaries.load(catalog)
                } catch {
                    logger.error("glossary reload failed", metadata: ["error": "\(error)"])
                }
                retrieval.refreshInBackground()
            }
        }
        // Retention: off the transport thread, at start and then periodically (at most hourly,
        // sooner for a tiny --retention-days, so a short test period takes effect).
        if let days = configuration.retentionDays {
            let period = max(1, min(3600, days * 86_400 / 4))
            Task { [redactions, logger] in
                while !Task.isCancelled {
                    do {
                        _ = try await redactions.applyRetention(days: days)
                    } catch {
                        logger.error("retention run failed", metadata: ["error": "\(error)"])
                    }
                    try? await Task.sleep(for: .milliseconds(Int64(period * 1000)))
                }
            }
        }
        // Sessions that ended without their final head (a crash right after `ended`, or a
        // head deleted from the database): never signed now, since that would sign whatever
        // the database holds today. Verification reports them; the operator investigates.
        Task { [transcripts, logger] in
            do {
                for info in try await transcripts.store.sessions(matching: nil, status: .ended)
                where try await !transcripts.isSealed(session: info.id) {
                    logger.error(
                        "ended session has no final signed head; it is not signed again (transcript verify reports it)",
                        metadata: ["session.id": "\(info.id)"])
                }
            } catch {
                logger.error("start-up archive check failed", metadata: ["error": "\(error)"])
            }
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

    /// Graceful stop: refuse new connections, commit what is in flight (acks go out),
    /// sign the heads of live sessions, close every socket with 1001.
    package func shutdown() async {
        logger.info("shutting down")
        await hub.stopTakingFrames()
        transport.refuseNewConnections()
        let writer = store.writer
        await Task.detached { await writer.shutdown() }.value  // SQLite's blocks until committed: off the caller's task
        await commitDelivery.withLock { $0 }?.value  // every ack of a committed event is queued
        await hub.waitForArchives()
        await checkpointer.signAll()  // what this node committed: nothing else is signed
        checkpointer.finish()
        await checkpointTask.withLock { $0 }?.value
        transport.closeAll(code: 1001, reason: "server shutting down")
        let deadline = ContinuousClock.now + .seconds(3)
        while transport.openConnections > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        transport.stop()
        // The presence loop ends first: a turn still running could otherwise write this
        // node back after it left.
        if let presence = presenceTask.withLock({ $0 }) {
            presence.cancel()
            await presence.value
        }
        await hub.nodePresence?.leave()
        (store as? PostgresStore)?.close()
        await providers.shutdown()  // after the hub: nothing asks a provider any more
        logger.info("stopped")
    }
}
