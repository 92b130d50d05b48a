import Dialogue
import Foundation
import Logging
import PostgresNIO
import Store
import Transcripts

extension PostgresStore {
    package func redact(session: String, seq: Int64, scope: Redaction.Scope, actor: String, reason: String)
        async throws -> RedactionRecord
    {
        let record = RedactionRecord(
            session: session, seq: seq, scope: scope.rawValue, actor: actor, reason: reason, at: Timestamp.now())
        let (logger, node) = (logger, nodeId)
        try await transaction { connection in
            guard
                try await Self.redactRow(
                    connection, session: session, seq: seq, scope: scope, node: node, logger: logger)
            else {
                throw StoreError.notFound("event \(seq) of session \(session)")
            }
            try await Self.record(connection, record, logger: logger)
        }
        return record
    }

    package func eraseParticipant(invite: String, actor: String, reason: String) async throws
        -> (session: String, seqs: [Int64])
    {
        let now = Timestamp.now()
        let (logger, node) = (logger, nodeId)
        return try await transaction { connection in
            var session: String?
            for try await id in try await connection.query(
                "SELECT session_id FROM invites WHERE id = \(invite)", logger: logger
            ).decode(String.self) { session = id }
            guard let session else { throw StoreError.notFound("invite \(invite)") }
            var seqs: [Int64] = []
            for try await seq in try await connection.query(
                """
                SELECT seq FROM events WHERE session_id = \(session)
                AND (sender = \(invite) OR (kind = 'moderation' AND body::jsonb->>'target' = \(invite)))
                ORDER BY seq FOR UPDATE
                """,
                logger: logger
            ).decode(Int64.self) { seqs.append(seq) }
            for seq in seqs {
                _ = try await Self.redactRow(
                    connection, session: session, seq: seq, scope: .person, node: node, logger: logger)
                try await Self.record(
                    connection,
                    RedactionRecord(session: session, seq: seq, scope: "person", actor: actor, reason: reason, at: now),
                    logger: logger)
            }
            try await Self.eraseRows(connection, session: session, participant: invite, logger: logger)
            try await connection.query(
                """
                INSERT INTO audit_log (at, actor, action, session_id, detail)
                VALUES (\(now), \(actor), 'erase-participant', \(session), \("invite \(invite): \(reason)"))
                """, logger: logger)
            return (session, seqs)
        }
    }

    package func redactions(session: String) async throws -> [RedactionRecord] {
        try await rows(
            "SELECT session_id, seq, scope, actor, reason, at FROM redactions WHERE session_id = \(session) ORDER BY id"
        ).map { row in
            let (session, seq, scope, actor, reason, at) = try row.decode(
                (String, Int64, String, String, String, String).self)
            return RedactionRecord(session: session, seq: seq, scope: scope, actor: actor, reason: reason, at: at)
        }
    }

    package func sessionsDue(endedBefore cutoff: String) async throws -> [String] {
        try await rows(
            """
            SELECT id FROM sessions s WHERE status = 'ended' AND ended_at IS NOT NULL AND ended_at < \(cutoff)
            AND NOT EXISTS (SELECT 1 FROM redactions r WHERE r.session_id = s.id AND r.scope = 'retention')
            ORDER BY ended_at, id
            """
        ).map { try $0.decode(String.self) }
    }

