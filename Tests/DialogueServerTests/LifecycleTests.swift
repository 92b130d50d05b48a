import Dialogue
import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization
import Testing

@testable import DialogueServer

#if canImport(Glibc)
    import Glibc
#endif

/// The server's parts in one `ServiceGroup` (docs/architecture.md, "Lifecycle"): the order
/// they stop in on a graceful shutdown, and how each one's work ends.
/// Serialized: two transports started at once in one process abort in libev (its signal
/// watchers belong to one loop).
@Suite(.serialized) struct LifecycleTests {
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
                .commits, work: { for await _ in input {} },
                stop: {
                    log.append("stop commits"); feed.finish()
                }),
            PartService(.archiveCheck, ending: .cancelled, work: { log.append("checked") }),
        ]
        try await run(parts) {
            while !log.all.contains("checked") { try? await Task.sleep(for: .milliseconds(5)) }
            try? await Task.sleep(for: .milliseconds(50))  // the group has seen the check return
        }
        #expect(log.all == ["checked", "stop commits"])
    }

    /// A handler that ends when cancelled is waited for; one that does not is left behind
    /// once the grace has passed, rather than holding the shutdown for ever.
    @Test(.timeLimit(.minutes(1))) func theHTTPHandlersAreCancelledAndWaitedForAtMostTheGrace() async {
        let handlers = RequestHandlers()
        handlers.start { try? await Task.sleep(for: .seconds(60)) }
        let start = ContinuousClock.now
        #expect(await handlers.cancelAll(grace: .seconds(20)) == 0)
        #expect(ContinuousClock.now - start < .seconds(5))

        let stuck = Mutex<CheckedContinuation<Void, Never>?>(nil)
        handlers.start {
            await withCheckedContinuation { continuation in stuck.withLock { $0 = continuation } }
        }
        let again = ContinuousClock.now
        #expect(await handlers.cancelAll(grace: .milliseconds(300)) == 1)
        #expect(ContinuousClock.now - again < .seconds(5))
        while stuck.withLock({ $0 }) == nil { try? await Task.sleep(for: .milliseconds(5)) }
        stuck.withLock { $0?.resume() }  // let it end, so the test leaves nothing running
        while handlers.count > 0 { try? await Task.sleep(for: .milliseconds(5)) }
    }

    /// A search cancelled while the index is not ready (an HTTP handler at shutdown) returns
    /// at once instead of spinning until its deadline.
    @Test(.timeLimit(.minutes(1))) func waitingForTheIndexEndsWhenCancelled() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("lifecycle-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let app = try Self.makeApp(data: data)
        defer { app.store.close() }
        #expect(!app.retrieval.isReady)  // nothing refreshed it: start() was not called
        let waiting = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            let start = ContinuousClock.now
            _ = await app.retrieval.waitUntilReady(timeout: .seconds(5))
            return ContinuousClock.now - start
        }
        #expect(await waiting.value < .seconds(2))
    }

    /// A node on SQLite in `data`, the repository's packs, a port the system picks.
    static func makeApp(data: String) throws -> DialogueServerApp {
        var configuration = ServerConfiguration()
        configuration.dataDirectory = data
        configuration.port = 0
        configuration.agentsDirectory =
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Agents")
            .standardizedFileURL.path
        var logger = Logger(label: "lifecycle-test")
        logger.logLevel = .critical
        return try DialogueServerApp(configuration: configuration, logger: logger)
    }

    /// A real node (SQLite in a temporary folder, the repository's packs, a port picked by
    /// the system): the parts `run()` serves, and a graceful shutdown that commits the events
    /// still in the writer, closes a client's socket with 1001, and returns with the store closed.
    @Test(.timeLimit(.minutes(1))) func aStartedNodeServesItsPartsAndDrainsToAClosedStore() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("lifecycle-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let app = try Self.makeApp(data: data)
        let started = try await app.start()
        #expect(started.officerToken != nil)
        _ = await app.retrieval.waitUntilReady(timeout: .seconds(60))  // its index file is in `data`
        // One store, not shared: no presence board, no other nodes' notices, no retention.
        #expect(
            app.runningParts.map(\.rawValue) == [
                "store", "providers", "mail", "events", "http", "transport", "checkpoints", "archives", "commits",
                "sweep", "calendar", "staffRevocation", "packWatcher", "archiveCheck", "gate",
            ])
        let events = try await Self.twoJoins(in: app.store)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [Node(app: app)], logger: Logger(label: "lifecycle-test")))
        let client = try RawWebSocket(port: app.transport.port)
        defer { client.close() }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(await Task.detached { client.upgraded() }.value)
            while app.transport.openConnections < 1 { try await Task.sleep(for: .milliseconds(10)) }
            app.store.writer.submit(events)  // in the writer when the shutdown begins
            await group.triggerGracefulShutdown()
            #expect(await Task.detached { client.closeCode() }.value == 1001)
            try await tasks.waitForAll()
        }
        for await _ in app.store.writer.results {}  // finished by the drain: returns at once
        await #expect(throws: (any Error).self) { try await app.store.staffAccounts() }  // closed
        let reopened = try SQLiteStore(dataDirectory: data)
        defer { reopened.close() }
        #expect(try await reopened.events(session: "ses_drain", after: 0, limit: 10) == events)
    }
}

