import AgentPacks
import Foundation
import Logging
import Retrieval
import Synchronization

/// The retrieval index as the server uses it: opened from the data folder, brought up to
/// date in the background at start-up (only packs whose documents changed), searched by
/// `/v1/search` and, in-process, by the assistant.
package final class RetrievalService: Sendable {
    package let index: SearchIndex
    let agentSource: AgentPackSource
    var agents: AgentCatalog { agentSource.current }
    let glossaries: GlossaryRegistry
    let logger: Logger
    /// Whether the start-up indexing has finished (searches meanwhile see the last index).
    private let ready = Mutex(false)

    init(dataDirectory: String, agents: AgentPackSource, glossaries: GlossaryRegistry, logger: Logger) throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        index = try SearchIndex(path: (dataDirectory as NSString).appendingPathComponent(SearchIndex.fileName))
        self.agentSource = agents
        self.glossaries = glossaries
        self.logger = logger
    }

    /// The refresh under way (or the last one); it awaits the one before it, so holding the
    /// newest holds them all, and `stopRefreshing()` waits for them.
    private let refreshing = Mutex<Task<Void, Never>?>(nil)

    /// Re-indexes stale packs off the caller's thread; live sessions never wait on it (the
    /// index is its own database file). Refreshes run one after another.
    func refreshInBackground() {
        ready.withLock { $0 = false }
        refreshing.withLock { newest in
            let previous = newest
            newest = Task.detached(priority: .utility) { [self] in
                await withTaskCancellationHandler {
                    await previous?.value
                } onCancel: {
                    previous?.cancel()
                }
                refresh()
            }
        }
    }

    /// Cancels the refreshes under way (each stops between packs) and waits for them.
    func stopRefreshing() async {
        let newest = refreshing.withLock { $0 }
        newest?.cancel()
        await newest?.value
    }

    /// Re-indexes the stale packs, until cancelled, then marks the index ready.
    private func refresh() {
        do {
            try index.removePacks(except: Set(agents.ids))
            for pack in agents.packs where try index.isStale(pack) {
                guard !Task.isCancelled else { break }  // stopping: the next start indexes it
                let start = ContinuousClock.now
                let count = try index.index(pack)
                logger.info(
                    "retrieval index rebuilt for a pack",
                    metadata: [
                        "agent": "\(pack.id)", "passages": "\(count)",
                        "duration": "\(ContinuousClock.now - start)",
                    ])
            }
        } catch {
            logger.error("retrieval indexing failed", metadata: ["error": "\(error)"])
        }
        ready.withLock { $0 = true }
    }

    /// Whether start-up indexing is done.
    var isReady: Bool { ready.withLock { $0 } }

    /// Waits (at most `timeout`) for start-up indexing; true when it is done.
    func waitUntilReady(timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        // A cancelled task's sleep returns at once: without the check this would spin until the deadline.
        while !isReady && ContinuousClock.now < deadline && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return isReady
    }

    /// Searches with the glossary in force for the query's agent (else the default pack's),
    /// after start-up indexing (waiting for it up to 10 s).
    package func search(_ query: SearchQuery) async throws -> [SearchResult] {
        _ = await waitUntilReady()
        let agent = query.agent ?? agents.defaultPack.id
        return try await index.search(query, glossary: glossaries.active(agent: agent)?.glossary)
    }
}