    package func clearForRetention(session: String, actor: String) async throws -> [Int64] {
        let now = Timestamp.now()
        let (logger, node) = (logger, nodeId)
        return try await transaction { connection in
            var investors: Set<String> = []
            for try await id in try await connection.query(
                "SELECT id FROM participants WHERE session_id = \(session) AND role = 'investor'", logger: logger
            ).decode(String.self) { investors.insert(id) }
            var events: [(Int64, String)] = []
            for try await row in try await connection.query(
                "SELECT seq, sender FROM events WHERE session_id = \(session) ORDER BY seq FOR UPDATE", logger: logger
            ).decode((Int64, String).self) { events.append(row) }
            var changed: [Int64] = []
            for (seq, sender) in events {
                let scope: Redaction.Scope = investors.contains(sender) ? .person : .text
                do {
                    if try await Self.redactRow(
                        connection, session: session, seq: seq, scope: scope, node: node, logger: logger)
                    {
                        changed.append(seq)
                    }
                } catch StoreError.conflict(let reason) where reason.hasSuffix("has no text to redact") {
                    continue
                }
            }
            for investor in investors {
                try await Self.eraseRows(connection, session: session, participant: investor, logger: logger)
            }
            try await connection.query("DELETE FROM translations WHERE session_id = \(session)", logger: logger)
            try await connection.query("DELETE FROM notes WHERE session_id = \(session)", logger: logger)
            try await Self.record(
                connection,
                RedactionRecord(
                    session: session, seq: 0, scope: "retention", actor: actor,
                    reason: "retention: \(changed.count) events cleared", at: now),
                logger: logger)
            return changed
        }
    }

    /// Rewrites one event for `scope` and drops its translations; false when there is no such event.
    private static func redactRow(
        _ connection: PostgresConnection, session: String, seq: Int64, scope: Redaction.Scope, node: String,
        logger: Logger
    ) async throws -> Bool {
        var found: (String, Data, Data?, Data?)?
        for try await row in try await connection.query(
            """
            SELECT body, hash, text_salt, person_salt FROM events WHERE session_id = \(session) AND seq = \(seq)
            FOR UPDATE
            """, logger: logger
        ).decode((String, Data, Data?, Data?).self) { found = row }
        guard case let (bodyText, hash, textSalt, personSalt)? = found else { return false }
        let salts = EventSalts(text: textSalt.map(Array.init), person: personSalt.map(Array.init))
        if case let (body, kept)? = try Redaction.plan(
            scope, session: session, seq: seq, bodyText: bodyText, hash: Array(hash), salts: salts)
        {
            let text = kept.text.map { Data($0) }
            let person = kept.person.map { Data($0) }
            try await connection.query(
                """
                UPDATE events SET body = \(body), text_salt = \(text), person_salt = \(person)
                WHERE session_id = \(session) AND seq = \(seq)
                """, logger: logger)
        }
        try await connection.query(
            "DELETE FROM translations WHERE session_id = \(session) AND seq = \(seq)", logger: logger)
        // Delivered at commit: the other nodes tell their readers (drafts: officers only).
        try await connection.query(
            """
            SELECT pg_notify(\(redactionChannel), \(node) || ':' || session_id || ':' || seq || ':'
                             || CASE WHEN kind = 'draft' THEN '1' ELSE '0' END)
            FROM events WHERE session_id = \(session) AND seq = \(seq)
            """, logger: logger)
        return true
    }

    private static func eraseRows(
        _ connection: PostgresConnection, session: String, participant: String, logger: Logger
    ) async throws {
        try await connection.query(
            """
            UPDATE participants SET name = \(erasedName), organisation = NULL
            WHERE session_id = \(session) AND id = \(participant)
            """, logger: logger)
        try await connection.query(
            "UPDATE invites SET name = \(erasedName), organisation = NULL WHERE session_id = \(session) AND id = \(participant)",
            logger: logger)
    }

    private static func record(_ connection: PostgresConnection, _ record: RedactionRecord, logger: Logger) async throws
    {
        try await connection.query(
            """
            INSERT INTO redactions (session_id, seq, scope, actor, reason, at)
            VALUES (\(record.session), \(record.seq), \(record.scope), \(record.actor), \(record.reason), \(record.at))
            """, logger: logger)
        guard record.scope != "person" else { return }
        try await connection.query(
            """
            INSERT INTO audit_log (at, actor, action, session_id, detail)
            VALUES (\(record.at), \(record.actor), 'redact', \(record.session), \("seq \(record.seq): \(record.reason)"))
            """, logger: logger)
    }
}
