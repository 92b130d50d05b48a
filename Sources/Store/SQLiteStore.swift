import Dialogue
import Foundation
import GRDB
import Logging

/// The SQLite implementation of `DialogueStore`: one database file in WAL mode with
/// `synchronous=FULL`, so a commit survives power loss; GRDB gives concurrent readers.
package final class SQLiteStore: DialogueStore {
    /// File name of the database inside the data folder.
    package static let fileName = "dialogue.sqlite"

    let pool: DatabasePool
    /// The writer connection's page cache; readers keep SQLite's default.
    static let writerCacheKiB = 32 * 1024
    /// The path of the database file.
    package let path: String
    package let writer: any EventAppender
    /// The same writer, whose shutdown `close()` can wait for synchronously.
    private let groupCommit: GroupCommitWriter
    /// For what the store does on its own (a redaction's WAL truncation).
    let logger: Logger

    /// Opens (creating and migrating if needed) the database in `dataDirectory`.
    package init(
        dataDirectory: String, commitInterval: Duration = .milliseconds(2), commitBatch: Int = 512,
        logger: Logger = Logger(label: "store")
    ) throws {
        try PrivateFiles.createDirectory(dataDirectory)
        path = (dataDirectory as NSString).appendingPathComponent(Self.fileName)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // A redacted text must not stay readable in the file's free space.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB puts the writer connection in synchronous=NORMAL when it enables WAL; an
            // acknowledged event must survive power loss, so the writer gets FULL back.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                // The writer walks the events index of every live session: with SQLite's default
                // 2 MiB cache, 1,000 busy sessions re-read their pages with pread on each commit.
                try db.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKiB)")
            }
            try Self.migrator.migrate(pool)
        } catch {
            throw StoreError.openFailed(path: path, reason: "\(error)")
        }
        self.logger = logger
        groupCommit = GroupCommitWriter(pool: pool, interval: commitInterval, batchLimit: commitBatch, logger: logger)
        writer = groupCommit
    }

    /// Named, ordered schema migrations; never edit a shipped one, add another.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: staff, sessions, invites, events, heads, notes, audit") { db in
            try db.execute(
                sql: """
                    CREATE TABLE staff (
                        id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
                        created_at TEXT NOT NULL);
                    CREATE TABLE staff_tokens (
                        token_hash BLOB PRIMARY KEY, staff_id TEXT NOT NULL REFERENCES staff(id),
                        created_at TEXT NOT NULL, revoked_at TEXT);
                    CREATE INDEX staff_tokens_by_staff ON staff_tokens(staff_id);
                    CREATE TABLE sessions (
                        id TEXT PRIMARY KEY, title TEXT NOT NULL, status TEXT NOT NULL,
                        languages TEXT NOT NULL, agent TEXT NOT NULL, assistant TEXT NOT NULL,
                        created_at TEXT NOT NULL, ended_at TEXT, created_by TEXT NOT NULL);
                    CREATE TABLE invites (
                        id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id),
                        code_hash BLOB NOT NULL UNIQUE, name TEXT NOT NULL, language TEXT NOT NULL,
                        organisation TEXT, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
                        revoked_at TEXT, created_by TEXT NOT NULL);
                    CREATE TABLE participants (
                        session_id TEXT NOT NULL REFERENCES sessions(id), id TEXT NOT NULL,
                        role TEXT NOT NULL, name TEXT NOT NULL, language TEXT NOT NULL, organisation TEXT,
                        muted INTEGER NOT NULL DEFAULT 0, removed INTEGER NOT NULL DEFAULT 0,
                        first_seq INTEGER NOT NULL, PRIMARY KEY (session_id, id)) WITHOUT ROWID;
                    CREATE TABLE events (
                        session_id TEXT NOT NULL REFERENCES sessions(id), seq INTEGER NOT NULL,
                        kind TEXT NOT NULL, sender TEXT NOT NULL, client_id TEXT,
                        body TEXT NOT NULL, hash BLOB NOT NULL, chain BLOB NOT NULL,
                        PRIMARY KEY (session_id, seq)) WITHOUT ROWID;
                    CREATE UNIQUE INDEX events_by_client_id ON events(session_id, sender, client_id)
                        WHERE client_id IS NOT NULL;
                    CREATE TABLE heads (
                        session_id TEXT PRIMARY KEY REFERENCES sessions(id), seq INTEGER NOT NULL,
                        chain BLOB NOT NULL, signature BLOB NOT NULL, public_key BLOB NOT NULL,
                        signed_at TEXT NOT NULL);
                    CREATE TABLE notes (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id),
                        seq INTEGER NOT NULL, text TEXT NOT NULL, author TEXT NOT NULL, at TEXT NOT NULL);
                    CREATE TABLE audit_log (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,
                        action TEXT NOT NULL, session_id TEXT, detail TEXT NOT NULL);
                    """)
        }
        migrator.registerMigration("v2: glossary versions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE glossary_versions (
                        agent TEXT NOT NULL, version INTEGER NOT NULL, tsv TEXT NOT NULL, sha256 TEXT NOT NULL,
                        origin TEXT NOT NULL, concepts INTEGER NOT NULL, created_at TEXT NOT NULL,
                        created_by TEXT NOT NULL, PRIMARY KEY (agent, version)) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v3: translations") { db in
            try db.execute(
                sql: """
                    CREATE TABLE translations (
                        session_id TEXT NOT NULL, seq INTEGER NOT NULL, language TEXT NOT NULL, text TEXT NOT NULL,
                        engine TEXT NOT NULL, glossary_version INTEGER, glossary_ok INTEGER NOT NULL,
                        created_at TEXT NOT NULL, PRIMARY KEY (session_id, seq, language)) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v4: events in arrival order") { db in
            // v1 kept events in a WITHOUT ROWID table keyed by (session, seq): with many live
            // sessions every append landed on a different ~700-byte-row leaf, and its splits,
            // so each event cost two or three random 4 KiB pages in the WAL and again at the
            // checkpoint (30 KB of disk writes per event at 1,000 sessions). Rows now append
            // in arrival order, where one commit's events share pages, and the small
            // (session, seq) index is the only random page. The clientId index goes too (it
            // doubled the disk writes again): the hub answers a repeated clientId from the
            // session's state, and the group-commit writer refuses one from its own memory.
            try db.execute(
                sql: """
                    CREATE TABLE events_v4 (
                        id INTEGER PRIMARY KEY,
                        session_id TEXT NOT NULL REFERENCES sessions(id), seq INTEGER NOT NULL,
                        kind TEXT NOT NULL, sender TEXT NOT NULL, client_id TEXT,
                        body TEXT NOT NULL, hash BLOB NOT NULL, chain BLOB NOT NULL);
                    INSERT INTO events_v4 (session_id, seq, kind, sender, client_id, body, hash, chain)
                        SELECT session_id, seq, kind, sender, client_id, body, hash, chain FROM events
                        ORDER BY session_id, seq;
                    DROP TABLE events;
                    ALTER TABLE events_v4 RENAME TO events;
                    CREATE UNIQUE INDEX events_by_session_seq ON events(session_id, seq);
                    """)
        }
        migrator.registerMigration("v5: translations record who translated") { db in
            // Officers and interpreters translate too (engine `human`); a machine translation
            // has no translator. `created_at` is the translation's `at`.
            try db.execute(
                sql: """
                    ALTER TABLE translations ADD COLUMN by_id TEXT;
                    ALTER TABLE translations ADD COLUMN by_name TEXT;
                    ALTER TABLE translations ADD COLUMN by_role TEXT;
                    """)
        }
        migrator.registerMigration("v6: salted commitments and redactions") { db in
            // Version-2 commitments (docs/transcripts.md): each event's erasable salts, kept
            // beside the body and set to NULL when what they commit to is redacted.
            try db.execute(
                sql: """
                    ALTER TABLE events ADD COLUMN text_salt BLOB;
                    ALTER TABLE events ADD COLUMN person_salt BLOB;
                    CREATE TABLE redactions (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, seq INTEGER NOT NULL,
                        scope TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL);
                    CREATE INDEX redactions_by_session ON redactions(session_id, seq);
                    """)
        }
        migrator.registerMigration("v7: signed checkpoints") { db in
            // Every signature the server makes (checkpoints of live sessions, the final head
            // of an ended one) is kept, so a verifier can check each against the chain.
            try db.execute(
                sql: """
                    CREATE TABLE checkpoints (
                        session_id TEXT NOT NULL, seq INTEGER NOT NULL, state TEXT NOT NULL,
                        chain BLOB NOT NULL, signature BLOB NOT NULL, key_id TEXT NOT NULL,
                        signed_at TEXT NOT NULL, PRIMARY KEY (session_id, seq, state)) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v8: meetings in time and the mail outbox") { db in
            // Scheduled sessions (times in RFC 3339 UTC, so that they compare as text), the
            // investors' addresses and zones, and the durable outbox (docs/mail.md).
            try db.execute(
                sql: """
                    ALTER TABLE sessions ADD COLUMN starts_at TEXT;
                    ALTER TABLE sessions ADD COLUMN ends_at TEXT;
                    ALTER TABLE sessions ADD COLUMN time_zone TEXT;
                    ALTER TABLE sessions ADD COLUMN schedule_sequence INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE sessions ADD COLUMN lobby INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE sessions ADD COLUMN cancelled_at TEXT;
                    ALTER TABLE sessions ADD COLUMN agenda TEXT;
                    ALTER TABLE sessions ADD COLUMN planned_at TEXT;
                    CREATE INDEX sessions_by_start ON sessions(starts_at) WHERE starts_at IS NOT NULL;
                    ALTER TABLE invites ADD COLUMN email TEXT;
                    ALTER TABLE invites ADD COLUMN time_zone TEXT;
                    ALTER TABLE invites ADD COLUMN code_sealed BLOB;
                    CREATE TABLE mail_outbox (
                        id TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, session_id TEXT,
                        recipient TEXT NOT NULL, subject TEXT NOT NULL, message BLOB NOT NULL, status TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL, lease_until TEXT,
                        claimed_by TEXT, last_error TEXT, created_at TEXT NOT NULL, sent_at TEXT);
                    CREATE INDEX mail_outbox_due ON mail_outbox(status, next_attempt_at);
                    """)
        }
        migrator.registerMigration("v9: transcripts by mail") { db in
            // An investor who asked for the transcript gets it by mail once the meeting ends.
            try db.execute(sql: "ALTER TABLE invites ADD COLUMN transcript_by_mail INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v10: meeting requests") { db in
            // Investors' meeting requests from the public page.
            try db.execute(
                sql: """
                    CREATE TABLE meeting_requests (
                        id TEXT PRIMARY KEY, agent TEXT NOT NULL, name TEXT NOT NULL, organisation TEXT NOT NULL,
                        email TEXT NOT NULL, language TEXT NOT NULL, time_zone TEXT NOT NULL, topic TEXT NOT NULL,
                        slots TEXT NOT NULL, message TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,
                        decided_at TEXT, decided_by TEXT, session_id TEXT, decline_reason TEXT);
                    CREATE INDEX meeting_requests_by_status ON meeting_requests(status, created_at);
                    """)
        }
        migrator.registerMigration("v12: the investor's answers") { db in
            // An investor who said on their page that they cannot attend.
            try db.execute(sql: "ALTER TABLE invites ADD COLUMN declined_at TEXT")
        }
        migrator.registerMigration("v13: the time before a move") { db in
            // What an update mail repaired after a stop says was the former time.
            try db.execute(sql: "ALTER TABLE sessions ADD COLUMN previous_starts_at TEXT")
            try db.execute(sql: "ALTER TABLE sessions ADD COLUMN previous_ends_at TEXT")
        }
        migrator.registerMigration("v15: mails replaced while being sent") { db in
            // The key of the mail that replaced one a node was sending: if that attempt fails,
            // the mail is not tried again (docs/mail.md, "The outbox").
            try db.execute(sql: "ALTER TABLE mail_outbox ADD COLUMN superseded_by TEXT")
        }
        migrator.registerMigration("v16: uploaded documents, survey answers, shared files") { db in
            try db.execute(
                sql: """
                    CREATE TABLE uploaded_documents (
                        agent TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, family TEXT NOT NULL,
                        language TEXT NOT NULL, title TEXT NOT NULL, markdown TEXT NOT NULL, status TEXT NOT NULL,
                        file_name TEXT NOT NULL, file_type TEXT NOT NULL, file_size INTEGER NOT NULL,
                        file_sha256 TEXT NOT NULL, pages INTEGER, created_at TEXT NOT NULL, created_by TEXT NOT NULL,
                        published_at TEXT, published_by TEXT,
                        PRIMARY KEY (agent, id, version));
                    CREATE TABLE survey_responses (
                        invite_id TEXT PRIMARY KEY, session_id TEXT NOT NULL, language TEXT NOT NULL,
                        answers TEXT NOT NULL, submitted_at TEXT NOT NULL, record TEXT NOT NULL, signature TEXT NOT NULL);
                    CREATE INDEX survey_responses_time ON survey_responses (submitted_at);
                    CREATE TABLE attachments (
                        id TEXT PRIMARY KEY, session_id TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
                        size INTEGER NOT NULL, sha256 TEXT NOT NULL, data BLOB NOT NULL, created_at TEXT NOT NULL,
                        created_by TEXT NOT NULL);
                    CREATE INDEX attachments_session ON attachments (session_id);
                    """)
        }
        return migrator
    }

    /// Runs `PRAGMA integrity_check`; "ok" when the file is sound.
    package func integrityCheck() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer" }
    }

    package func backup(to destination: String) throws {
        if FileManager.default.fileExists(atPath: destination) {
            throw StoreError.conflict("backup destination \(destination) already exists")
        }
        // SQLite's online backup copies one read snapshot: consistent, and writers go on.
        do {
            let copy = try DatabaseQueue(path: destination)
            try pool.backup(to: copy)
            try copy.close()
        } catch {
            try? FileManager.default.removeItem(atPath: destination)
            throw StoreError.writeFailed("backup to \(destination): \(error)")
        }
    }

    /// Shuts the writer down (it commits what is queued), then closes the database file.
    package func close() {
        // The writer first: it commits what is queued, and a closed pool would fail that.
        groupCommit.shutdown()
        do { try pool.close() } catch {
            logger.warning("closing the database failed", metadata: ["db.error": "\(error)"])
        }
    }

    /// Wraps GRDB errors in the store's own error type.
    func reading<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.read(body) } catch let error as StoreError { throw error } catch {
            throw StoreError.readFailed("\(error)")
        }
    }

    func writing<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.write(body) } catch let error as StoreError { throw error } catch {
            throw StoreError.writeFailed("\(error)")
        }
    }
}
