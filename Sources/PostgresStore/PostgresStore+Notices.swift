import Logging
import PostgresNIO
import Store

extension PostgresStore {
    /// Every node's commits, from LISTEN on the writers' channel: `committed` for each
    /// NOTIFY, `resumed` whenever listening starts again after the connection was lost (the
    /// notices sent meanwhile are gone, so readers catch up from the tables). Runs until the
    /// store is closed.
    package func commitNotices() -> AsyncStream<CommitNotice>? {
        let (stream, continuation) = AsyncStream.makeStream(of: CommitNotice.self)
        let client = client
        let logger = logger
        let listener = Task {
            var first = true
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: PostgresEventWriter.channel) { notifications in
                            if !first { continuation.yield(.resumed) }
                            first = false
                            for try await notification in notifications {
                                if let notice = Self.notice(notification.payload) { continuation.yield(notice) }
                            }
                        }
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.warning(
                        "commit notices interrupted; listening again", metadata: ["db.error": "\(describe(error))"])
                    first = false
                    try? await Task.sleep(for: .milliseconds(250))
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in listener.cancel() }
        listeners.withLock { $0.append(listener) }
        return stream
    }

    /// `session:first:last` → the session's events are committed through `last`.
    static func notice(_ payload: String) -> CommitNotice? {
        let parts = payload.split(separator: ":")
        guard parts.count == 3, let last = Int64(parts[2]) else { return nil }
        return .committed(session: String(parts[0]), through: last)
    }
}
