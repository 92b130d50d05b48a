import Foundation
import GRDB
import Synchronization
import Glossary

/// One event's text as the transcript search sees it.
package struct TranscriptLine: Sendable, Equatable {
    package var session: String
    package var seq: Int64
    package var kind: String
    package var language: String
    package var text: String

    package init(session: String, seq: Int64, kind: String, language: String, text: String) {
        self.session = session
        self.seq = seq
        self.kind = kind
        self.language = language
        self.text = text
    }
}

/// An event that matches a transcript search; lower `rank` is better (FTS5's BM25).
package struct TranscriptMatch: Sendable, Equatable {
    package var line: TranscriptLine
    package var rank: Double
}

/// Full-text search over what was said in sessions, for reviewers and officers.
///
/// Events are copied here lazily — by a search, which first indexes whatever was committed
/// since the last one — so the live path (commit, fan-out) never pays for it. The index is
/// derived data in a file of its own: deleting it only costs re-indexing.
///
/// Words are the retrieval tokens (folded Latin and Vietnamese words, whole numbers, CJK
/// bigrams, Hangul syllable bigrams), so `khu cong nghiep` finds `khu công nghiệp`. Every
/// word of the query must occur in the event; a glossary term in the query matches any of
/// its concept's forms in every language, so `industrial park` finds `khu công nghiệp`
/// and `工業団地`.
package final class TranscriptIndex: Sendable {
    /// The database file's name inside the data folder.
    package static let fileName = "transcript-index.sqlite"
    static let schemaVersion = 1

    let pool: DatabasePool
    /// Events removed by a redaction since start: an `add` racing with the redaction (its
    /// lines read from the store just before) must not put their text back.
    private let forgotten = Mutex<Set<String>>([])

    package init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        try pool.write { db in
            let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            if version != Self.schemaVersion {
                try db.execute(
                    sql: """
                        DROP TABLE IF EXISTS lines_fts; DROP TABLE IF EXISTS lines; DROP TABLE IF EXISTS indexed;
                        PRAGMA user_version = \(Self.schemaVersion);
                        """)
            }
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS indexed (session_id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
                    CREATE TABLE IF NOT EXISTS lines (
                        id INTEGER PRIMARY KEY, session_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,
                        language TEXT NOT NULL, text TEXT NOT NULL, UNIQUE (session_id, seq));
                    CREATE VIRTUAL TABLE IF NOT EXISTS lines_fts USING fts5(
                        body, tokenize = 'unicode61 remove_diacritics 0');
                    """)
        }
    }

    /// The last seq of `session` already looked at (0 when none).
    package func indexedSeq(session: String) async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT seq FROM indexed WHERE session_id = ?", arguments: [session]) ?? 0
        }
    }

    /// Every session's last indexed seq.
    package func indexedSeqs() async throws -> [String: Int64] {
        try await pool.read { db in
            var seqs: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT session_id, seq FROM indexed") {
                seqs[row[0]] = row[1]
            }
            return seqs
        }
    }

    /// Adds `lines` (events with text) and records that `session` is indexed up to `seq`,
    /// in one transaction; lines at or below the recorded seq are skipped (idempotent).
    package func add(_ lines: [TranscriptLine], session: String, upTo seq: Int64) async throws {
        try await pool.write { db in
            let done =
                try Int64.fetchOne(db, sql: "SELECT seq FROM indexed WHERE session_id = ?", arguments: [session]) ?? 0
            let forgotten = self.forgotten.withLock { $0 }
            for line in lines
            where line.seq > done && line.seq <= seq && !forgotten.contains("\(line.session)#\(line.seq)") {
                try db.execute(
                    sql: "INSERT INTO lines (session_id, seq, kind, language, text) VALUES (?, ?, ?, ?, ?)",
                    arguments: [line.session, line.seq, line.kind, line.language, line.text])
                try db.execute(
                    sql: "INSERT INTO lines_fts (rowid, body) VALUES (?, ?)",
                    arguments: [db.lastInsertedRowID, SearchTokenizer.tokens(line.text).joined(separator: " ")])
            }
            try db.execute(
                sql: """
                    INSERT INTO indexed (session_id, seq) VALUES (?, ?)
                    ON CONFLICT (session_id) DO UPDATE SET seq = max(seq, excluded.seq)
                    """,
                arguments: [session, seq])
        }
    }

    /// Removes the lines of `seqs` (redacted events) from the index and rewrites the full-text
    /// index in one segment, so no copy of their words stays in the file: FTS5 only marks a
    /// deleted row until its segments are merged. `secure_delete` zeroes the freed pages and
    /// the WAL is truncated afterwards.
    package func remove(session: String, seqs: [Int64]) async throws {
        guard !seqs.isEmpty else { return }
        forgotten.withLock { set in for seq in seqs { set.insert("\(session)#\(seq)") } }
        try await pool.write { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
            for seq in seqs {
                guard
                    let rowid = try Int64.fetchOne(
                        db, sql: "SELECT id FROM lines WHERE session_id = ? AND seq = ?", arguments: [session, seq])
                else { continue }
                try db.execute(sql: "DELETE FROM lines_fts WHERE rowid = ?", arguments: [rowid])
                try db.execute(sql: "DELETE FROM lines WHERE id = ?", arguments: [rowid])
            }
            try db.execute(sql: "INSERT INTO lines_fts (lines_fts) VALUES ('optimize')")
        }
        try await pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.execute(sql: "VACUUM")
            _ = try db.checkpoint(.truncate)
        }
    }

    /// The best matching events for `text`, at most `perSession` per session, best first;
    /// empty when the query has no searchable word (only stop words or punctuation).
    package func search(_ text: String, glossary: Glossary?, perSession: Int = 3, limit: Int = 500) async throws
        -> [TranscriptMatch]
    {
        guard let match = Self.matchExpression(text, glossary: glossary) else { return [] }
        return try await pool.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT l.session_id, l.seq, l.kind, l.language, l.text, r.rank
                    FROM (SELECT rowid, rank FROM lines_fts WHERE lines_fts MATCH ? ORDER BY rank LIMIT ?) AS r
                    JOIN lines l ON l.id = r.rowid ORDER BY r.rank
                    """,
                arguments: [match, limit])
            var matches: [TranscriptMatch] = []
            var perSessionCount: [String: Int] = [:]
            while let row = try rows.next() {
                let session: String = row[0]
                let count = perSessionCount[session, default: 0]
                guard count < perSession else { continue }
                perSessionCount[session] = count + 1
                matches.append(
                    TranscriptMatch(
                        line: TranscriptLine(session: session, seq: row[1], kind: row[2], language: row[3], text: row[4]),
                        rank: row[5]))
            }
            return matches
        }
    }

    /// The FTS5 query: every group must match; a group is one word of the query, or a
    /// glossary term found in it as the OR of its concept's forms (each a phrase).
    static func matchExpression(_ text: String, glossary: Glossary?) -> String? {
        var groups: [String] = []
        var rest = text
        if let glossary {
            let utf16 = Array(text.utf16)
            var plain: [UInt16] = []
            var cursor = 0
            for hit in glossary.terms(in: text) {
                plain += utf16[cursor..<hit.start]
                plain.append(0x20)
                cursor = hit.end
                let phrases = QueryPlan.phrases(of: hit.conceptIndex, in: glossary).map {
                    SearchIndex.quoted($0.joined(separator: " "))
                }
                if !phrases.isEmpty { groups.append("(" + phrases.joined(separator: " OR ") + ")") }
            }
            plain += utf16[cursor...]
            rest = String(decoding: plain, as: UTF16.self)
        }
        var seen: Set<String> = []
        for token in SearchTokenizer.tokens(StopWords.removing(from: rest)) where seen.insert(token).inserted {
            groups.append(SearchIndex.quoted(token))
        }
        return groups.isEmpty ? nil : groups.joined(separator: " AND ")
    }
}
