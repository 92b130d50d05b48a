import Logging
import PostgresNIO
import Store

extension PostgresStore {
    /// Every other node's commits, translations, presence changes and invite revocations, from LISTEN on their
    /// channels; `interrupted` when a listening connection is lost and `resumed` once all
    /// listen again (the notices sent meanwhile are gone, so readers catch up from the
    /// tables). Runs until the store is closed.
    package func commitNotices() -> AsyncStream<CommitNotice>? {
        let (stream, continuation) = AsyncStream.makeStream(of: CommitNotice.self)
        let (configuration, logger, nodeId) = (listening, logger, nodeId)
        let (down, up) = (listenersDown, listenersUp)
        // A connection of its own per channel, outside the pool: a listener holds it for
        // ever, and after a loss connects again itself, with a deadline (a pooled request
        // made while the server restarts may never be answered).
        let channels: [(String, @Sendable (String) -> CommitNotice?)] = [
            (PostgresEventWriter.channel, { Self.notice($0, ignoring: nodeId) }),
            (Self.translationChannel, { Self.translationNotice($0, ignoring: nodeId) }),
            (Self.presenceChannel, { Self.presenceNotice($0, ignoring: nodeId) }),
            (Self.inviteChannel, { Self.inviteNotice($0) }),
            (Self.redactionChannel, { Self.redactionNotice($0, ignoring: nodeId) }),
            (Self.scheduleChannel, { Self.scheduleNotice($0, ignoring: nodeId) }),
        ]
        // `interrupted` when the first listener loses its connection, `resumed` when the last
        // one listens again: one of each per outage, however many channels it hit.
        for (index, (channel, parse)) in channels.enumerated() {
            let listener = Task {
                var lost = false
                while !Task.isCancelled {
                    var connection: PostgresConnection?
                    do {
                        let connected = try await withDeadline(.seconds(5)) {
                            try await PostgresConnection.connect(configuration: configuration, id: index, logger: logger)
                        }
                        connection = connected
                        var first = true
                        try await connected.listen(on: channel) { notifications in
                            if first {
                                first = false
                                up.count.withLock { $0 += 1 }
                            }
                            if lost {
                                lost = false
                                logger.notice("listening again", metadata: ["db.channel": "\(channel)"])
                                if down.count.withLock({ $0 -= 1; return $0 == 0 }) { continuation.yield(.resumed) }
                            }
                            for try await notification in notifications {
                                if let notice = parse(notification.payload) { continuation.yield(notice) }
                            }
                        }
                    } catch {
                        if Task.isCancelled {
                            try? await connection?.close()
                            break
                        }
                        if !lost {  // once per outage: the retries every 250 ms would flood the log
                            logger.warning(
                                "notices interrupted; connecting again until the database answers",
                                metadata: ["db.channel": "\(channel)", "db.error": "\(describe(error))"])
                            lost = true
                            if down.count.withLock({ $0 += 1; return $0 == 1 }) { continuation.yield(.interrupted) }
                        }
                    }
                    try? await connection?.close()
                    if !Task.isCancelled { try? await Task.sleep(for: .milliseconds(250)) }
                }
                continuation.finish()
            }
            listeners.withLock { $0.append(listener) }
        }
        let tasks = listeners.withLock { $0 }
        continuation.onTermination = { _ in for task in tasks { task.cancel() } }
        return stream
    }

    /// Every channel listens once; polled, as this runs once, at start.
    package func noticesListening(within limit: Duration) async -> Bool {
        let expected = listeners.withLock { $0.count }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: limit)
        while listenersUp.count.withLock({ $0 }) < expected {
            guard clock.now < deadline, !Task.isCancelled else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// `node:inviteId` → that invite was revoked (its own node's notice too: closing twice is harmless).
    package static func inviteNotice(_ payload: String) -> CommitNotice? {
        let parts = payload.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[1].isEmpty else { return nil }
        return .inviteRevoked(String(parts[1]))
    }

    /// `node:session` from another node → that session was moved, opened or cancelled.
    package static func scheduleNotice(_ payload: String, ignoring ownNode: String) -> CommitNotice? {
        let parts = payload.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] != ownNode, !parts[1].isEmpty else { return nil }
        return .replanned(String(parts[1]))
    }

    /// `node:session:seq:language:draft` from another node → its translation is stored
    /// (`draft` 1 when the event is a draft, whose translations investors never get). A
    /// node of the previous version sends no `draft` part: it never translated drafts, so
    /// its notices still count during a rolling upgrade.
    package static func translationNotice(_ payload: String, ignoring ownNode: String) -> CommitNotice? {
        let parts = payload.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4 || parts.count == 5, parts[0] != ownNode, let seq = Int64(parts[2]) else { return nil }
        return .translated(
            session: String(parts[1]), seq: seq, language: String(parts[3]),
            officersOnly: parts.count == 5 && parts[4] == "1")
    }

    /// `node:session:seq:draft` from another node (or a command) → a redaction to tell
    /// this node's readers of.
    package static func redactionNotice(_ payload: String, ignoring ownNode: String) -> CommitNotice? {
        let parts = payload.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] != ownNode, let seq = Int64(parts[2]) else { return nil }
        return .redacted(session: String(parts[1]), seq: seq, officersOnly: parts[3] == "1")
    }

    /// `node:session:first:last`, then the stored bodies of the first events, one per line, from
    /// another node → its events are committed (this node's own commits come back to it
    /// through its writer, so their notices are skipped).
    static func notice(_ payload: String, ignoring ownNode: String) -> CommitNotice? {
        var lines = payload.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard !lines.isEmpty else { return nil }
        let header = lines.removeFirst().split(separator: UInt8(ascii: ":"))
        guard header.count == 4, let first = Int64(Substring(header[2])), let last = Int64(Substring(header[3])),
            first <= last, !header[0].elementsEqual(ownNode.utf8)
        else { return nil }
        // The bodies of the first events of the range (those that fit), in order.
        let bodies = lines.count <= Int(last - first + 1) ? lines.map { Array($0) } : []
        return .committed(session: String(Substring(header[1])), first: first, through: last, bodies: bodies)
    }
}
