import Dialogue
import GRDB

extension SQLiteStore {
    package func glossary(agent: String, version: Int?) async throws -> StoredGlossary? {
        try await reading { db in
            let row: Row?
            if let version {
                row = try Row.fetchOne(
                    db, sql: "SELECT * FROM glossary_versions WHERE agent = ? AND version = ?",
                    arguments: [agent, version])
            } else {
                row = try Row.fetchOne(
                    db, sql: "SELECT * FROM glossary_versions WHERE agent = ? ORDER BY version DESC LIMIT 1",
                    arguments: [agent])
            }
            return row.map(Self.storedGlossary)
        }
    }

    package func lastGlossaryHash(agent: String, origin: String) async throws -> String? {
        try await reading { db in
            try String.fetchOne(
                db,
                sql: "SELECT sha256 FROM glossary_versions WHERE agent = ? AND origin = ? ORDER BY version DESC LIMIT 1",
                arguments: [agent, origin])
        }
    }

    package func addGlossary(
        agent: String, tsv: String, sha256: String, origin: String, concepts: Int, createdBy: String
    ) async throws -> StoredGlossary {
        let now = Timestamp.now()
        return try await writing { db in
            // The next version is decided inside the write transaction, so two uploads can
            // never get the same number.
            let last = try Int.fetchOne(
                db, sql: "SELECT MAX(version) FROM glossary_versions WHERE agent = ?", arguments: [agent]) ?? 0
            let record = StoredGlossary(
                agent: agent, version: last + 1, tsv: tsv, sha256: sha256, origin: origin, concepts: concepts,
                createdAt: now, createdBy: createdBy)
            try db.execute(
                sql: """
                    INSERT INTO glossary_versions (agent, version, tsv, sha256, origin, concepts, created_at, created_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [agent, record.version, tsv, sha256, origin, concepts, now, createdBy])
            return record
        }
    }

    private static func storedGlossary(_ row: Row) -> StoredGlossary {
        StoredGlossary(
            agent: row["agent"], version: row["version"], tsv: row["tsv"], sha256: row["sha256"], origin: row["origin"],
            concepts: row["concepts"], createdAt: row["created_at"], createdBy: row["created_by"])
    }
}
