import Dialogue
import Foundation
import PostgresNIO
import Store
import HashChain

extension PostgresStore {
    package func events(session: String, after: Int64, limit: Int) async throws -> [Event] {
        try await rows(
            "SELECT body FROM events WHERE session_id = \(session) AND seq > \(after) ORDER BY seq LIMIT \(limit)"
        ).map { try Event(storedBody: $0.decode(String.self)) }
    }

    package func lastSeqs() async throws -> [String: Int64] {
        var seqs: [String: Int64] = [:]
        for row in try await rows(
            "SELECT s.id, COALESCE(h.seq, 0) FROM sessions s LEFT JOIN event_heads h ON h.session_id = s.id")
        {
            let (id, seq) = try row.decode((String, Int64).self)
            seqs[id] = seq
        }
        return seqs
    }

    package func events(ofKinds kinds: [EventKind], agent: String, limit: Int) async throws -> [Event] {
        let names = kinds.map(\.rawValue)
        return try await rows(
            """
            SELECT e.body FROM events e JOIN sessions s ON s.id = e.session_id
            WHERE e.kind = ANY(\(names)) AND s.agent = \(agent)
            ORDER BY s.created_at DESC, e.session_id COLLATE "C", e.seq DESC LIMIT \(limit)
            """
        ).map { try Event(storedBody: $0.decode(String.self)) }
    }

    package func storedFrames(session: String, after: Int64, limit: Int) async throws -> [StoredFrame] {
        try await rows(
            """
            SELECT seq, kind, body FROM events WHERE session_id = \(session) AND seq > \(after)
            ORDER BY seq LIMIT \(limit)
            """
        ).map { row in
            let (seq, kind, body) = try row.decode((Int64, String, String).self)
            return StoredFrame(seq: seq, kind: EventKind(rawValue: kind) ?? .message, canonical: Array(body.utf8))
        }
    }

    package func storedFrames(after: [String: Int64], limit: Int) async throws -> [String: [StoredFrame]] {
        let sessions = Array(after.keys)
        var frames: [String: [StoredFrame]] = [:]
        for row in try await rows(
            """
            SELECT w.session_id, e.seq, e.kind, e.body
            FROM unnest(\(sessions)::text[], \(sessions.map { after[$0]! })::bigint[]) AS w(session_id, after)
            CROSS JOIN LATERAL (
              SELECT seq, kind, body FROM events WHERE session_id = w.session_id AND seq > w.after
              ORDER BY seq LIMIT \(limit)) AS e
            ORDER BY w.session_id, e.seq
            """)
        {
            let (session, seq, kind, body) = try row.decode((String, Int64, String, String).self)
            frames[session, default: []].append(
                StoredFrame(seq: seq, kind: EventKind(rawValue: kind) ?? .message, canonical: Array(body.utf8)))
        }
        return frames
    }

    package func storedEvents(session: String) async throws -> [StoredEvent] {
        try await rows(
            "SELECT seq, body, hash, chain, text_salt, person_salt FROM events WHERE session_id = \(session) ORDER BY seq"
        ).map {
            row in
            let (seq, body, hash, chain, textSalt, personSalt) = try row.decode(
                (Int64, String, Data, Data, Data?, Data?).self)
            return StoredEvent(
                session: session, seq: seq, body: body, hash: Array(hash), chain: Array(chain),
                salts: EventSalts(text: textSalt.map(Array.init), person: personSalt.map(Array.init)))
        }
    }

    // MARK: Signed heads, notes, audit

    package func saveHead(_ head: SignedHeadRecord) async throws {
        try await execute(
            """
            INSERT INTO heads (session_id, seq, chain, signature, public_key, signed_at)
            VALUES (\(head.session), \(head.seq), \(Data(head.chain)), \(Data(head.signature)),
              \(Data(head.publicKey)), \(head.signedAt))
            ON CONFLICT (session_id) DO UPDATE SET seq = excluded.seq, chain = excluded.chain,
              signature = excluded.signature, public_key = excluded.public_key, signed_at = excluded.signed_at
            """)
    }

    package func head(session: String) async throws -> SignedHeadRecord? {
        try await rows(
            "SELECT session_id, seq, chain, signature, public_key, signed_at FROM heads WHERE session_id = \(session)"
        ).first.map { row in
            let (id, seq, chain, signature, key, signedAt) = try row.decode((String, Int64, Data, Data, Data, String).self)
            return SignedHeadRecord(
                session: id, seq: seq, chain: Array(chain), signature: Array(signature), publicKey: Array(key),
                signedAt: signedAt)
        }
    }

