import Logging
import PostgresNIO

/// Named, ordered schema migrations for PostgreSQL; never edit a shipped one, add another.
/// Several nodes may start at once: an advisory lock makes one of them migrate while the
/// others wait, then find nothing left to do.
enum PostgresSchema {
    /// Key of the advisory lock held while migrating.
    static let migrationLock: Int64 = 0x4450_4C47_5343_4831  // "DPLGSCH1"

    /// `dialogue_append`'s text for one schema version. v2, v4 and v6 differ only in their
    /// first words and last parameters, what runs before the loop, what happens to a session
    /// without a head, the event row's extra columns and the notice, so the loop (checks,
    /// chain, row, participants and status) is written once here. A shipped version's text
    /// must not change: StoreContractTests pins each one.
    static func appendFunction(
        create: String, parameters: String, beforeLoop: String = "", headMissing: String = "",
        columns: String = "", values: String = "", notify: String
    ) -> String {
        """
        \(create) dialogue_append(
            p_sessions TEXT[], p_seqs BIGINT[], p_kinds TEXT[], p_senders TEXT[], p_client_ids TEXT[],
            p_bodies TEXT[], p_hashes TEXT[], p_fenced TEXT[], \(parameters))
        RETURNS TABLE (status TEXT, expected BIGINT, chain BYTEA)
        LANGUAGE plpgsql AS $$
        #variable_conflict use_column
        DECLARE
            i INT;
            s TEXT;
            head_seq BIGINT;
            head_chain BYTEA;
            link BYTEA;
            body JSONB;
            fenced TEXT[] := p_fenced;
            stored INT[] := '{}';
        BEGIN
        \(beforeLoop)    PERFORM 1 FROM event_heads WHERE session_id = ANY(p_sessions) ORDER BY session_id FOR UPDATE;
            FOR i IN 1 .. coalesce(array_length(p_sessions, 1), 0) LOOP
                s := p_sessions[i];
                SELECT h.seq, h.chain INTO head_seq, head_chain FROM event_heads h WHERE h.session_id = s;
        \(headMissing)        IF s = ANY(fenced) OR p_seqs[i] <> head_seq + 1 THEN
                    fenced := fenced || s;
                    status := 'sequence'; expected := head_seq + 1; chain := NULL;
                    RETURN NEXT;
                    CONTINUE;
                END IF;
                IF p_client_ids[i] <> '' THEN
                    INSERT INTO event_client_ids (session_id, sender, client_id, seq)
                    VALUES (s, p_senders[i], p_client_ids[i], p_seqs[i]) ON CONFLICT DO NOTHING;
                    IF NOT FOUND THEN
                        fenced := fenced || s;
                        status := 'duplicate'; expected := head_seq + 1; chain := NULL;
                        RETURN NEXT;
                        CONTINUE;
                    END IF;
                END IF;
                link := sha256(head_chain || decode(p_hashes[i], 'hex'));
                INSERT INTO events (session_id, seq, kind, sender, client_id, body, hash, chain\(columns))
                VALUES (s, p_seqs[i], p_kinds[i], p_senders[i], nullif(p_client_ids[i], ''), p_bodies[i],
                        decode(p_hashes[i], 'hex'), link\(values));
                UPDATE event_heads SET seq = p_seqs[i], chain = link WHERE session_id = s;
                IF p_kinds[i] IN ('joined', 'moderation', 'ended') THEN
                    body := p_bodies[i]::jsonb;
                    IF p_kinds[i] = 'joined' THEN
                        INSERT INTO participants (session_id, id, role, name, language, organisation, first_seq)
                        VALUES (s, p_senders[i], coalesce(body->'from'->>'role', 'investor'),
                                coalesce(body->'from'->>'name', ''), coalesce(body->>'language', 'en'),
                                body->>'organisation', p_seqs[i])
                        ON CONFLICT DO NOTHING;
                    ELSIF p_kinds[i] = 'ended' THEN
                        UPDATE sessions SET status = 'ended', ended_at = body->>'at' WHERE id = s;
                    ELSIF body->>'action' = 'assistant' THEN
                        UPDATE sessions SET assistant = body->>'mode' WHERE id = s;
                    ELSIF body->>'action' IN ('mute', 'unmute') THEN
                        UPDATE participants SET muted = (body->>'action' = 'mute')
                        WHERE session_id = s AND id = body->>'target';
                    ELSIF body->>'action' = 'remove' THEN
                        UPDATE participants SET removed = TRUE WHERE session_id = s AND id = body->>'target';
                    END IF;
                END IF;
                stored := stored || i;
                status := 'stored'; expected := p_seqs[i]; chain := link;
                RETURN NEXT;
            END LOOP;
        \(notify)
        END
        $$
        """
    }

