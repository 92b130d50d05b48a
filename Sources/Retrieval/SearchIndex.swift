import AgentPacks
import Crypto
import Foundation
import GRDB
import Glossary
import Synchronization

/// The retrieval index: every agent pack's passages in an SQLite FTS5 table, in a database
/// file of its own, so indexing never waits on (or holds) the event store's write lock.
///
/// Built by `dialogue-server index`, or by `serve` when missing or when a pack's documents
/// changed (their content hash); each pack is replaced in one transaction, so searches see
/// either the old or the new passages of a pack, never a mix.
package final class SearchIndex: Sendable {
    /// The database file's name inside the data folder.
    package static let fileName = "index.sqlite"

    let pool: DatabasePool
    /// Document frequencies, cached per token; cleared when the index changes.
    let frequencies = FrequencyCache()

    /// Bumped when the tables change: an index file of another version is rebuilt.
    static let schemaVersion = 3

    package init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        // Readers map the file: FTS5 posting lists are read without copying pages.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA mmap_size = 268435456")
            try db.execute(sql: "PRAGMA cache_size = -8192")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try pool.write { db in
            let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            if version != Self.schemaVersion {
                // An index is derived data: an old layout is dropped and rebuilt from the packs.
                try db.execute(
                    sql: """
                        DROP TABLE IF EXISTS passages_vocab; DROP TABLE IF EXISTS passages_fts;
                        DROP TABLE IF EXISTS passages; DROP TABLE IF EXISTS packs;
                        PRAGMA user_version = \(Self.schemaVersion);
                        """)
            }
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS packs (
                        agent TEXT PRIMARY KEY, hash TEXT NOT NULL, indexed_at TEXT NOT NULL,
                        passages INTEGER NOT NULL);
                    CREATE TABLE IF NOT EXISTS passages (
                        id INTEGER PRIMARY KEY, agent TEXT NOT NULL, document TEXT NOT NULL, family TEXT NOT NULL,
                        title TEXT NOT NULL, heading TEXT NOT NULL, language TEXT NOT NULL, source TEXT NOT NULL,
                        date TEXT NOT NULL, zone TEXT, sector TEXT, position INTEGER NOT NULL, text TEXT NOT NULL,
                        numbers TEXT NOT NULL);
                    CREATE INDEX IF NOT EXISTS passages_by_agent ON passages(agent, document);
                    CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
                        title, body, meta, tokenize = 'unicode61 remove_diacritics 0');
                    CREATE VIRTUAL TABLE IF NOT EXISTS passages_vocab USING fts5vocab(passages_fts, 'row');
                    """)
        }
    }

    /// SHA-256 over a pack's documents (ids, front matter and text), hex.
    package static func contentHash(_ pack: AgentPack) -> String {
        var hasher = SHA256()
        for document in pack.documents {
            for part in [document.id, document.fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n"), document.body] {
                hasher.update(data: Array(part.utf8))
                hasher.update(data: [0])
            }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Whether the pack's passages are missing or were built from other documents.
    package func isStale(_ pack: AgentPack) throws -> Bool {
        let hash = Self.contentHash(pack)
        let stored = try pool.read { db in
            try String.fetchOne(db, sql: "SELECT hash FROM packs WHERE agent = ?", arguments: [pack.id])
        }
        return stored != hash
    }

    /// Replaces a pack's passages; returns how many were indexed.
    @discardableResult
    package func index(_ pack: AgentPack) throws -> Int {
        let hash = Self.contentHash(pack)
        var rows: [(PackDocument, PassageSplitter.Passage)] = []
        for document in pack.documents {
            for passage in PassageSplitter.passages(markdown: document.body) { rows.append((document, passage)) }
        }
        let now = ISO8601DateFormatter().string(from: Date())
        let count = rows.count
        let batch = rows
        try pool.write { db in
            try Self.deletePack(pack.id, in: db)
            for (document, passage) in batch {
                try Self.insert(agent: pack.id, document: document, passage: passage, in: db)
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO packs (agent, hash, indexed_at, passages) VALUES (?, ?, ?, ?)",
                arguments: [pack.id, hash, now, count])
        }
        frequencies.clear()
        return count
    }

    /// Drops packs no longer in the catalog.
    package func removePacks(except ids: Set<String>) throws {
        try pool.write { db in
            let stored = try String.fetchAll(db, sql: "SELECT agent FROM packs")
            for agent in stored where !ids.contains(agent) { try Self.deletePack(agent, in: db) }
        }
        frequencies.clear()
    }

    /// Passages in the index.
    package func passageCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM passages") ?? 0 }
    }

    static func deletePack(_ agent: String, in db: Database) throws {
        try db.execute(
            sql: "DELETE FROM passages_fts WHERE rowid IN (SELECT id FROM passages WHERE agent = ?)", arguments: [agent])
        try db.execute(sql: "DELETE FROM passages WHERE agent = ?", arguments: [agent])
        try db.execute(sql: "DELETE FROM packs WHERE agent = ?", arguments: [agent])
    }

    static func insert(agent: String, document: PackDocument, passage: PassageSplitter.Passage, in db: Database) throws {
        let bodyTokens = SearchTokenizer.tokens(passage.text)
        try db.execute(
            sql: """
                INSERT INTO passages (agent, document, family, title, heading, language, source, date, zone, sector, position, text, numbers)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                agent, document.id, document.family, document.title, passage.heading, document.language, document.source,
                document.date, document.zone, document.sector, passage.position, passage.text,
                bodyTokens.filter { $0.first?.isNumber == true }.joined(separator: " "),
            ])
        let id = db.lastInsertedRowID
        try db.execute(
            sql: "INSERT INTO passages_fts (rowid, title, body, meta) VALUES (?, ?, ?, ?)",
            arguments: [
                id, SearchTokenizer.tokens(document.title + " \n " + passage.heading).joined(separator: " "),
                bodyTokens.joined(separator: " "),
                metaTokens(agent: agent, language: document.language),
            ])
    }

    /// Filters FTS5 can intersect with the posting lists instead of joining afterwards:
    /// `lang` + the language code, `agent` + the agent id, letters and digits only.
    static func metaTokens(agent: String, language: String) -> String {
        [metaToken("lang", language), metaToken("agent", agent)].joined(separator: " ")
    }

    static func metaToken(_ prefix: String, _ value: String) -> String {
        prefix + String(value.lowercased().unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) })
    }

    /// Inserts passages that do not come from a pack (benchmarks build large synthetic corpora).
    package func insertSynthetic(_ passages: [(agent: String, document: PackDocument, passage: PassageSplitter.Passage)])
        throws
    {
        try pool.write { db in
            for row in passages { try Self.insert(agent: row.agent, document: row.document, passage: row.passage, in: db) }
        }
        frequencies.clear()
    }
}

/// Token → number of passages holding it, and the documents' languages; a lock around
/// dictionaries, cleared whenever the index changes.
final class FrequencyCache: Sendable {
    private struct State {
        var counts: [String: Int] = [:]
        var languages: [String]?
        var passages: Int?
    }
    private let state = Mutex(State())

    func value(_ token: String) -> Int? { state.withLock { $0.counts[token] } }
    func set(_ token: String, _ count: Int) { state.withLock { $0.counts[token] = count } }
    func languages() -> [String]? { state.withLock { $0.languages } }
    func passages() -> Int? { state.withLock { $0.passages } }
    func setPassages(_ count: Int) { state.withLock { $0.passages = count } }
    func setLanguages(_ languages: [String]) { state.withLock { $0.languages = languages } }
    func clear() { state.withLock { $0 = State() } }
}
