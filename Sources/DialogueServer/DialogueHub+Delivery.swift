import Dialogue
import Store
import Transport

extension DialogueHub {
    /// Adds a connection to a session's readers. With `sendHistory`, the events after
    /// `after` up to the last committed one are sent first, and live events wait meanwhile.
    func subscribe(_ id: ConnectionID, _ sessionId: String, after: Int64, sendHistory: Bool) {
        guard let upTo = sessions[sessionId]?.durableSeq, let connection = connections[id] else { return }
        sessions[sessionId]!.members[id] = sendHistory ? .catchingUp(upTo: upTo) : .live
        var cameOnline = false
        if let participant = connection.participant, participant.role != .reviewer {
            cameOnline = sessions[sessionId]!.onlineCount[participant.id] == nil
            sessions[sessionId]!.onlineCount[participant.id, default: 0] += 1
        }
        connections[id]?.sessions.insert(sessionId)
        if cameOnline, let participantId = connection.participant?.id {
            broadcastPresence(sessionId, participantId: participantId, excluding: id)
        }
        guard sendHistory else { return }
        let officer = connection.isOfficer || connection.identity?.role == .reviewer
        let language = connection.language
        // Detached: reading and encoding history is work the hub need not wait for.
        Task.detached { [store, transport, logger] in
            var cursor = after
            var sentFrame = false
            do {
                while cursor < upTo {
                    let page = try await store.storedFrames(session: sessionId, after: cursor, limit: 256)
                        .filter { $0.seq <= upTo }
                    guard let last = page.last else { break }
                    cursor = last.seq
                    // A body that is not an object (a damaged database) is skipped, never sent raw.
                    let visible = page.filter {
                        (officer || !$0.kind.officersOnly) && $0.canonical.first == UInt8(ascii: "{")
                            && $0.canonical.last == UInt8(ascii: "}")
                    }
                    transport.send(
                        Self.historyFrame(
                            session: sessionId, events: visible.map { Self.frame($0, language: language) },
                            complete: cursor >= upTo), to: id)
                    sentFrame = true
                }
            } catch {
                logger.error("history read failed", metadata: ["session.id": "\(sessionId)", "error": "\(error)"])
            }
            if !sentFrame || cursor < upTo {
                let frame: JSONValue = [
                    "type": "history", "session": .string(sessionId), "events": [], "complete": true,
                ]
                transport.send(JSONWriter.bytes(frame), to: id)
            }
            await self.finishCatchUp(id, sessionId)
        }
    }

    /// History is out: send what arrived meanwhile and go live.
    func finishCatchUp(_ id: ConnectionID, _ sessionId: String) {
        guard case .catchingUp = sessions[sessionId]?.members[id] else { return }
        let officer = connections[id]?.isOfficer == true || connections[id]?.identity?.role == .reviewer
        let language = connections[id]?.language ?? "en"
        for pending in sessions[sessionId]!.catchUpBuffers.removeValue(forKey: id) ?? []
        where officer || !pending.event.kind.officersOnly {
            transport.send(Self.frame(pending.event, canonical: pending.canonical, language: language), to: id)
        }
        sessions[sessionId]!.members[id] = .live
    }

