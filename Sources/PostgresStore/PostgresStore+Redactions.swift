import Dialogue
import Foundation
import Logging
import PostgresNIO
import Store
import HashChain

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
                    connection, session: session, seq: seq, scope: scope, node: node, logger: logger) != nil
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
            let seqs = try await Self.candidates(connection, session: session, logger: logger)
                .filter { RedactionPolicy.erasure(of: invite, $0) != nil }.map(\.seq)
            for seq in seqs {
                _ = try await Self.redactRow(
                    connection, session: session, seq: seq, scope: .person, node: node, logger: logger)
                try await Self.record(
                    connection,
                    RedactionRecord(session: session, seq: seq, scope: "person", actor: actor, reason: reason, at: now),
                    logger: logger)
            }
            try await Self.eraseRows(connection, session: session, participant: invite, logger: logger)
            // The erasure ends the invite; the notice (delivered at commit) has every node close
            // its sockets and, finding the participant erased, forget their name.
            try await connection.query(
                """
                UPDATE invites SET revoked_at = COALESCE(revoked_at, \(now)) WHERE id = \(invite)
                """, logger: logger)
            try await connection.query(
                "SELECT pg_notify(\(Self.inviteChannel), \(node) || ':' || \(invite))", logger: logger)
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
            SELECT id FROM sessions s
            WHERE ((status = 'ended' AND ended_at IS NOT NULL AND ended_at < \(cutoff))
              OR (status = 'cancelled' AND COALESCE(ended_at, cancelled_at) < \(cutoff)))
            AND NOT EXISTS (SELECT 1 FROM redactions r WHERE r.session_id = s.id AND r.scope = 'retention')
            ORDER BY COALESCE(ended_at, cancelled_at), id
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
            var changed: [Int64] = []
            var damaged: [Int64] = []
            for event in try await Self.candidates(connection, session: session, logger: logger) {
                let scope = RedactionPolicy.retention(investors: investors, event)
                switch try await RedactionPolicy.retentionOutcome({
                    try await Self.redactRow(
                        connection, session: session, seq: event.seq, scope: scope, requireText: false, node: node,
                        logger: logger) == true
                }) {
                case .changed: changed.append(event.seq)
                case .unchanged: break
                case .damaged(let reason):
                    damaged.append(event.seq)
                    logger.error(
                        "retention left an event as it was",
                        metadata: ["session.id": "\(session)", "error": "\(reason)"])
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
                    reason: RedactionPolicy.retentionReason(changed: changed.count, damaged: damaged), at: now),
                logger: logger)
            return changed
        }
    }

    /// Every event of `session` as the redaction policy sees it, in seq order, locked.
    private static func candidates(_ connection: PostgresConnection, session: String, logger: Logger) async throws
        -> [RedactionPolicy.Candidate]
    {
        var events: [RedactionPolicy.Candidate] = []
        // The target is read as text, not jsonb: a damaged body must not fail the whole query.
        for try await (seq, sender, kind, target) in try await connection.query(
            """
            SELECT seq, sender, kind,
              CASE WHEN kind = 'moderation' THEN substring(body from '"target":"([^"\\\\]*)"') END
            FROM events WHERE session_id = \(session) ORDER BY seq FOR UPDATE
            """, logger: logger
        ).decode((Int64, String, String, String?).self) {
            events.append(RedactionPolicy.Candidate(seq: seq, sender: sender, kind: kind, target: target))
        }
        return events
    }

    /// Rewrites one event for `scope` and drops its translations: whether the body changed,
    /// nil when there is no such event.
    private static func redactRow(
        _ connection: PostgresConnection, session: String, seq: Int64, scope: Redaction.Scope,
        requireText: Bool = true, node: String, logger: Logger
    ) async throws -> Bool? {
        var found: (String, Data, Data?, Data?)?
        for try await row in try await connection.query(
            """
            SELECT body, hash, text_salt, person_salt FROM events WHERE session_id = \(session) AND seq = \(seq)
            FOR UPDATE
            """, logger: logger
        ).decode((String, Data, Data?, Data?).self) { found = row }
        guard case let (bodyText, hash, textSalt, personSalt)? = found else { return nil }
        let salts = EventSalts(text: textSalt.map(Array.init), person: personSalt.map(Array.init))
        let plan = try Redaction.plan(
            scope, session: session, seq: seq, bodyText: bodyText, hash: Array(hash), salts: salts,
            requireText: requireText)
        if case let (body, kept)? = plan {
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
        return plan != nil
    }

    private static func eraseRows(
        _ connection: PostgresConnection, session: String, participant: String, logger: Logger
    ) async throws {
        try await connection.query(
            """
            UPDATE participants SET name = \(erasedName), organisation = NULL
            WHERE session_id = \(session) AND id = \(participant)
            """, logger: logger)
        // What the calendar kept of them goes too: the invite's address, zone and sealed code,
        // and the session's mails to that address (their names and links).
        try await connection.query(
            """
            DELETE FROM mail_outbox WHERE session_id = \(session) AND recipient IN (
              SELECT email FROM invites WHERE session_id = \(session) AND id = \(participant) AND email IS NOT NULL)
            """, logger: logger)
        // The meeting request the session was made from, when it was theirs, and its mails.
        try await connection.query(
            """
            DELETE FROM mail_outbox WHERE key IN (
              SELECT 'request:' || r.id FROM meeting_requests r JOIN invites i ON lower(i.email) = lower(r.email)
              WHERE r.session_id = \(session) AND i.session_id = \(session) AND i.id = \(participant)
              UNION ALL
              SELECT 'request-declined:' || r.id FROM meeting_requests r JOIN invites i ON lower(i.email) = lower(r.email)
              WHERE r.session_id = \(session) AND i.session_id = \(session) AND i.id = \(participant))
            """, logger: logger)
        try await connection.query(
            """
            UPDATE meeting_requests SET name = \(erasedName), organisation = '', email = '', message = ''
            WHERE session_id = \(session) AND lower(email) IN (
              SELECT lower(email) FROM invites WHERE session_id = \(session) AND id = \(participant) AND email IS NOT NULL)
            """, logger: logger)
        try await connection.query(
            """
            UPDATE invites SET name = \(erasedName), organisation = NULL, email = NULL, time_zone = NULL, code_sealed = NULL
            WHERE session_id = \(session) AND id = \(participant)
            """,
            logger: logger)
        // Their survey answers keep the scores, not the words.
        // Read whole before the update: one connection runs one query at a time.
        let answered = try await connection.query(
            "SELECT \(unescaped: surveyColumns) FROM survey_responses WHERE invite_id = \(participant)", logger: logger
        ).collect()
        for row in answered {
            let erased = try surveyResponse(row).erasingText()
            try await connection.query(
                """
                UPDATE survey_responses SET answers = \(erased.answers), record = \(erased.record), signature = \(erased.signature)
                WHERE invite_id = \(participant)
                """, logger: logger)
        }
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
