import Dialogue
import Foundation
import GRDB
import Synchronization

@testable import Store

/// A fresh data folder under the system's temporary directory, removed when the test ends.
final class TemporaryFolder {
    /// Its path.
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("store-tests-" + UUID().uuidString)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the folder.
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A store on a fresh SQLite file, with the people and session most tests use.
struct StoreFixture {
    let folder: TemporaryFolder
    let store: SQLiteStore

    static let officer = Participant(id: "stf_officer", role: .officer, name: "Trần Thu Hà", language: "vi")
    static let investor = Participant(
        id: "inv_kenji", role: .investor, name: "Kenji Sato", language: "en", organisation: "Sato & Partners")
    static let otherInvestor = Participant(id: "inv_marie", role: .investor, name: "Marie Dubois", language: "fr")

    init(commitInterval: Duration = .milliseconds(2), commitBatch: Int = 512) throws {
        folder = try TemporaryFolder()
        store = try SQLiteStore(dataDirectory: folder.path, commitInterval: commitInterval, commitBatch: commitBatch)
    }

    /// A session's settings; `createdAt` decides the listing order.
    static func session(
        _ id: String, title: String = "Hội thảo đầu tư Vân Đồn", status: SessionStatus = .live,
        createdAt: String = "2026-11-26T04:40:00.000Z"
    ) -> SessionInfo {
        SessionInfo(
            id: id, title: title, status: status, languages: ["vi", "en"], agent: "quang-ninh-ipa", assistant: .review,
            createdAt: createdAt, endedAt: status == .ended ? "2026-11-26T05:00:00.000Z" : nil, createdBy: "stf_officer"
        )
    }

    /// Creates a session and returns its fresh state machine.
    func live(_ id: String) async throws -> SessionState {
        let info = Self.session(id)
        try await store.createSession(info)
        return SessionState(info: info)
    }

    /// Counts rows with a raw query.
    func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
        try store.pool.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? -1 }
    }
}

/// A time for step `n` of a test.
func at(_ n: Int) -> String { Timestamp.format(milliseconds: 1_795_668_000_000 + Int64(n) * 1_000) }

extension SessionState {
    /// The event of a `say` that must append one.
    mutating func message(_ who: Participant, _ text: String, clientId: String, step: Int = 10) throws -> Event {
        switch try say(by: who, text: text, clientId: clientId, language: who.language, citations: nil, at: at(step)) {
        case .append(let event): return event
        case .duplicate(let seq): throw StoreError.conflict("unexpected duplicate of seq \(seq)")
        }
    }
}

extension EventAppender {
    /// Every result until the stream finishes; call after `shutdown()`, and only when no
    /// `ResultCollector` reads the stream.
    func drain() async -> [CommitResult] {
        var all: [CommitResult] = []
        for await result in results { all.append(result) }
        return all
    }
}

/// Reads a writer's `results` from the moment it is made (the stream has one reader), so a
/// test can wait for a number of events with a deadline instead of hanging.
final class ResultCollector: Sendable {
    private final class Buffer: Sendable {
        let results = Mutex<[CommitResult]>([])
    }

    private let buffer = Buffer()
    private let reader: Task<Void, Never>

    init(_ writer: any EventAppender) {
        let stream = writer.results
        let buffer = buffer
        reader = Task {
            for await result in stream { buffer.results.withLock { $0.append(result) } }
        }
    }

    /// The results so far.
    var results: [CommitResult] { buffer.results.withLock { $0 } }

    /// Events accounted for so far, committed or failed.
    var eventCount: Int { results.reduce(0) { $0 + $1.committed.count + $1.failed.count } }

    /// Waits until `count` events were accounted for in all, or `timeout` passed.
    @discardableResult
    func wait(forEvents count: Int, timeout: Duration = .seconds(10)) async -> [CommitResult] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while eventCount < count, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(1))
        }
        return results
    }

    /// Everything, once the writer was shut down and the stream finished.
    func finished() async -> [CommitResult] {
        await reader.value
        return results
    }
}

extension SQLiteStore {
    /// Moves everything from the write-ahead log into the main file and empties the log.
    func checkpoint() throws {
        _ = try pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }

    /// The bytes of the database's files (main, log, shared memory) that exist.
    func fileBytes() throws -> [(path: String, bytes: Data)] {
        try ["", "-wal", "-shm"].map { path + $0 }.filter { FileManager.default.fileExists(atPath: $0) }.map {
            ($0, try Data(contentsOf: URL(fileURLWithPath: $0)))
        }
    }
}
