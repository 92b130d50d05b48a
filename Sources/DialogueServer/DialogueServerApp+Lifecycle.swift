import Dialogue
import Foundation
import Scheduling
import Logging
import ServiceLifecycle
import Store
import Transport

extension DialogueServerApp {
    /// Every long-running part of this node as a service, in `ServerPart.startOrder` (after
    /// `start()`, which binds the port the `http` part answers on and opens the notices).
    func parts() -> [PartService] {
        precondition(served.withLock { $0 } != nil, "start() must run before the parts are served")
        let services = ServerPart.startOrder.compactMap(service(for:))
        assert(services.map(\.part) == runningParts)
        return services
    }

    /// The parts this node runs, in start order, without building them (they hold the
    /// notices' stream and the HTTP API, which `start()` makes once).
    var runningParts: [ServerPart] {
        ServerPart.startOrder.filter { part in
            switch part {
            case .presence: hub.nodePresence != nil
            case .http: served.withLock { $0 } != nil
            case .notices: notices.withLock { $0 } != nil
            case .retention: configuration.retentionDays != nil
            case .calendar: mailer.withLock { $0 } != nil
            default: true
            }
        }
    }

    /// One part's work and its stop, as `shutdown` did them in turn before the group did;
    /// nil for a part this node does not run (presence and notices without a shared store,
    /// retention without `--retention-days`).
    private func service(for part: ServerPart) -> PartService? {
        let (hub, transport, store, logger) = (hub, transport, store, logger)
        switch part {
        case .store:
            // The writer is shut down (again: it is idempotent) before the store closes, so a
            // group cancelled rather than shut down, which runs every part's stop at once, still
            // never closes the store under a commit. SQLite's writer blocks: off the group's task.
            let writer = store.writer
            return PartService(
                .store,
                afterwards: {
                    await Task.detached {
                        await writer.shutdown()
                        await store.closeAndWait()
                    }.value
                })
        case .providers:
            let providers = providers
            return PartService(.providers, afterwards: { await providers.shutdown() })
        case .mail:
            // Stopped after the HTTP API and the calendar, which queue mails: what they queued
            // is sent while the node runs, or by the next node to take the outbox.
            let worker = mailWorker
            return PartService(.mail, work: { await worker.run() }, stop: { worker.finish() })
        case .presence:
            guard let presence = hub.nodePresence else { return nil }
            // The loop ends before leaving: a turn still running could otherwise write this
            // node back after it left. Leaving runs in a task of its own: should the group be
            // cancelled rather than shut down, a cancelled task could not reach the store.
            return PartService(
                .presence, ending: .cancelled, work: { await presence.run(hub: hub) },
                afterwards: { await Task.detached { await presence.leave() }.value })
        case .events:
            // The hub takes the events on the service thread (`setEventHandler`); the stream
            // stays empty and ends when the transport stops.
            return PartService(.events, work: { for await event in transport.events { await hub.handle(event) } })
        case .http:
            guard let api = served.withLock({ $0 }) else { return nil }
            let handlers = requestHandlers
            return PartService(
                .http,
                work: {
                    for await request in transport.httpRequests {
                        handlers.start { transport.respond(to: request.id, with: await api.handle(request)) }
                    }
                    // The transport has stopped: no answer can be sent any more. A handler that
                    // does not end soon once cancelled must not hold the store open past the
                    // supervisor's patience (the harness kills at 10 s): it is left behind.
                    let abandoned = await handlers.cancelAll(grace: .seconds(2))
                    if abandoned > 0 {
                        logger.warning(
                            "HTTP requests still running at shutdown were abandoned",
                            metadata: ["count": "\(abandoned)"])
                    }
                })
        case .notices:
            // Another node's commits: the sessions live here catch up from the store.
            guard let notices = notices.withLock({ $0 }) else { return nil }
            return PartService(
                .notices, ending: .cancelled,
                work: { for await notice in notices { await hub.committedElsewhere(notice) } })
        case .transport:
            return PartService(
                .transport,
                stop: {
                    transport.closeAll(code: 1001, reason: "server shutting down")
                    let deadline = ContinuousClock.now + .seconds(3)
                    while transport.openConnections > 0 && ContinuousClock.now < deadline && !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                    transport.stop()
                })
        case .checkpoints:
            let checkpointer = checkpointer
            return PartService(
                .checkpoints, work: { await checkpointer.run() },
                stop: {
                    await checkpointer.signAll()  // what this node committed: nothing else is signed
                    checkpointer.finish()
                })
        case .archives:
            return PartService(
                .archives,
                stop: {
                    // The hub's reads, timers and provider calls are cancelled and awaited once
                    // nothing is committed any more; then the transcripts being written.
                    await hub.waitForTasks()
                    await hub.waitForArchives()
                })
        case .commits:
            // The writer hands each result to the hub itself (`deliverResults`, set up before
            // it started); its stream only ends, once the writer has stopped.
            let writer = store.writer
            return PartService(
                .commits,
                work: { for await _ in writer.results {} },
                // Commits what is queued and hands every result over; SQLite's writer blocks
                // until then: off the group's task. The hub's queue is in order, so once a
                // call to it returns, every commit handed over before has been delivered.
                stop: {
                    await Task.detached { await writer.shutdown() }.value
                    await hub.commitsDelivered()
                })
        case .sweep:
            let sweep = Duration.milliseconds(Int64(max(100, min(1000, configuration.helloTimeout * 250))))
            return PartService(
                .sweep, ending: .cancelled,
                work: {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: sweep)
                        guard !Task.isCancelled else { break }
                        await hub.sweepSilentConnections()
                        await hub.closeExpiredInvites()
                    }
                })
        case .calendar:
            guard let mailer = mailer.withLock({ $0 }) else { return nil }
            let tick = configuration.calendarTick
            return PartService(
                .calendar, ending: .cancelled,
                work: {
                    var turn = 0
                    while !Task.isCancelled {
                        // Every 40th turn (10 minutes at the default tick), and the first: the
                        // mails a stop between a change and its mails left out.
                        await Self.calendarTurn(
                            store: store, hub: hub, mailer: mailer, now: Date(), reconcile: turn % 40 == 0, logger: logger)
                        turn += 1
                        try? await Task.sleep(for: tick)
                    }
                })
        case .staffRevocation:
            return PartService(
                .staffRevocation, ending: .cancelled,
                work: {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(5))
                        guard !Task.isCancelled, await hub.hasStaffConnections else { continue }
                        do {
                            await hub.closeRevokedStaff(active: try await store.activeStaffIds())
                        } catch where !Task.isCancelled {  // not when stopping: that is no failure
                            logger.error("staff revocation check failed", metadata: ["error": "\(error)"])
                        } catch {}
                    }
                })
        case .packWatcher:
            // Agent packs edited while serving: reloaded (and their glossary and index brought up
            // to date) when they validate; reported and ignored when they do not.
            let (agentSource, glossaries, retrieval, documents) = (agentSource, glossaries, retrieval, documents)
            return PartService(
                .packWatcher, ending: .cancelled,
                work: {
                    var turn = 0
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(3))
                        guard !Task.isCancelled else { continue }
                        // The barometer's gauges: ratings arrive all the time, so once a minute.
                        if turn % 20 == 0, let api = self.served.withLock({ $0 }) { await api.refreshBarometerGauges() }
                        turn += 1
                        // Documents another node published (or withdrew), from the shared store.
                        do {
                            try await documents.refresh()
                        } catch where !Task.isCancelled {
                            logger.error("published documents not read", metadata: ["error": "\(error)"])
                        } catch {}
                        guard let catalog = agentSource.reloadIfChanged() else { continue }
                        do {
                            try await glossaries.load(catalog)
                        } catch where !Task.isCancelled {  // not when stopping: that is no failure
                            logger.error("glossary reload failed", metadata: ["error": "\(error)"])
                        } catch {}
                        retrieval.refreshInBackground()
                    }
                },
                // The indexing it (or start-up) began: stopped between packs and waited for, so
                // nothing writes the index once the node has stopped.
                afterwards: { await retrieval.stopRefreshing() })
        case .retention:
            // Off the transport thread, at start and then periodically (at most hourly, sooner
            // for a tiny --retention-days, so a short test period takes effect).
            guard let days = configuration.retentionDays else { return nil }
            let period = max(1, min(3600, days * 86_400 / 4))
            let redactions = redactions
            return PartService(
                .retention, ending: .cancelled,
                work: {
                    while !Task.isCancelled {
                        do {
                            _ = try await redactions.applyRetention(days: days)
                        } catch where !Task.isCancelled {  // not when stopping: that is no failure
                            logger.error("retention run failed", metadata: ["error": "\(error)"])
                        } catch {}
                        try? await Task.sleep(for: .milliseconds(Int64(period * 1000)))
                    }
                })
        case .archiveCheck:
            // Sessions that ended without their final head (a crash right after `ended`, or a
            // head deleted from the database): never signed now, since that would sign whatever
            // the database holds today. Verification reports them; the operator investigates.
            let transcripts = transcripts
            return PartService(
                .archiveCheck, ending: .cancelled,
                work: {
                    do {
                        for info in try await transcripts.store.sessions(matching: nil, status: .ended)
                        where try await !transcripts.isSealed(session: info.id) {
                            logger.error(
                                "ended session has no final signed head; it is not signed again (transcript verify reports it)",
                                metadata: ["session.id": "\(info.id)"])
                        }
                    } catch where !Task.isCancelled {
                        logger.error("start-up archive check failed", metadata: ["error": "\(error)"])
                    } catch {}  // stopped before it finished: the next start checks again
                })
        case .gate:
            return PartService(
                .gate,
                stop: {
                    logger.info("shutting down")
                    await hub.stopTakingFrames()
                    transport.refuseNewConnections()
                })
        }
    }
}

extension DialogueServerApp {
    /// One turn of the calendar: sessions whose start has come are opened (another node may
    /// have opened one first: that is no failure), then the reminders due are queued.
    static func calendarTurn(
        store: any DialogueStore, hub: DialogueHub, mailer: MeetingMailer, now: Date, reconcile: Bool = false,
        logger: Logger
    ) async {
        do {
            for id in try await store.sessionsToOpen(now: MeetingTime.rfc3339(now)) {
                guard !Task.isCancelled else { return }
                do {
                    let opened = try await store.openSession(id)
                    await hub.sessionPlanned(opened)
                    logger.info("session opened at its time", metadata: ["session.id": "\(id)"])
                } catch StoreError.conflict {  // another node opened it first
                } catch StoreError.notFound {}
            }
            try await mailer.remind(now: now)
            if reconcile { try await mailer.reconcile(now: now) }
        } catch where !Task.isCancelled {
            logger.error("calendar turn failed", metadata: ["error": "\(error)"])
        } catch {}
    }
}
