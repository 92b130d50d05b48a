import Logging
import PostgresNIO

/// Named, ordered schema migrations for PostgreSQL; never edit a shipped one, add another.
/// Several nodes may start at once: an advisory lock makes one of them migrate while the
/// others wait, then find nothing left to do.
enum PostgresSchema {
    /// Key of the advisory lock held while migrating.
    static let migrationLock: Int64 = 0x4450_4C47_5343_4831  // "DPLGSCH1"

    static let migrations: [(name: String, sql: [String])] = [
        (
            "v1: staff, sessions, invites, participants, events, heads, notes, audit, glossary, translations",
            [
                """
                CREATE TABLE staff (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL, created_at TEXT NOT NULL)
                """,
                """
                CREATE TABLE staff_tokens (
                    token_hash BYTEA PRIMARY KEY, staff_id TEXT NOT NULL REFERENCES staff(id),
                    created_at TEXT NOT NULL, revoked_at TEXT)
                """,
                "CREATE INDEX staff_tokens_by_staff ON staff_tokens(staff_id)",
                """
                CREATE TABLE sessions (
                    id TEXT PRIMARY KEY, title TEXT NOT NULL, status TEXT NOT NULL, languages TEXT NOT NULL,
                    agent TEXT NOT NULL, assistant TEXT NOT NULL, created_at TEXT NOT NULL, ended_at TEXT,
                    created_by TEXT NOT NULL)
                """,
                """
                CREATE TABLE invites (
                    id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id),
                    code_hash BYTEA NOT NULL UNIQUE, name TEXT NOT NULL, language TEXT NOT NULL, organisation TEXT,
                    created_at TEXT NOT NULL, expires_at TEXT NOT NULL, revoked_at TEXT, created_by TEXT NOT NULL)
                """,
                "CREATE INDEX invites_by_session ON invites(session_id)",
                """
                CREATE TABLE participants (
                    session_id TEXT NOT NULL REFERENCES sessions(id), id TEXT NOT NULL, role TEXT NOT NULL,
                    name TEXT NOT NULL, language TEXT NOT NULL, organisation TEXT,
                    muted BOOLEAN NOT NULL DEFAULT FALSE, removed BOOLEAN NOT NULL DEFAULT FALSE,
                    first_seq BIGINT NOT NULL, PRIMARY KEY (session_id, id))
                """,
                """
                CREATE TABLE events (
                    session_id TEXT NOT NULL REFERENCES sessions(id), seq BIGINT NOT NULL, kind TEXT NOT NULL,
                    sender TEXT NOT NULL, client_id TEXT, body TEXT NOT NULL, hash BYTEA NOT NULL,
                    chain BYTEA NOT NULL, PRIMARY KEY (session_id, seq))
                """,
                // The writers' lock row per session: last seq and chain, locked FOR UPDATE by the
                // committing transaction, so two nodes never both append seq n.
                """
                CREATE TABLE event_heads (
                    session_id TEXT PRIMARY KEY REFERENCES sessions(id), seq BIGINT NOT NULL, chain BYTEA NOT NULL)
                """,
                // A (sender, clientId) is stored once per session, whichever node it reached.
                """
                CREATE TABLE event_client_ids (
                    session_id TEXT NOT NULL, sender TEXT NOT NULL, client_id TEXT NOT NULL, seq BIGINT NOT NULL,
                    PRIMARY KEY (session_id, sender, client_id))
                """,
                """
                CREATE TABLE heads (
                    session_id TEXT PRIMARY KEY REFERENCES sessions(id), seq BIGINT NOT NULL, chain BYTEA NOT NULL,
                    signature BYTEA NOT NULL, public_key BYTEA NOT NULL, signed_at TEXT NOT NULL)
                """,
                """
                CREATE TABLE notes (
                    id BIGSERIAL PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id), seq BIGINT NOT NULL,
                    text TEXT NOT NULL, author TEXT NOT NULL, at TEXT NOT NULL)
                """,
                """
                CREATE TABLE audit_log (
                    id BIGSERIAL PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                    session_id TEXT, detail TEXT NOT NULL)
                """,
                """
                CREATE TABLE glossary_versions (
                    agent TEXT NOT NULL, version INTEGER NOT NULL, tsv TEXT NOT NULL, sha256 TEXT NOT NULL,
                    origin TEXT NOT NULL, concepts INTEGER NOT NULL, created_at TEXT NOT NULL,
                    created_by TEXT NOT NULL, PRIMARY KEY (agent, version))
                """,
                """
                CREATE TABLE translations (
                    session_id TEXT NOT NULL, seq BIGINT NOT NULL, language TEXT NOT NULL, text TEXT NOT NULL,
                    engine TEXT NOT NULL, glossary_version INTEGER, glossary_ok BOOLEAN NOT NULL,
                    created_at TEXT NOT NULL, PRIMARY KEY (session_id, seq, language))
                """,
            ]
        )
    ]

    /// Applies the migrations not applied yet, each in its own transaction.
    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                logger: logger)
            var applied: Set<String> = []
            for try await name in try await connection.query("SELECT name FROM schema_migrations", logger: logger)
                .decode(String.self)
            {
                applied.insert(name)
            }
            for migration in migrations where !applied.contains(migration.name) {
                for statement in migration.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: logger)
                logger.info("migrated", metadata: ["db.migration": "\(migration.name)"])
            }
        }
    }

    /// Names of the migrations applied, in order.
    static func applied(_ client: PostgresClient, logger: Logger) async throws -> [String] {
        var names: [String] = []
        for try await name in try await client.query(
            "SELECT name FROM schema_migrations ORDER BY applied_at, name", logger: logger
        ).decode(String.self) {
            names.append(name)
        }
        return names
    }
}
