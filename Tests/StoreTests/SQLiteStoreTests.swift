import Dialogue
import Foundation
import GRDB
import Testing

@testable import Store

@Suite struct SQLiteStoreTests {
    let fixture: StoreFixture
    /// A second folder for tests that need one (a reopened copy, a bad file).
    let folder: TemporaryFolder

    init() throws {
        fixture = try StoreFixture()
        folder = try TemporaryFolder()
    }

    /// `close()` through the role protocol (no downcast): the file is let go of, and a
    /// use afterwards is refused rather than served from a half-closed pool.
    @Test func closeReleasesTheDatabase() async throws {
        let store: any DialogueStore = try SQLiteStore(dataDirectory: folder.path)
        try await store.createSession(StoreFixture.session("ses_one"))
        store.close()
        await #expect(throws: StoreError.self) { try await store.session(id: "ses_one") }
        let reopened = try SQLiteStore(dataDirectory: folder.path)
        #expect(try await reopened.session(id: "ses_one") != nil)
    }

    @Test func opensAndMigratesTwice() async throws {
        do {
            let store = try SQLiteStore(dataDirectory: folder.path)
            try await store.createSession(StoreFixture.session("ses_one"))
            #expect(store.path == folder.file(SQLiteStore.fileName))
            // Migrating an up-to-date database again changes nothing.
            try SQLiteStore.migrator.migrate(store.pool)
            #expect(try await store.session(id: "ses_one") != nil)
        }
        let reopened = try SQLiteStore(dataDirectory: folder.path)
        #expect(try await reopened.session(id: "ses_one")?.title == "Hội thảo đầu tư Vân Đồn")
        let applied = try await reopened.pool.read { db in try SQLiteStore.migrator.appliedMigrations(db) }
        #expect(applied == SQLiteStore.migrator.migrations)
        #expect(applied.first == "v1: staff, sessions, invites, events, heads, notes, audit")
        #expect(try await reopened.pool.read { db in try SQLiteStore.migrator.hasCompletedMigrations(db) })
        #expect(try reopened.integrityCheck() == "ok")
    }