    /// `dialogue_append` as schema v2 made it: heads inserted on first use, a notice per
    /// session `session:first:last`.
    static let appendV2 = appendFunction(
        create: "CREATE OR REPLACE FUNCTION", parameters: "p_genesis TEXT, p_channel TEXT",
        beforeLoop: """
                INSERT INTO event_heads (session_id, seq, chain)
                SELECT DISTINCT x, 0, decode(p_genesis, 'hex') FROM unnest(p_sessions) AS x ORDER BY 1
                ON CONFLICT DO NOTHING;

            """,
        notify: """
                -- Delivered by PostgreSQL at commit, and only then.
                PERFORM pg_notify(p_channel, g.s || ':' || g.first || ':' || g.last)
                FROM (SELECT t.s, min(t.q) AS first, max(t.q) AS last
                      FROM unnest(p_sessions, p_seqs) WITH ORDINALITY AS t(s, q, n)
                      WHERE t.n = ANY(stored) GROUP BY t.s ORDER BY t.s) AS g;
            """)

    /// The notice of v4 and later: node:session:first:last, then the bodies that fit.
    static let appendNotifyV4 = """
            -- Delivered by PostgreSQL at commit, and only then:
            -- node:session:first:last, then a newline and a body for each event, from
            -- the first, while they fit.
            PERFORM pg_notify(p_channel, g.head || coalesce(g.bodies, ''))
            FROM (SELECT r.head, string_agg(
                           CASE WHEN octet_length(r.head) + r.running < 7900 THEN E'\\n' || r.b END, ''
                           ORDER BY r.q) AS bodies
                  FROM (SELECT t.q, t.b,
                               p_node || ':' || t.s || ':' || min(t.q) OVER w || ':' || max(t.q) OVER w AS head,
                               sum(octet_length(t.b) + 1) OVER (w ORDER BY t.q) AS running
                        FROM unnest(p_sessions, p_seqs, p_bodies) WITH ORDINALITY AS t(s, q, b, n)
                        WHERE t.n = ANY(stored)
                        WINDOW w AS (PARTITION BY t.s)) AS r
                  GROUP BY r.head ORDER BY r.head) AS g;
        """

    /// v4 and later: a session without a head does not exist.
    static let appendHeadMissingV4 = """
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'no session %', s USING ERRCODE = 'foreign_key_violation';
                END IF;

        """

    /// `dialogue_append` as schema v4 made it.
    static let appendV4 = appendFunction(
        create: "CREATE FUNCTION", parameters: "p_channel TEXT, p_node TEXT", headMissing: appendHeadMissingV4,
        notify: appendNotifyV4)

