import Dialogue
import Foundation
import GRDB
import HashChain

extension SQLiteStore {
    package func redact(session: String, seq: Int64, scope: Redaction.Scope, actor: String, reason: String)
        async throws -> RedactionRecord
    {
        let now = Timestamp.now()
        let record = RedactionRecord(
            session: session, seq: seq, scope: scope.rawValue, actor: actor, reason: reason, at: now)
        try await writing { db in
            guard try Self.redactRow(db, session: session, seq: seq, scope: scope) != nil else {
                throw StoreError.notFound("event \(seq) of session \(session)")
            }
            try Self.record(db, record)
        }
        wipeLog()
        return record
    }

    package func eraseParticipant(invite: String, actor: String, reason: String) async throws
        -> (session: String, seqs: [Int64])
    {
        let now = Timestamp.now()
        let result: (String, [Int64]) = try await writing { db in
            guard
                let session = try String.fetchOne(
                    db, sql: "SELECT session_id FROM invites WHERE id = ?", arguments: [invite])
            else { throw StoreError.notFound("invite \(invite)") }
            let seqs = try Self.candidates(db, session: session)
                .filter { RedactionPolicy.erasure(of: invite, $0) != nil }.map(\.seq)
            for seq in seqs { _ = try Self.redactRow(db, session: session, seq: seq, scope: .person) }
            try Self.eraseRows(db, session: session, participant: invite)
            // The erasure ends the invite: its link no longer signs in.
            try db.execute(
                sql: "UPDATE invites SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [now, invite])
            for seq in seqs {
                try Self.record(
                    db,
                    RedactionRecord(session: session, seq: seq, scope: "person", actor: actor, reason: reason, at: now))
            }
            try db.execute(
                sql:
                    "INSERT INTO audit_log (at, actor, action, session_id, detail) VALUES (?, ?, 'erase-participant', ?, ?)",
                arguments: [now, actor, session, "invite \(invite): \(reason)"])
            return (session, seqs)
        }
        wipeLog()
        return result
    }

    package func redactions(session: String) async throws -> [RedactionRecord] {
        try await reading { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM redactions WHERE session_id = ? ORDER BY id", arguments: [session]
            ).map { row in
                RedactionRecord(
                    session: row["session_id"], seq: row["seq"], scope: row["scope"], actor: row["actor"],
                    reason: row["reason"], at: row["at"])
            }
        }
    }

    package func sessionsDue(endedBefore cutoff: String) async throws -> [String] {
        try await reading { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT id FROM sessions s
                    WHERE ((status = 'ended' AND ended_at IS NOT NULL AND ended_at < ?)
                      OR (status = 'cancelled' AND COALESCE(ended_at, cancelled_at) < ?))
                    AND NOT EXISTS (SELECT 1 FROM redactions r WHERE r.session_id = s.id AND r.scope = 'retention')
                    ORDER BY COALESCE(ended_at, cancelled_at), id
                    """, arguments: [cutoff, cutoff])
        }
    }

    package func clearForRetention(session: String, actor: String) async throws -> [Int64] {
        let now = Timestamp.now()
        let logger = logger
        let changed: [Int64] = try await writing { db in
            let investors = Set(
                try String.fetchAll(
                    db, sql: "SELECT id FROM participants WHERE session_id = ? AND role = 'investor'",
                    arguments: [session]))
            var changed: [Int64] = []
            var damaged: [Int64] = []
            for event in try Self.candidates(db, session: session) {
                let scope = RedactionPolicy.retention(investors: investors, event)
                switch try RedactionPolicy.retentionOutcome({
                    try Self.redactRow(db, session: session, seq: event.seq, scope: scope, requireText: false) == true
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
            for investor in investors { try Self.eraseRows(db, session: session, participant: investor) }
            try db.execute(sql: "DELETE FROM translations WHERE session_id = ?", arguments: [session])
            try db.execute(sql: "DELETE FROM notes WHERE session_id = ?", arguments: [session])
            try Self.record(
                db,
                RedactionRecord(
                    session: session, seq: 0, scope: "retention", actor: actor,
                    reason: RedactionPolicy.retentionReason(changed: changed.count, damaged: damaged), at: now))
            return changed
        }
        wipeLog()
        return changed
    }

    /// Every event of `session` as the redaction policy sees it, in seq order.
    private static func candidates(_ db: Database, session: String) throws -> [RedactionPolicy.Candidate] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT seq, sender, kind,
                  CASE WHEN kind = 'moderation' AND json_valid(body) THEN json_extract(body, '$.target') END AS target
                FROM events WHERE session_id = ? ORDER BY seq
                """, arguments: [session]
        ).map {
            RedactionPolicy.Candidate(seq: $0["seq"], sender: $0["sender"], kind: $0["kind"], target: $0["target"])
        }
    }