    /// A database written by the v3 schema (events in a WITHOUT ROWID table, a clientId
    /// index) keeps every event, byte for byte, through the v4 rebuild.
    @Test func v3EventsSurviveTheV4Rebuild() async throws {
        let path = folder.file(SQLiteStore.fileName)
        // The events, chained by today's writer in the fixture's own store.
        var a = try await fixture.live("ses_a")
        var b = try await fixture.live("ses_b")
        var events = [try #require(try a.join(StoreFixture.officer, at: at(1)))]
        events.append(try #require(try b.join(StoreFixture.investor, at: at(2))))
        for i in 0..<40 {
            events.append(try a.message(StoreFixture.officer, "a \(i)", clientId: "a\(i)", step: 3 + i))
            events.append(try b.message(StoreFixture.investor, "b \(i)", clientId: "b\(i)", step: 3 + i))
        }
        let writer = fixture.store.writer
        let collector = ResultCollector(writer)
        writer.start()
        writer.submit(events)
        await collector.wait(forEvents: events.count)
        await writer.shutdown()
        let stored = try await fixture.store.storedEvents(session: "ses_a") + fixture.store.storedEvents(session: "ses_b")
        #expect(stored.count == events.count)

        // The same rows in a database that stopped at v3.
        let old = try DatabaseQueue(path: path)
        try SQLiteStore.migrator.migrate(old, upTo: "v3: translations")
        try await old.write { db in
            for info in [StoreFixture.session("ses_a"), StoreFixture.session("ses_b")] {
                try db.execute(
                    sql: """
                        INSERT INTO sessions (id, title, status, languages, agent, assistant, created_at, created_by)
                        VALUES (?, ?, 'live', 'vi,en', 'quang-ninh-ipa', 'review', ?, 'stf_officer')
                        """, arguments: [info.id, info.title, info.createdAt])
            }
            for row in stored.shuffled() {
                try db.execute(
                    sql: """
                        INSERT INTO events (session_id, seq, kind, sender, client_id, body, hash, chain)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        row.event.session, row.seq, row.event.kind.rawValue, row.event.senderId, row.event.clientId,
                        String(decoding: row.storedBody, as: UTF8.self), Data(row.hash), Data(row.chain),
                    ])
            }
        }
        try old.close()

        let migrated = try SQLiteStore(dataDirectory: folder.path)
        #expect(try migrated.integrityCheck() == "ok")
        let after = try await migrated.storedEvents(session: "ses_a") + migrated.storedEvents(session: "ses_b")
        #expect(after.map(\.seq) == stored.map(\.seq))
        #expect(after.map(\.storedBody) == stored.map(\.storedBody))
        #expect(after.map(\.chain) == stored.map(\.chain))
        let indexes = try await migrated.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'")
        }
        #expect(indexes == ["events_by_session_seq"])
    }

    @Test func createsTheDataFolder() throws {
        let nested = folder.file("a/b/c")
        let store = try SQLiteStore(dataDirectory: nested)
        #expect(FileManager.default.fileExists(atPath: store.path))
    }

    @Test func refusesAFileThatIsNotADatabase() throws {
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: folder.file(SQLiteStore.fileName)))
        #expect {
            _ = try SQLiteStore(dataDirectory: folder.path)
        } throws: { error in
            guard case StoreError.openFailed(let path, _) = error else { return false }
            return path == folder.file(SQLiteStore.fileName)
        }
    }

    @Test func writerConnectionIsWALWithFullSync() throws {
        let (mode, synchronous, foreignKeys) = try fixture.store.pool.writeWithoutTransaction { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys")
            )
        }
        #expect(mode == "wal")
        #expect(synchronous == 2)  // FULL
        #expect(foreignKeys == 1)
        // Readers get the same settings.
        let readerSync = try fixture.store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(readerSync == 2)
    }

    @Test func integrityCheckIsOK() throws {
        #expect(try fixture.store.integrityCheck() == "ok")
    }

    @Test func backupIsAConsistentCopy() async throws {
        let store = fixture.store
        var state = try await fixture.live("ses_backup")
        var events = [try #require(try state.join(StoreFixture.officer, at: at(1)))]
        for i in 0..<20 { events.append(try state.message(StoreFixture.officer, "m\(i)", clientId: "c\(i)")) }
        store.writer.start()
        store.writer.submit(events)
        await store.writer.shutdown()
        let results = await store.writer.drain()
        #expect(results.flatMap(\.committed).count == 21)

        let destination = fixture.folder.file("backup.sqlite")
        try store.backup(to: destination)
        #expect(FileManager.default.fileExists(atPath: destination))
        let copy = try DatabaseQueue(path: destination)
        let copied = try await copy.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE session_id = ?", arguments: ["ses_backup"])
        }
        #expect(copied == 21)
        #expect(try await copy.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
        #expect(
            try await copy.read { db in try String.fetchOne(db, sql: "SELECT title FROM sessions") }
                == "Hội thảo đầu tư Vân Đồn")

        // A copy opens as a store of its own, with the same events.
        try FileManager.default.copyItem(atPath: destination, toPath: folder.file(SQLiteStore.fileName))
        let restored = try SQLiteStore(dataDirectory: folder.path)
        #expect(try await restored.storedEvents(session: "ses_backup").map(\.seq) == Array(1...21))
    }

    @Test func backupRefusesAnExistingDestination() throws {
        let destination = fixture.folder.file("exists.sqlite")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: destination))
        #expect {
            try fixture.store.backup(to: destination)
        } throws: { error in
            guard case StoreError.conflict(let message) = error else { return false }
            return message.contains(destination)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: destination)) == Data("keep me".utf8))
    }

    @Test func signedHeadsAreStoredAndReplaced() async throws {
        _ = try await fixture.live("ses_head")
        #expect(try await fixture.store.head(session: "ses_head") == nil)
        let first = SignedHeadRecord(
            session: "ses_head", seq: 3, chain: Array(repeating: 1, count: 32),
            signature: Array(repeating: 2, count: 64),
            publicKey: Array(repeating: 3, count: 32), signedAt: at(1))
        try await fixture.store.saveHead(first)
        #expect(try await fixture.store.head(session: "ses_head") == first)
        var second = first
        second.seq = 9
        second.chain = Array(repeating: 9, count: 32)
        second.signedAt = at(2)
        try await fixture.store.saveHead(second)
        #expect(try await fixture.store.head(session: "ses_head") == second)
        #expect(try fixture.count("SELECT COUNT(*) FROM heads") == 1)
    }
}
