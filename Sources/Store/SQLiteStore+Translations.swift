import Dialogue
import GRDB

extension SQLiteStore {
    @discardableResult package func saveTranslation(_ translation: StoredTranslation) async throws -> Bool {
        try await writing { db in
            // One row per event and language; the statement's `WHERE` is the rule
            // `TranslationPreference.replaces` states (the store contract tests check both stores).
            // Only while the event still holds its text: a translation finishing after a
            // redaction must not store the words again (decided in the same statement).
            try db.execute(
                sql: """
                    INSERT INTO translations
                        (session_id, seq, language, text, engine, glossary_version, glossary_ok, created_at,
                         by_id, by_name, by_role)
                    SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
                    WHERE EXISTS (
                        SELECT 1 FROM events WHERE session_id = ?1 AND seq = ?2 AND \(Self.holdsText))
                    ON CONFLICT (session_id, seq, language) DO UPDATE SET
                        text = excluded.text, engine = excluded.engine, glossary_version = excluded.glossary_version,
                        glossary_ok = excluded.glossary_ok, created_at = excluded.created_at,
                        by_id = excluded.by_id, by_name = excluded.by_name, by_role = excluded.by_role
                    WHERE translations.engine <> 'human' OR excluded.engine = 'human'
                    """,
                arguments: [
                    translation.session, translation.seq, translation.language, translation.text, translation.engine,
                    translation.glossaryVersion, translation.glossaryOk, translation.at, translation.by?.id,
                    translation.by?.name, translation.by?.role,
                ])
            return db.changesCount > 0
        }
    }

    package func translations(session: String, from: Int64, to: Int64, language: String) async throws
        -> [Int64: StoredTranslation]
    {
        try await reading { db in
            var out: [Int64: StoredTranslation] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM translations WHERE session_id = ? AND seq BETWEEN ? AND ? AND language = ?
                    """, arguments: [session, from, to, language])
            {
                let translation = Self.translation(row)
                out[translation.seq] = translation
            }
            return out
        }
    }

    package func translations(session: String, language: String?) async throws -> [StoredTranslation] {
        try await reading { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM translations WHERE session_id = ? AND (? IS NULL OR language = ?)
                    ORDER BY seq, language
                    """, arguments: [session, language, language]
            ).map(Self.translation)
        }
    }

    /// The SQL condition on an `events` row that it still holds its text: a redacted body
    /// has `textHash` in place of `text` (canonical JSON: no space before the colon).
    static let holdsText = #"instr(body, '"text":') > 0"#

    /// A `translations` row.
    static func translation(_ row: Row) -> StoredTranslation {
        let (byId, byName, byRole): (String?, String?, String?) = (row["by_id"], row["by_name"], row["by_role"])
        return StoredTranslation(
            session: row["session_id"], seq: row["seq"], language: row["language"], text: row["text"],
            engine: row["engine"], glossaryVersion: row["glossary_version"], glossaryOk: row["glossary_ok"],
            by: byId.map { TranslationAuthor(id: $0, name: byName ?? "", role: byRole ?? "") },
            at: row["created_at"])
    }
}