    package func saveCheckpoint(_ checkpoint: CheckpointRecord) async throws {
        try await execute(
            """
            INSERT INTO checkpoints (session_id, seq, state, chain, signature, key_id, signed_at)
            VALUES (\(checkpoint.session), \(checkpoint.seq), \(checkpoint.state), \(Data(checkpoint.chain)),
              \(Data(checkpoint.signature)), \(checkpoint.keyId), \(checkpoint.signedAt))
            ON CONFLICT DO NOTHING
            """)
    }

    package func chainLinks(session: String, from: Int64) async throws -> [ChainLink] {
        try await rows(
            "SELECT seq, kind, hash, chain FROM events WHERE session_id = \(session) AND seq >= \(from) ORDER BY seq"
        ).map {
            row in
            let (seq, kind, hash, chain) = try row.decode((Int64, String, Data, Data).self)
            return ChainLink(seq: seq, kind: kind, hash: Array(hash), chain: Array(chain))
        }
    }

    package func checkpoints(session: String, from: Int64) async throws -> [CheckpointRecord] {
        try await rows(
            """
            SELECT session_id, seq, state, chain, signature, key_id, signed_at FROM checkpoints
            WHERE session_id = \(session) AND seq >= \(from) ORDER BY seq, state DESC
            """
        ).map { row in
            let (id, seq, state, chain, signature, keyId, signedAt) = try row.decode(
                (String, Int64, String, Data, Data, String, String).self)
            return CheckpointRecord(
                session: id, seq: seq, chain: Array(chain), signature: Array(signature), keyId: keyId, state: state,
                signedAt: signedAt)
        }
    }

    package func addNote(session: String, seq: Int64, text: String, author: String) async throws -> Note {
        let now = Timestamp.now()
        let inserted = try await rows(
            """
            INSERT INTO notes (session_id, seq, text, author, at)
            SELECT \(session), \(seq), \(text), \(author), \(now)
            WHERE EXISTS (SELECT 1 FROM events WHERE session_id = \(session) AND seq = \(seq))
            RETURNING id
            """)
        guard let id = try inserted.first?.decode(Int64.self) else {
            throw StoreError.notFound("event \(seq) of session \(session)")
        }
        return Note(id: id, session: session, seq: seq, text: text, author: author, at: now)
    }

    package func notes(session: String) async throws -> [Note] {
        try await rows(
            "SELECT id, session_id, seq, text, author, at FROM notes WHERE session_id = \(session) ORDER BY seq, id"
        ).map { row in
            let (id, session, seq, text, author, at) = try row.decode((Int64, String, Int64, String, String, String).self)
            return Note(id: id, session: session, seq: seq, text: text, author: author, at: at)
        }
    }

    package func audit(actor: String, action: String, session: String?, detail: String) async throws {
        let now = Timestamp.now()
        try await execute(
            """
            INSERT INTO audit_log (at, actor, action, session_id, detail)
            VALUES (\(now), \(actor), \(action), \(session), \(detail))
            """)
    }

    // MARK: Translations and glossary versions

    @discardableResult package func saveTranslation(_ translation: StoredTranslation) async throws -> Bool {
        // Stored and announced in one statement: the other nodes' readers get the
        // `translation` frame too (this node's own notice is ignored by its listener). One row
        // per event and language; the statement's `WHERE` is the rule `TranslationPreference.replaces`
        // states (the store contract tests check it), deciding whether the new one takes the stored one's place, and only a stored one is
        // announced. The notice says whether the event is a draft (officers and interpreters only).
        // Only an event that still holds its text gets one (a redacted body has `textHash`):
        // a translation finishing after a redaction must not store the words again.
        let (client, logger) = (client, logger)
        let query: PostgresQuery = """
            WITH saved AS (
            INSERT INTO translations (session_id, seq, language, text, engine, glossary_version, glossary_ok, created_at,
              by_id, by_name, by_role)
            SELECT \(translation.session), \(translation.seq), \(translation.language), \(translation.text),
              \(translation.engine), \(translation.glossaryVersion.map(Int32.init)), \(translation.glossaryOk),
              \(translation.at), \(translation.by?.id), \(translation.by?.name), \(translation.by?.role)
            FROM events e WHERE e.session_id = \(translation.session) AND e.seq = \(translation.seq)
              AND position('"text":' in e.body) > 0
            ON CONFLICT (session_id, seq, language) DO UPDATE SET text = excluded.text, engine = excluded.engine,
              glossary_version = excluded.glossary_version, glossary_ok = excluded.glossary_ok,
              created_at = excluded.created_at, by_id = excluded.by_id, by_name = excluded.by_name,
              by_role = excluded.by_role
            WHERE translations.engine <> 'human' OR excluded.engine = 'human'
            RETURNING session_id, seq, language)
            SELECT pg_notify(\(Self.translationChannel), \(nodeId) || ':' || s.session_id || ':' || s.seq || ':'
              || s.language || ':' || CASE WHEN e.kind = 'draft' THEN '1' ELSE '0' END)
            FROM saved s LEFT JOIN events e ON e.session_id = s.session_id AND e.seq = s.seq
            """
        do {
            return try await withDeadline(Self.deadline) {
                var stored = false
                for try await _ in try await client.query(query, logger: logger) { stored = true }
                return stored
            }
        } catch { throw Self.writeError(error) }
    }

