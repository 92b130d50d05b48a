import Dialogue
import Foundation
import GRDB
import HashChain

extension SQLiteStore {
    package func events(session: String, after: Int64, limit: Int) async throws -> [Event] {
        try await reading { db in
            try String.fetchAll(
                db, sql: "SELECT body FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                arguments: [session, after, limit]
            ).map(Event.init(storedBody:))
        }
    }

    package func lastSeqs() async throws -> [String: Int64] {
        try await reading { db in
            // One primary-key probe per session, not a scan of every event.
            var seqs: [String: Int64] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT s.id, (SELECT MAX(seq) FROM events e WHERE e.session_id = s.id) FROM sessions s")
            while let row = try rows.next() { seqs[row[0]] = row[1] ?? 0 }
            return seqs
        }
    }

    package func events(ofKinds kinds: [EventKind], agent: String, limit: Int) async throws -> [Event] {
        let placeholders = Array(repeating: "?", count: kinds.count).joined(separator: ", ")
        let names = kinds.map(\.rawValue)
        return try await reading { db in
            var arguments: [any DatabaseValueConvertible] = names
            arguments.append(agent)
            arguments.append(limit)
            return try String.fetchAll(
                db,
                sql: """
                    SELECT e.body FROM events e JOIN sessions s ON s.id = e.session_id
                    WHERE e.kind IN (\(placeholders)) AND s.agent = ?
                    ORDER BY s.created_at DESC, e.session_id, e.seq DESC LIMIT ?
                    """, arguments: StatementArguments(arguments)
            ).map(Event.init(storedBody:))
        }
    }

    package func storedFrames(session: String, after: Int64, limit: Int) async throws -> [StoredFrame] {
        try await reading { db in
            try Row.fetchAll(
                db, sql: "SELECT seq, kind, body FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                arguments: [session, after, limit]
            ).map { row in
                let body: String = row["body"]
                let kind: String = row["kind"]
                return StoredFrame(
                    seq: row["seq"], kind: EventKind(rawValue: kind) ?? .message, canonical: Array(body.utf8))
            }
        }
    }

    package func storedEvents(session: String) async throws -> [StoredEvent] {
        try await reading { db in
            try Row.fetchAll(
                db,
                sql: "SELECT seq, body, hash, chain, text_salt, person_salt FROM events WHERE session_id = ? ORDER BY seq",
                arguments: [session]
            ).map { row in
                let body: String = row["body"]
                let hash: Data = row["hash"]
                let chain: Data = row["chain"]
                let textSalt: Data? = row["text_salt"]
                let personSalt: Data? = row["person_salt"]
                return StoredEvent(
                    session: session, seq: row["seq"], body: body, hash: Array(hash), chain: Array(chain),
                    salts: EventSalts(text: textSalt.map(Array.init), person: personSalt.map(Array.init)))
            }
        }
    }

    package func saveHead(_ head: SignedHeadRecord) async throws {
        try await writing { db in
            try db.execute(
                sql: """
                    INSERT INTO heads (session_id, seq, chain, signature, public_key, signed_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(session_id) DO UPDATE SET seq = excluded.seq, chain = excluded.chain,
                      signature = excluded.signature, public_key = excluded.public_key, signed_at = excluded.signed_at
                    """,
                arguments: [
                    head.session, head.seq, Data(head.chain), Data(head.signature), Data(head.publicKey), head.signedAt,
                ])
        }
    }

    package func head(session: String) async throws -> SignedHeadRecord? {
        try await reading { db in
            try Row.fetchOne(db, sql: "SELECT * FROM heads WHERE session_id = ?", arguments: [session]).map { row in
                let chain: Data = row["chain"]
                let signature: Data = row["signature"]
                let key: Data = row["public_key"]
                return SignedHeadRecord(
                    session: row["session_id"], seq: row["seq"], chain: Array(chain), signature: Array(signature),
                    publicKey: Array(key), signedAt: row["signed_at"])
            }
        }
    }

    package func saveCheckpoint(_ checkpoint: CheckpointRecord) async throws {
        try await writing { db in
            try db.execute(
                sql: """
                    INSERT INTO checkpoints (session_id, seq, state, chain, signature, key_id, signed_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """,
                arguments: [
                    checkpoint.session, checkpoint.seq, checkpoint.state, Data(checkpoint.chain),
                    Data(checkpoint.signature), checkpoint.keyId, checkpoint.signedAt,
                ])
        }
    }

    package func chainLinks(session: String, from: Int64) async throws -> [ChainLink] {
        try await reading { db in
            try Row.fetchAll(
                db, sql: "SELECT seq, kind, hash, chain FROM events WHERE session_id = ? AND seq >= ? ORDER BY seq",
                arguments: [session, from]
            ).map { row in
                // By position: a name look-up lowercases the name for every row.
                let hash: Data = row[2]
                let chain: Data = row[3]
                return ChainLink(seq: row[0], kind: row[1], hash: Array(hash), chain: Array(chain))
            }
        }
    }

    package func checkpoints(session: String, from: Int64) async throws -> [CheckpointRecord] {
        try await reading { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM checkpoints WHERE session_id = ? AND seq >= ? ORDER BY seq, state DESC",
                arguments: [session, from]
            ).map { row in
                let chain: Data = row["chain"]
                let signature: Data = row["signature"]
                return CheckpointRecord(
                    session: row["session_id"], seq: row["seq"], chain: Array(chain), signature: Array(signature),
                    keyId: row["key_id"], state: row["state"], signedAt: row["signed_at"])
            }
        }
    }

    package func addNote(session: String, seq: Int64, text: String, author: String) async throws -> Note {
        let now = Timestamp.now()
        return try await writing { db in
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM events WHERE session_id = ? AND seq = ?", arguments: [session, seq]) != nil
            else { throw StoreError.notFound("event \(seq) of session \(session)") }
            try db.execute(
                sql: "INSERT INTO notes (session_id, seq, text, author, at) VALUES (?, ?, ?, ?, ?)",
                arguments: [session, seq, text, author, now])
            return Note(id: db.lastInsertedRowID, session: session, seq: seq, text: text, author: author, at: now)
        }
    }

    package func notes(session: String) async throws -> [Note] {
        try await reading { db in
            try Row.fetchAll(db, sql: "SELECT * FROM notes WHERE session_id = ? ORDER BY seq, id", arguments: [session])
                .map { row in
                    Note(
                        id: row["id"], session: row["session_id"], seq: row["seq"], text: row["text"],
                        author: row["author"], at: row["at"])
                }
        }
    }

    package func audit(actor: String, action: String, session: String?, detail: String) async throws {
        let now = Timestamp.now()
        try await writing { db in
            try db.execute(
                sql: "INSERT INTO audit_log (at, actor, action, session_id, detail) VALUES (?, ?, ?, ?, ?)",
                arguments: [now, actor, action, session, detail])
        }
    }

    /// Sessions' ids, for verifying them all.
    package func sessionIds() throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "SELECT id FROM sessions ORDER BY created_at, id") }
    }
}
