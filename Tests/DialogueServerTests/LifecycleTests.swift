import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization
import Testing

@testable import DialogueServer

/// The server's parts in one `ServiceGroup` (docs/architecture.md, "Lifecycle"): the order
/// they stop in on a graceful shutdown, and how each one's work ends.
@Suite struct LifecycleTests {
    /// What happened, in order: `stop X` (its turn came), `ended X` (its work returned),
    /// `done X` (its afterwards ran).
    final class Log: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    /// Every part with a work that ends only when the part's `stop` has run (as the commit
    /// delivery ends when the writer's shutdown finishes its results), logging each step.
    func recordingParts(_ log: Log) -> [PartService] {
        ServerPart.startOrder.map { part in
            let (input, feed) = AsyncStream.makeStream(of: Void.self)
            return PartService(
                part,
                work: {
                    for await _ in input {}
                    log.append("ended \(part)")
                },
                stop: {
                    log.append("stop \(part)")
                    feed.finish()
                },
                afterwards: { log.append("done \(part)") })
        }
    }

    /// Runs `services` in a group, and shuts it down gracefully once `ready` returns.
    func run(_ services: [PartService], ready: @Sendable () async -> Void = {}) async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services, logger: Logger(label: "lifecycle-test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await ready()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func everyPartStartsOnce() {
        #expect(ServerPart.startOrder.count == ServerPart.allCases.count)
        #expect(Set(ServerPart.startOrder) == Set(ServerPart.allCases))
    }

    @Test func theGroupStopsThePartsInReverseEachOnceTheOneBeforeHasFinished() async throws {
        let log = Log()
        try await run(recordingParts(log))
        let expected = ServerPart.startOrder.reversed().flatMap { ["stop \($0)", "ended \($0)", "done \($0)"] }
        #expect(log.all == expected)
    }

    /// Today's `shutdown()` guarantees, in the order the group now keeps them.
    @Test func theShutdownKeepsTheContractsOrder() async throws {
        let log = Log()
        try await run(recordingParts(log))
        let stops = log.all.filter { $0.hasPrefix("stop ") }.map { String($0.dropFirst(5)) }
        // No frame is taken nor connection accepted once shutting down starts.
        #expect(stops.first == ServerPart.gate.rawValue)
        // What is in flight commits (acks go out), archives are written, checkpoints signed,
        // then the sockets close with 1001 and the transport stops; presence leaves after
        // that, and the store closes last.
        let sequence: [ServerPart] = [.gate, .commits, .archives, .checkpoints, .transport, .presence, .store]
        let positions = sequence.map { stops.firstIndex(of: $0.rawValue) ?? -1 }
        #expect(positions == positions.sorted() && !positions.contains(-1), "\(stops)")
        // The loops the transport feeds end after it stopped (their input finished), not before.
        for fed in [ServerPart.events, .http] {
            #expect(stops.firstIndex(of: fed.rawValue)! > stops.firstIndex(of: ServerPart.transport.rawValue)!)
        }
    }

    @Test func aCancelledPartsWorkIsCancelledAndItsAfterwardsRunsOnceItEnded() async throws {
        let log = Log()
        let loop = PartService(
            .sweep, ending: .cancelled,
            work: {
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(60)) }
                log.append("ended sweep")
            },
            stop: { log.append("stop sweep") }, afterwards: { log.append("done sweep") })
        try await run([loop])
        #expect(log.all == ["stop sweep", "ended sweep", "done sweep"])
    }

    @Test func aPartWhoseWorkEndedEarlyStillWaitsForItsTurn() async throws {
        let log = Log()
        // The archive check ends on its own long before shutdown; the group must not take
        // that for a part that failed (it would cancel the others instead of draining them).
        let (input, feed) = AsyncStream.makeStream(of: Void.self)
        let parts = [
            PartService(
                .commits, work: { for await _ in input {} }, stop: { log.append("stop commits"); feed.finish() }),
            PartService(.archiveCheck, ending: .cancelled, work: { log.append("checked") }),
        ]
        try await run(parts) {
            while !log.all.contains("checked") { try? await Task.sleep(for: .milliseconds(5)) }
            try? await Task.sleep(for: .milliseconds(50))  // the group has seen the check return
        }
        #expect(log.all == ["checked", "stop commits"])
    }

    /// A real node (SQLite in a temporary folder, the repository's packs, a port picked by
    /// the system): the parts `run()` serves, and a graceful shutdown that returns with the
    /// store closed.
    @Test func aStartedNodeServesItsPartsAndDrainsToAClosedStore() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("lifecycle-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        var configuration = ServerConfiguration()
        configuration.dataDirectory = data
        configuration.port = 0
        configuration.agentsDirectory =
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Agents")
            .standardizedFileURL.path
        var logger = Logger(label: "lifecycle-test")
        logger.logLevel = .critical
        let app = try DialogueServerApp(configuration: configuration, logger: logger)
        let started = try await app.start()
        #expect(started.officerToken != nil)
        _ = await app.retrieval.waitUntilReady(timeout: .seconds(60))  // its index file is in `data`
        // One store, not shared: no presence board, no other nodes' notices, no retention.
        #expect(app.parts().map { "\($0)" } == [
            "store", "providers", "events", "http", "transport", "checkpoints", "archives", "commits", "sweep", "staffRevocation",
            "packWatcher", "archiveCheck", "gate",
        ])
        struct Node: Service {
            let app: DialogueServerApp
            func run() async throws { try await app.run() }
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [Node(app: app)], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(200))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(app.transport.openConnections == 0)
        await #expect(throws: (any Error).self) { try await app.store.staffAccounts() }  // closed
    }
}