    package func translations(session: String, from: Int64, to: Int64, language: String) async throws
        -> [Int64: StoredTranslation]
    {
        var out: [Int64: StoredTranslation] = [:]
        for row in try await rows(
            """
            SELECT \(unescaped: Self.translationColumns) FROM translations
            WHERE session_id = \(session) AND seq BETWEEN \(from) AND \(to) AND language = \(language)
            """)
        {
            let translation = try Self.storedTranslation(row)
            out[translation.seq] = translation
        }
        return out
    }

    package func translations(session: String, language: String?) async throws -> [StoredTranslation] {
        try await rows(
            """
            SELECT \(unescaped: Self.translationColumns) FROM translations
            WHERE session_id = \(session) AND (\(language)::TEXT IS NULL OR language = \(language))
            ORDER BY seq, language
            """
        ).map(Self.storedTranslation)
    }

    static let translationColumns =
        "session_id, seq, language, text, engine, glossary_version, glossary_ok, created_at, by_id, by_name, by_role"

    static func storedTranslation(_ row: PostgresRow) throws -> StoredTranslation {
        let (session, seq, language, text, engine, version, ok, at, byId, byName, byRole) = try row.decode(
            (String, Int64, String, String, String, Int32?, Bool, String, String?, String?, String?).self)
        return StoredTranslation(
            session: session, seq: seq, language: language, text: text, engine: engine,
            glossaryVersion: version.map(Int.init), glossaryOk: ok,
            by: byId.map { TranslationAuthor(id: $0, name: byName ?? "", role: byRole ?? "") }, at: at)
    }

    package func glossary(agent: String, version: Int?) async throws -> StoredGlossary? {
        let found: [PostgresRow]
        if let version {
            found = try await rows(
                "SELECT \(unescaped: Self.glossaryColumns) FROM glossary_versions WHERE agent = \(agent) AND version = \(Int32(version))"
            )
        } else {
            found = try await rows(
                """
                SELECT \(unescaped: Self.glossaryColumns) FROM glossary_versions WHERE agent = \(agent)
                ORDER BY version DESC LIMIT 1
                """)
        }
        return try found.first.map(Self.storedGlossary)
    }

    package func lastGlossaryHash(agent: String, origin: String) async throws -> String? {
        try await rows(
            """
            SELECT sha256 FROM glossary_versions WHERE agent = \(agent) AND origin = \(origin)
            ORDER BY version DESC LIMIT 1
            """
        ).first?.decode(String.self)
    }

    package func addGlossary(
        agent: String, tsv: String, sha256: String, origin: String, concepts: Int, createdBy: String
    ) async throws -> StoredGlossary {
        let now = Timestamp.now()
        let logger = logger
        // The next version is decided in the inserting statement, under a per-agent lock, so
        // two uploads (from two nodes, too) can never get the same number.
        return try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(agent)))", logger: logger)
            var version: Int32 = 0
            for try await next in try await connection.query(
                """
                INSERT INTO glossary_versions (agent, version, tsv, sha256, origin, concepts, created_at, created_by)
                SELECT \(agent), COALESCE(MAX(version), 0) + 1, \(tsv), \(sha256), \(origin), \(Int32(concepts)),
                  \(now), \(createdBy)
                FROM glossary_versions WHERE agent = \(agent)
                RETURNING version
                """, logger: logger
            ).decode(Int32.self) {
                version = next
            }
            return StoredGlossary(
                agent: agent, version: Int(version), tsv: tsv, sha256: sha256, origin: origin, concepts: concepts,
                createdAt: now, createdBy: createdBy)
        }
    }

    static let glossaryColumns = "agent, version, tsv, sha256, origin, concepts, created_at, created_by"

    static func storedGlossary(_ row: PostgresRow) throws -> StoredGlossary {
        let (agent, version, tsv, sha256, origin, concepts, createdAt, createdBy) =
            try row.decode((String, Int32, String, String, String, Int32, String, String).self)
        return StoredGlossary(
            agent: agent, version: Int(version), tsv: tsv, sha256: sha256, origin: origin, concepts: Int(concepts),
            createdAt: createdAt, createdBy: createdBy)
    }
}