extension LifecycleTests {
    /// The node as the one service of a group, as `serve` runs it.
    struct Node: Service {
        let app: DialogueServerApp
        func run() async throws { try await app.run() }
    }

    /// A live session `ses_drain` in `store`, and two joins to it not yet submitted.
    static func twoJoins(in store: any DialogueStore) async throws -> [Event] {
        let info = SessionInfo(
            id: "ses_drain", title: "Drain", status: .live, languages: ["vi", "ja"], agent: "quang-ninh-ipa",
            assistant: .review, createdAt: "2026-11-26T04:40:00.000Z", endedAt: nil, createdBy: "stf_officer")
        try await store.createSession(info)
        var state = SessionState(info: info)
        let people = [
            Participant(id: "stf_officer", role: .officer, name: "Trần Thu Hà", language: "vi"),
            Participant(id: "inv_kenji", role: .investor, name: "Kenji Sato", language: "ja"),
        ]
        return try people.enumerated().map { index, who in
            try #require(try state.join(who, at: Timestamp.format(milliseconds: 1_795_668_000_000 + Int64(index))))
        }
    }

    /// A group cancelled rather than shut down gracefully runs every part's stop at once; the
    /// store still closes only after the writer committed what it held, and nothing spins.
    @Test(.timeLimit(.minutes(1))) func aCancelledNodeStillCommitsWhatItsWriterHeldBeforeClosing() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("lifecycle-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let app = try Self.makeApp(data: data)
        _ = try await app.start()
        _ = await app.retrieval.waitUntilReady(timeout: .seconds(60))
        let events = try await Self.twoJoins(in: app.store)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [Node(app: app)], logger: Logger(label: "lifecycle-test")))
        let start = ContinuousClock.now
        await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try? await Task.sleep(for: .milliseconds(200))
            app.store.writer.submit(events)
            tasks.cancelAll()
            while let _ = try? await tasks.next() {}
        }
        #expect(ContinuousClock.now - start < .seconds(5))
        await #expect(throws: (any Error).self) { try await app.store.staffAccounts() }  // closed
        let reopened = try SQLiteStore(dataDirectory: data)
        defer { reopened.close() }
        #expect(try await reopened.events(session: "ses_drain", after: 0, limit: 10) == events)
    }
}

/// A WebSocket client on a plain socket, enough to see the server's close code.
final class RawWebSocket: Sendable {
    let socket: Int32
    /// Connects to 127.0.0.1:`port` and asks for the upgrade.
    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)  // a read never blocks the test for ever
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connected == 0 else {
            Glibc.close(socket)
            throw POSIXError(.ECONNREFUSED)
        }
        let request =
            "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        _ = request.withCString { send(socket, $0, strlen($0), 0) }
    }

    private let received = Mutex<[UInt8]>([])

    /// Reads until `enough` holds for what was received, or the server closes the socket.
    private func read(until enough: ([UInt8]) -> Bool) -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !enough(received.withLock { $0 }) {
            let count = recv(socket, &chunk, chunk.count, 0)
            guard count > 0 else { break }
            received.withLock { $0 += chunk[0..<count] }
        }
        return received.withLock { $0 }
    }

    /// Whether the server answered 101 Switching Protocols.
    func upgraded() -> Bool {
        let bytes = read { $0.firstRange(of: [13, 10, 13, 10]) != nil }
        return String(decoding: bytes, as: UTF8.self).hasPrefix("HTTP/1.1 101")
    }

    /// The code of the server's close frame (nil when none came).
    func closeCode() -> UInt16? {
        Self.closeCode(in: read { Self.closeCode(in: $0) != nil })
    }

    /// The code of the first close frame after the upgrade response in `bytes`.
    static func closeCode(in bytes: [UInt8]) -> UInt16? {
        guard var at = bytes.firstRange(of: [13, 10, 13, 10])?.upperBound else { return nil }
        while at + 2 <= bytes.count {
            let opcode = bytes[at] & 0x0F
            var (length, header) = (Int(bytes[at + 1] & 0x7F), 2)
            if length == 126 {
                guard at + 4 <= bytes.count else { return nil }
                (length, header) = (Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]), 4)
            } else if length == 127 {
                return nil  // nothing this large is sent before the close
            }
            guard at + header + length <= bytes.count else { return nil }
            if opcode == 8 {
                guard length >= 2 else { return nil }
                return UInt16(bytes[at + header]) << 8 | UInt16(bytes[at + header + 1])
            }
            at += header + length
        }
        return nil
    }

    /// Closes the socket.
    func close() { Glibc.close(socket) }
}
