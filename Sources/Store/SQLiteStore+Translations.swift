import Dialogue
import GRDB

extension SQLiteStore {
    package func saveTranslation(_ translation: StoredTranslation) async throws {
        try await writing { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO translations
                        (session_id, seq, language, text, engine, glossary_version, glossary_ok, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    translation.session, translation.seq, translation.language, translation.text, translation.engine,
                    translation.glossaryVersion, translation.glossaryOk, Timestamp.now(),
                ])
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
                let translation = StoredTranslation(
                    session: row["session_id"], seq: row["seq"], language: row["language"], text: row["text"],
                    engine: row["engine"], glossaryVersion: row["glossary_version"], glossaryOk: row["glossary_ok"])
                out[translation.seq] = translation
            }
            return out
        }
    }
}

/// A machine translation of one event's text into one language, as stored.
package struct StoredTranslation: Sendable, Equatable {
    package var session: String
    package var seq: Int64
    package var language: String
    package var text: String
    /// The provider: `libretranslate`, `llm:MODEL`.
    package var engine: String
    /// The glossary version whose terms were protected.
    package var glossaryVersion: Int?
    /// Whether every glossary term came through as its approved form.
    package var glossaryOk: Bool

    package init(
        session: String, seq: Int64, language: String, text: String, engine: String, glossaryVersion: Int?,
        glossaryOk: Bool
    ) {
        self.session = session
        self.seq = seq
        self.language = language
        self.text = text
        self.engine = engine
        self.glossaryVersion = glossaryVersion
        self.glossaryOk = glossaryOk
    }

    /// The event's `translation` member: `{"text","language","engine","glossaryOk"}`.
    package var json: JSONValue {
        ["text": .string(text), "language": .string(language), "engine": .string(engine), "glossaryOk": .bool(glossaryOk)]
    }
}
