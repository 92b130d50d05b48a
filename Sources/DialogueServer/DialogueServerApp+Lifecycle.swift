import Dialogue
import Logging
import ServiceLifecycle
import Store
import Transport

extension DialogueServerApp {
    /// Every long-running part of this node as a service, in `ServerPart.startOrder`.
    func parts() -> [any Service] {
        ServerPart.startOrder.compactMap(service(for:))
    }

    /// One part's work and its stop, as `shutdown` did them in turn before the group did;
    /// nil for a part this node does not run (presence and notices without a shared store,
    /// retention without `--retention-days`).
    private func service(for part: ServerPart) -> PartService? {
        let (hub, transport, store, logger) = (hub, transport, store, logger)
        switch part {
        case .store:
            return PartService(.store, afterwards: { store.close() })
        case .providers:
            let providers = providers
            return PartService(.providers, afterwards: { await providers.shutdown() })
        case .presence:
            guard let presence = hub.nodePresence else { return nil }
            // The loop ends before leaving: a turn still running could otherwise write this
            // node back after it left.
            return PartService(
                .presence, ending: .cancelled, work: { await presence.run(hub: hub) },
                afterwards: { await presence.leave() })
        case .events:
            return PartService(.events, work: { for await event in transport.events { await hub.handle(event) } })
        case .http:
            guard let api = served.withLock({ $0 }) else { return nil }
            return PartService(
                .http,
                work: {
                    await withDiscardingTaskGroup { requests in
                        for await request in transport.httpRequests {
                            requests.addTask { transport.respond(to: request.id, with: await api.handle(request)) }
                        }
                        // The transport has stopped: no answer can be sent any more.
                        requests.cancelAll()
                    }
                })
        case .notices:
            // Another node's commits: the sessions live here catch up from the store.
            guard let notices = store.commitNotices() else { return nil }
            return PartService(
                .notices, ending: .cancelled,
                work: { for await notice in notices { await hub.committedElsewhere(notice) } })
        case .transport:
            return PartService(
                .transport,
                stop: {
                    transport.closeAll(code: 1001, reason: "server shutting down")
                    let deadline = ContinuousClock.now + .seconds(3)
                    while transport.openConnections > 0 && ContinuousClock.now < deadline {
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
            return PartService(.archives, stop: { await hub.waitForArchives() })
        case .commits:
            let (checkpointer, glossaries, writer) = (checkpointer, glossaries, store.writer)
            return PartService(
                .commits,
                work: {
                    for await result in writer.results {
                        checkpointer.note(result)  // a counter under a lock: signing is the checkpointer's task
                        // Terms are found here, between the writer and the hub, so the hub never
                        // spends its time matching long texts.
                        let agents = await hub.agents(of: result)
                        let terms = DialogueHub.terms(of: result, agents: agents, glossaries: glossaries)
                        await hub.didCommit(result, terms: terms)
                    }
                },
                // Commits what is queued and finishes `results`, so the work above ends once
                // every ack of a committed event is queued. SQLite's writer blocks until then:
                // off the group's task.
                stop: { await Task.detached { await writer.shutdown() }.value })
        case .sweep:
            let sweep = Duration.milliseconds(Int64(max(100, min(1000, configuration.helloTimeout * 250))))
            return PartService(
                .sweep, ending: .cancelled,
                work: {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: sweep)
                        await hub.sweepSilentConnections()
                        await hub.closeExpiredInvites()
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
                        } catch {
                            logger.error("staff revocation check failed", metadata: ["error": "\(error)"])
                        }
                    }
                })
        case .packWatcher:
            // Agent packs edited while serving: reloaded (and their glossary and index brought up
            // to date) when they validate; reported and ignored when they do not.
            let (agentSource, glossaries, retrieval) = (agentSource, glossaries, retrieval)
            return PartService(
                .packWatcher, ending: .cancelled,
                work: {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(3))
                        guard !Task.isCancelled, let catalog = agentSource.reloadIfChanged() else { continue }
                        do {
                            try await glossaries.load(catalog)
                        } catch {
                            logger.error("glossary reload failed", metadata: ["error": "\(error)"])
                        }
                        retrieval.refreshInBackground()
                    }
                })
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
                        } catch {
                            logger.error("retention run failed", metadata: ["error": "\(error)"])
                        }
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
