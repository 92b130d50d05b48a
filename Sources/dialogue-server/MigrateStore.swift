import ArgumentParser
import Dialogue
import Foundation
import PostgresStore
import Store
import Transcripts

/// `migrate-store --from sqlite:PATH --to postgres://…`: moves a single-node deployment into
/// an empty PostgreSQL store, session by session, and checks every hash chain before (the
/// source must be sound) and after (the copy must be the same bytes). The signing key is not
/// in the store: give the nodes the old data folder's `signing-key.ed25519` (--signing-key).
struct MigrateStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store", abstract: "Copy a SQLite deployment into an empty PostgreSQL store, verifying every chain.")

    @Option(help: "sqlite:PATH, PATH being the data folder (or its dialogue.sqlite).") var from: String
    @Option(help: "postgres://USER[:PASSWORD]@HOST[:PORT]/DB; created when missing, and must be empty.") var to: String

    func run() async throws {
        guard from.hasPrefix("sqlite:") else { fail("--from takes sqlite:PATH", code: 2) }
        var folder = String(from.dropFirst("sqlite:".count))
        if folder.hasSuffix(".sqlite") { folder = (folder as NSString).deletingLastPathComponent }
        guard FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(SQLiteStore.fileName))
        else { fail("no \(SQLiteStore.fileName) in \(folder)", code: 2) }
        let source: SQLiteStore
        let target: PostgresStore
        do {
            source = try SQLiteStore(dataDirectory: folder)
            try await PostgresStore.createDatabase(url: to)
            target = try await PostgresStore.open(url: to)
        } catch { fail("\(error)", code: 2) }
        defer { target.close() }
        do {
            guard try await target.isEmpty() else { fail("\(target.location) already holds sessions or staff", code: 2) }
            var totalEvents = 0
            let ids = try source.sessionIds()
            for id in ids {
                guard let info = try await source.session(id: id) else { continue }
                let events = try await source.storedEvents(session: id)
                if let bad = Self.firstBrokenLink(events) {
                    fail("\(id): the chain breaks at seq \(bad) in the source; nothing more copied", code: 1)
                }
                try await target.importSession(
                    info, events: events, head: try await source.head(session: id), notes: try await source.notes(session: id))
                // Every signed checkpoint and final head too: verification requires them.
                for checkpoint in try await source.checkpoints(session: id) { try await target.saveCheckpoint(checkpoint) }
                totalEvents += events.count
                printLine("\(id): \(events.count) events")
            }
            let rows = try source.exportRows()
            try await target.importRows(rows)
            // Read back: the same bytes, hashes and chains, and the chain recomputed.
            for id in ids {
                let before = try await source.storedEvents(session: id)
                let after = try await target.storedEvents(session: id)
                guard before.map(\.seq) == after.map(\.seq), before.map(\.storedBody) == after.map(\.storedBody),
                    before.map(\.salts) == after.map(\.salts),
                    before.map(\.chain) == after.map(\.chain), Self.firstBrokenLink(after) == nil
                else { fail("\(id): the copy differs from the source", code: 1) }
            }
            let staff = try await target.staffAccounts().count
            printLine(
                "migrated \(ids.count) sessions, \(totalEvents) events, \(staff) staff accounts, \(rows.outbox.count) mails, "
                    + "\(rows.requests.count) meeting requests; every chain verified")
        } catch { fail("\(error)") }
    }

    /// The seq of the first event whose bytes, hash or chain link do not check out.
    static func firstBrokenLink(_ events: [StoredEvent]) -> Int64? {
        var chain = HashChain.genesis
        for (index, stored) in events.enumerated() {
            let hash = HashChain.eventHash(body: stored.event.body, salts: stored.salts)
            chain = HashChain.link(previous: chain, eventHash: hash)
            guard stored.seq == Int64(index + 1), stored.event.seq == stored.seq,
                stored.storedBody == stored.event.canonicalBytes, stored.hash == hash, stored.chain == chain
            else { return stored.seq }
        }
        return nil
    }
}