    /// Rewrites one event's body and salts for `scope` and drops its translations: whether
    /// the body changed, nil when there is no such event. An event with nothing left to
    /// remove is left as it is.
    private static func redactRow(
        _ db: Database, session: String, seq: Int64, scope: Redaction.Scope, requireText: Bool = true
    ) throws -> Bool? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT body, hash, text_salt, person_salt FROM events WHERE session_id = ? AND seq = ?",
                arguments: [session, seq])
        else { return nil }
        let hash: Data = row["hash"]
        let textSalt: Data? = row["text_salt"]
        let personSalt: Data? = row["person_salt"]
        let salts = EventSalts(text: textSalt.map(Array.init), person: personSalt.map(Array.init))
        let plan = try Redaction.plan(
            scope, session: session, seq: seq, bodyText: row["body"], hash: Array(hash), salts: salts,
            requireText: requireText)
        if case let (body, kept)? = plan {
            try db.execute(
                sql: "UPDATE events SET body = ?, text_salt = ?, person_salt = ? WHERE session_id = ? AND seq = ?",
                arguments: [body, kept.text.map { Data($0) }, kept.person.map { Data($0) }, session, seq])
        }
        try db.execute(sql: "DELETE FROM translations WHERE session_id = ? AND seq = ?", arguments: [session, seq])
        return plan != nil
    }

    /// Replaces a participant's name and organisation in the invite and participant rows,
    /// and removes what the calendar kept of them: the invite's address, zone and sealed
    /// code, and the session's mails to that address (their names and links).
    private static func eraseRows(_ db: Database, session: String, participant: String) throws {
        try db.execute(
            sql: "UPDATE participants SET name = ?, organisation = NULL WHERE session_id = ? AND id = ?",
            arguments: [erasedName, session, participant])
        try db.execute(
            sql: """
                DELETE FROM mail_outbox WHERE session_id = ? AND recipient IN (
                  SELECT email FROM invites WHERE session_id = ? AND id = ? AND email IS NOT NULL)
                """,
            arguments: [session, session, participant])
        // The meeting request the session was made from, when it was theirs, and its mails.
        let requests = try String.fetchAll(
            db,
            sql: """
                SELECT r.id FROM meeting_requests r JOIN invites i ON lower(i.email) = lower(r.email)
                WHERE r.session_id = ? AND i.session_id = ? AND i.id = ?
                """,
            arguments: [session, session, participant])
        for request in requests {
            try db.execute(
                sql: "DELETE FROM mail_outbox WHERE key IN (?, ?)",
                arguments: ["request:\(request)", "request-declined:\(request)"])
            try db.execute(
                sql: "UPDATE meeting_requests SET name = ?, organisation = '', email = '', message = '' WHERE id = ?",
                arguments: [erasedName, request])
        }
        try db.execute(
            sql: """
                UPDATE invites SET name = ?, organisation = NULL, email = NULL, time_zone = NULL, code_sealed = NULL
                WHERE session_id = ? AND id = ?
                """,
            arguments: [erasedName, session, participant])
        // Their survey answers keep the scores, not the words.
        if let row = try Row.fetchOne(db, sql: "SELECT * FROM survey_responses WHERE invite_id = ?", arguments: [participant]) {
            let erased = Self.surveyResponse(row).erasingText()
            try db.execute(
                sql: "UPDATE survey_responses SET answers = ?, record = ?, signature = ? WHERE invite_id = ?",
                arguments: [erased.answers, erased.record, erased.signature, participant])
        }
    }

    private static func record(_ db: Database, _ record: RedactionRecord) throws {
        try db.execute(
            sql: "INSERT INTO redactions (session_id, seq, scope, actor, reason, at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [record.session, record.seq, record.scope, record.actor, record.reason, record.at])
        guard record.scope != "person" else { return }
        try db.execute(
            sql: "INSERT INTO audit_log (at, actor, action, session_id, detail) VALUES (?, ?, ?, ?, ?)",
            arguments: [record.at, record.actor, "redact", record.session, "seq \(record.seq): \(record.reason)"])
    }

    /// Copies the WAL into the database and truncates it, so the old pages holding a
    /// redacted text leave the log file too (secure_delete already zeroed them in the database).
    /// Best effort: the redaction is committed already; a checkpoint that cannot complete
    /// now (a long reader) leaves the old pages to the next one, and SQLite's own at close.
    private func wipeLog() {
        do {
            try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        } catch {
            logger.warning("WAL not truncated after a redaction", metadata: ["db.error": "\(error)"])
        }
    }
}