    /// v4's `dialogue_append` with each event's version-2 salts (hex, '' for none) stored in
    /// the same row insert (docs/transcripts.md, "Commitments").
    static let appendV6 = appendFunction(
        create: "CREATE FUNCTION",
        parameters: "p_channel TEXT, p_node TEXT, p_text_salts TEXT[], p_person_salts TEXT[]",
        headMissing: appendHeadMissingV4, columns: ", text_salt, person_salt",
        values: ", decode(nullif(p_text_salts[i], ''), 'hex'), decode(nullif(p_person_salts[i], ''), 'hex')",
        notify: appendNotifyV4)

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
        ),
        (
            "v2: dialogue_append, one statement per commit",
            [
                // One round trip per commit: the writer hands a batch over as arrays and gets a
                // status per event back, in order. The statement is its own transaction.
                // Under the row locks of event_heads (sessions in a fixed order, so nodes
                // cannot deadlock) each event must follow its session's last seq and carry a
                // (sender, clientId) not stored before; a session with a refused event refuses
                // its later ones too (they were decided on the refused one). The chain is
                // extended here, sha256(previous || event hash), as HashChain.link does.
                appendV2
            ]
        ),
        (
            "v3: nodes and presence",
            [
                // Each node beats here; a node silent for too long is forgotten with its rows.
                "CREATE TABLE dialogue_nodes (node_id TEXT PRIMARY KEY, seen TIMESTAMPTZ NOT NULL)",
                // The participants each node has a connection of, per session.
                """
                CREATE TABLE presence (
                    node_id TEXT NOT NULL, session_id TEXT NOT NULL, participant_id TEXT NOT NULL,
                    PRIMARY KEY (node_id, session_id, participant_id))
                """,
                // A node's changes in order, each announced as node:1|0:session:participant.
                """
                CREATE FUNCTION dialogue_presence(
                    p_node TEXT, p_sessions TEXT[], p_participants TEXT[], p_online BOOLEAN[], p_channel TEXT)
                RETURNS void LANGUAGE plpgsql AS $$
                BEGIN
                    FOR i IN 1 .. coalesce(array_length(p_sessions, 1), 0) LOOP
                        IF p_online[i] THEN
                            INSERT INTO presence VALUES (p_node, p_sessions[i], p_participants[i])
                            ON CONFLICT DO NOTHING;
                        ELSE
                            DELETE FROM presence
                            WHERE node_id = p_node AND session_id = p_sessions[i] AND participant_id = p_participants[i];
                        END IF;
                        PERFORM pg_notify(p_channel, p_node || ':' || CASE WHEN p_online[i] THEN '1' ELSE '0' END
                                                     || ':' || p_sessions[i] || ':' || p_participants[i]);
                    END LOOP;
                END
                $$
                """,
            ]
        ),
        (
            "v4: dialogue_append with the node and the events in its notices",
            [
                // Every event's session has its event_heads row (which references sessions),
                // and events are only written under that row's lock: the foreign key's check
                // per event is redundant work on the hottest insert.
                "ALTER TABLE events DROP CONSTRAINT IF EXISTS events_session_id_fkey",
                // Each node says how long it may stay silent: nodes with different
                // --node-heartbeat settings then judge each other by the silent one's own.
                "ALTER TABLE dialogue_nodes ADD COLUMN timeout_s DOUBLE PRECISION NOT NULL DEFAULT 15",
                // Every session gets its genesis head when it is created (createSession), so a
                // commit only locks rows that exist, in one sorted pass: inserting heads while
                // holding locks on others let two nodes' commits deadlock. Older sessions too:
                "INSERT INTO event_heads (session_id, seq, chain) SELECT id, 0, '\\x\(String(repeating: "00", count: 32))'::bytea FROM sessions ON CONFLICT DO NOTHING",
                // Replaces v2's function (nodes are upgraded together: the notices changed), as
                // v2 was, plus:
                // - p_node, so a node can skip the notices of its own commits;
                // - each session's notice carries the stored bodies after its header, one per
                //   line (canonical JSON has no raw newline), as many from the first as fit
                //   NOTIFY's payload (under 8,000 bytes); the other nodes read back only the rest;
                // - no head inserts: every session has its head from its creation, so the
                //   locks are taken in one sorted pass; a session without one does not exist.
                "DROP FUNCTION dialogue_append(TEXT[], BIGINT[], TEXT[], TEXT[], TEXT[], TEXT[], TEXT[], TEXT[], TEXT, TEXT)",
                appendV4,
            ]
        ),
        (
            "v5: translations record who translated",
            [
                // Officers and interpreters translate too (engine `human`); a machine
                // translation has no translator. `created_at` is the translation's `at`.
                "ALTER TABLE translations ADD COLUMN by_id TEXT",
                "ALTER TABLE translations ADD COLUMN by_name TEXT",
                "ALTER TABLE translations ADD COLUMN by_role TEXT",
            ]
        ),
        (
            "v6: salted commitments and redactions",
            [
                // Version-2 commitments: each event's erasable salts, NULL once redacted.
                "ALTER TABLE events ADD COLUMN text_salt BYTEA",
                "ALTER TABLE events ADD COLUMN person_salt BYTEA",
                """
                CREATE TABLE redactions (
                    id BIGSERIAL PRIMARY KEY, session_id TEXT NOT NULL, seq BIGINT NOT NULL, scope TEXT NOT NULL,
                    actor TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL)
                """,
                "CREATE INDEX redactions_by_session ON redactions(session_id, seq)",
                "DROP FUNCTION dialogue_append(TEXT[], BIGINT[], TEXT[], TEXT[], TEXT[], TEXT[], TEXT[], TEXT[], TEXT, TEXT)",
                appendV6,
            ]
        ),
        (
            "v7: signed checkpoints",
            [
                // Every signature a node makes (checkpoints of live sessions, the final head
                // of an ended one) is kept, so a verifier can check each against the chain.
                """
                CREATE TABLE checkpoints (
                    session_id TEXT NOT NULL, seq BIGINT NOT NULL, state TEXT NOT NULL, chain BYTEA NOT NULL,
                    signature BYTEA NOT NULL, key_id TEXT NOT NULL, signed_at TEXT NOT NULL,
                    PRIMARY KEY (session_id, seq, state))
                """
            ]
        ),
        (
            "v8: meetings in time and the mail outbox",
            [
                // Scheduled sessions (times in RFC 3339 UTC, compared as text), the investors'
                // addresses and zones, and the durable outbox that one node at a time sends
                // from (claims with FOR UPDATE SKIP LOCKED, docs/mail.md).
                "ALTER TABLE sessions ADD COLUMN starts_at TEXT",
                "ALTER TABLE sessions ADD COLUMN ends_at TEXT",
                "ALTER TABLE sessions ADD COLUMN time_zone TEXT",
                "ALTER TABLE sessions ADD COLUMN schedule_sequence INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE sessions ADD COLUMN lobby BOOLEAN NOT NULL DEFAULT FALSE",
                "ALTER TABLE sessions ADD COLUMN cancelled_at TEXT",
                "ALTER TABLE sessions ADD COLUMN agenda TEXT",
                "ALTER TABLE sessions ADD COLUMN planned_at TEXT",
                "CREATE INDEX sessions_by_start ON sessions(starts_at) WHERE starts_at IS NOT NULL",
                "ALTER TABLE invites ADD COLUMN email TEXT",
                "ALTER TABLE invites ADD COLUMN time_zone TEXT",
                "ALTER TABLE invites ADD COLUMN code_sealed BYTEA",
                """
                CREATE TABLE mail_outbox (
                    id TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, session_id TEXT,
                    recipient TEXT NOT NULL, subject TEXT NOT NULL, message BYTEA NOT NULL, status TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL, lease_until TEXT,
                    claimed_by TEXT, last_error TEXT, created_at TEXT NOT NULL, sent_at TEXT)
                """,
                "CREATE INDEX mail_outbox_due ON mail_outbox(status, next_attempt_at)",
            ]
        ),
        (
            "v9: transcripts by mail",
            [
                // An investor who asked for the transcript gets it by mail once the meeting ends.
                "ALTER TABLE invites ADD COLUMN transcript_by_mail BOOLEAN NOT NULL DEFAULT FALSE"
            ]
        ),
        (
            "v10: meeting requests",
            [
                // Investors' meeting requests from the public page.
                """
                CREATE TABLE meeting_requests (
                    id TEXT PRIMARY KEY, agent TEXT NOT NULL, name TEXT NOT NULL, organisation TEXT NOT NULL,
                    email TEXT NOT NULL, language TEXT NOT NULL, time_zone TEXT NOT NULL, topic TEXT NOT NULL,
                    slots TEXT NOT NULL, message TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,
                    decided_at TEXT, decided_by TEXT, session_id TEXT, decline_reason TEXT)
                """,
                "CREATE INDEX meeting_requests_by_status ON meeting_requests(status, created_at)",
            ]
        ),
        (
            "v11: a cancelled meeting stays cancelled",
            [
                // `dialogue_append` marks a session ended when its `ended` event is stored. A node
                // that had not yet heard of a cancellation may store one; the session stays
                // cancelled (its end time is kept), rather than a call-off turning into a meeting.
                """
                CREATE FUNCTION dialogue_keep_cancelled() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF OLD.status = 'cancelled' AND NEW.status <> 'cancelled' THEN
                        NEW.status := 'cancelled';
                    END IF;
                    RETURN NEW;
                END $$
                """,
                """
                CREATE TRIGGER sessions_keep_cancelled BEFORE UPDATE OF status ON sessions
                FOR EACH ROW EXECUTE FUNCTION dialogue_keep_cancelled()
                """,
            ]
        ),
        (
            "v12: the investor's answers",
            [
                // An investor who said on their page that they cannot attend.
                "ALTER TABLE invites ADD COLUMN declined_at TEXT"
            ]
        ),
        (
            "v13: the time before a move",
            [
                // What an update mail repaired after a stop says was the former time.
                "ALTER TABLE sessions ADD COLUMN previous_starts_at TEXT",
                "ALTER TABLE sessions ADD COLUMN previous_ends_at TEXT",
            ]
        ),
        (
            "v14: outbox keys in byte order",
            [
                // Key families are read by range in byte order (COLLATE "C": ids hold `_`, LIKE's
                // wildcard), which the unique index in the default collation cannot serve.
                #"CREATE INDEX mail_outbox_key_bytes ON mail_outbox (key COLLATE "C")"#
            ]
        ),
        (
            "v15: mails replaced while being sent",
            [
                // The key of the mail that replaced one a node was sending: if that attempt fails,
                // the mail is not tried again (docs/mail.md, "The outbox").
                "ALTER TABLE mail_outbox ADD COLUMN superseded_by TEXT"
            ]
        ),
        (
            "v16: uploaded documents, survey answers, shared files",
            [
                """
                CREATE TABLE uploaded_documents (
                    agent TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, family TEXT NOT NULL,
                    language TEXT NOT NULL, title TEXT NOT NULL, markdown TEXT NOT NULL, status TEXT NOT NULL,
                    file_name TEXT NOT NULL, file_type TEXT NOT NULL, file_size BIGINT NOT NULL,
                    file_sha256 TEXT NOT NULL, pages INTEGER, created_at TEXT NOT NULL, created_by TEXT NOT NULL,
                    published_at TEXT, published_by TEXT,
                    PRIMARY KEY (agent, id, version))
                """,
                """
                CREATE TABLE survey_responses (
                    invite_id TEXT PRIMARY KEY, session_id TEXT NOT NULL, language TEXT NOT NULL,
                    answers TEXT NOT NULL, submitted_at TEXT NOT NULL, record TEXT NOT NULL, signature TEXT NOT NULL)
                """,
                "CREATE INDEX survey_responses_time ON survey_responses (submitted_at COLLATE \"C\")",
                """
                CREATE TABLE attachments (
                    id TEXT PRIMARY KEY, session_id TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
                    size BIGINT NOT NULL, sha256 TEXT NOT NULL, data BYTEA NOT NULL, created_at TEXT NOT NULL,
                    created_by TEXT NOT NULL)
                """,
                "CREATE INDEX attachments_session ON attachments (session_id)",
            ]
        ),
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