    /// A `history` frame around event frames that are already bytes.
    nonisolated static func historyFrame(session: String, events: [[UInt8]], complete: Bool) -> [UInt8] {
        var out = Array(#"{"type":"history","session":"#.utf8)
        out.append(contentsOf: JSONWriter.bytes(.string(session)))
        out.append(contentsOf: #","complete":"#.utf8)
        out.append(contentsOf: (complete ? "true" : "false").utf8)
        out.append(contentsOf: #","events":["#.utf8)
        for (index, event) in events.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: event)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// A stored event's frame for one reader, spliced from its stored bytes.
    nonisolated static func frame(_ stored: StoredFrame, language: String) -> [UInt8] {
        Event.frameBytes(canonical: stored.canonical, hasText: stored.kind.hasText)
    }

    /// An event's frame for one reader, spliced onto its canonical JSON (which the writer
    /// already made for hashing) instead of encoding the event again. Terms and translations
    /// are per reader language; until the glossary layer exists every reader gets `terms: []`.
    nonisolated static func frame(_ event: Event, canonical: [UInt8], language: String) -> [UInt8] {
        Event.frameBytes(canonical: canonical, hasText: event.kind.hasText)
    }

    /// Applies a commit: acks, then the events to every member, in seq order.
    func didCommit(_ result: CommitResult) {
        let now = result.committedAt
        metrics.committed(latencies: result.submittedAt.map { Double(now &- $0) / 1e9 })
        for (event, canonical) in zip(result.committed, result.canonical) {
            guard let durable = sessions[event.session]?.durableSeq else { continue }
            sessions[event.session]!.durableSeq = max(durable, event.seq)
            let acks = sessions[event.session]!.pendingAcks.removeValue(forKey: event.seq) ?? []
            for (connection, clientId) in acks {
                send(["type": "ack", "clientId": .string(clientId), "seq": .int(event.seq)], to: connection)
            }
            broadcast(event, canonical: canonical)
            afterCommit(event)
        }
        if !result.failed.isEmpty { failed(result.failed) }
        for sessionId in Set(result.committed.map(\.session)) { unloadIfIdle(sessionId) }
    }

    /// Sends an event to a session's members, making its frame once per reader language.
    func broadcast(_ event: Event, canonical: [UInt8]) {
        guard let members = sessions[event.session]?.members else { return }
        var live: [String: [ConnectionID]] = [:]
        for (id, subscription) in members {
            guard let connection = connections[id] else { continue }
            let officer = connection.isOfficer || connection.identity?.role == .reviewer
            if event.kind.officersOnly && !officer { continue }
            switch subscription {
            case .live:
                live[connection.language, default: []].append(id)
            case .catchingUp(let upTo):
                if event.seq > upTo {
                    sessions[event.session]!.catchUpBuffers[id, default: []].append(
                        PendingFrame(event: event, canonical: canonical))
                }
            }
        }
        for (language, ids) in live {
            transport.send(Self.frame(event, canonical: canonical, language: language), to: ids)
        }
    }

    /// Effects beyond delivery: presence for mutes, closing removed investors, archiving ended sessions.
    func afterCommit(_ event: Event) {
        switch event.kind {
        case .moderation:
            guard let target = event.body["target"]?.stringValue else { return }
            if event.body["action"]?.stringValue == "remove" {
                for (id, connection) in connections
                where connection.identity?.participantId == target && connection.sessions.contains(event.session) {
                    transport.close(id, code: 1008, reason: "removed")
                    connections[id]?.closing = true
                }
            } else {
                broadcastPresence(event.session, participantId: target)
            }
        case .ended:
            let sessionId = event.session
            Task { [archiver] in await archiver.archive(session: sessionId) }
        default:
            break
        }
    }

    /// Storage refused events: tell their senders and rebuild the session's rules from disk.
    func failed(_ failures: [FailedAppend]) {
        metrics.commitFailed(events: failures.count)
        for sessionId in Set(failures.map(\.event.session)) {
            guard var session = sessions[sessionId] else { continue }
            let firstFailed = failures.filter { $0.event.session == sessionId }.map(\.event.seq).min() ?? 0
            for (seq, waiting) in session.pendingAcks where seq >= firstFailed {
                for (connection, clientId) in waiting {
                    refuse(
                        DialogueError(
                            .unavailable, "the message could not be stored; retry with the same clientId",
                            ref: clientId), to: connection)
                }
                session.pendingAcks[seq] = nil
            }
            sessions[sessionId] = session
            logger.error(
                "events not stored", metadata: ["session.id": "\(sessionId)", "error": "\(failures[0].error)"])
            Task {
                guard let fresh = try? await self.store.loadState(session: sessionId) else { return }
                self.replaceState(sessionId, with: fresh)
            }
        }
    }

    func replaceState(_ sessionId: String, with state: SessionState) {
        guard var session = sessions[sessionId] else { return }
        session.state = state
        session.durableSeq = state.lastSeq
        sessions[sessionId] = session
    }

    /// Tells a session's members that a participant came online, went offline, or was (un)muted.
    func broadcastPresence(_ sessionId: String, participantId: String, excluding: ConnectionID? = nil) {
        guard let session = sessions[sessionId] else { return }
        var participant = session.state.participant(participantId)
        if participant == nil {
            participant = connections.values.first { $0.participant?.id == participantId }?.participant
        }
        guard let participant else { return }
        let frame: JSONValue = [
            "type": "presence", "session": .string(sessionId),
            "participant": participant.json(online: session.onlineCount[participantId] != nil),
        ]
        let bytes = JSONWriter.bytes(frame)
        transport.send(bytes, to: session.members.keys.filter { $0 != excluding })
    }
}
