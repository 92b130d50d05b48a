import Dialogue
import Foundation
import GRDB

extension SQLiteStore {
    package func enqueueMail(_ mail: OutboxMail, supersede: MailFamilies, unlessUnheard: Bool) async throws -> Bool {
        try await writing { db in
            try db.execute(
                sql: """
                    INSERT INTO mail_outbox (id, key, kind, session_id, recipient, subject, message, status, attempts,
                      next_attempt_at, last_error, created_at, sent_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING
                    """,
                arguments: [
                    mail.id, mail.key, mail.kind, mail.session, mail.recipient, mail.subject, Data(mail.message),
                    mail.status.rawValue, mail.attempts, mail.nextAttemptAt, mail.lastError, mail.createdAt, mail.sentAt,
                ])
            guard db.changesCount > 0 else { return false }
            guard !supersede.families.isEmpty else { return true }
            var heard = false
            for family in supersede.families {
                // The family's keys, by range on the key's index (ids hold `_`, LIKE's wildcard).
                let (from, to) = (family + ":", Self.prefixEnd(family + ":"))
                try db.execute(
                    sql: """
                        UPDATE mail_outbox SET status = 'superseded', last_error = ?, message = x''
                        WHERE status = 'queued' AND id <> ? AND (key = ? OR (key >= ? AND key < ?))
                        """,
                    arguments: ["superseded by \(mail.key)", mail.id, family, from, to])
                // One a node is sending may be on its way: it is left alone, but not tried again.
                try db.execute(
                    sql: """
                        UPDATE mail_outbox SET superseded_by = ?
                        WHERE status = 'sending' AND id <> ? AND (key = ? OR (key >= ? AND key < ?))
                        """,
                    arguments: [mail.key, mail.id, family, from, to])
                if !heard {
                    heard =
                        try Bool.fetchOne(
                            db,
                            sql: """
                                SELECT EXISTS (SELECT 1 FROM mail_outbox WHERE id <> ? AND status IN ('sent', 'sending')
                                  AND (key = ? OR (key >= ? AND key < ?)))
                                """,
                            arguments: [mail.id, family, from, to]) == true
                }
            }
            if unlessUnheard && !heard {
                try db.execute(
                    sql: "UPDATE mail_outbox SET status = 'superseded', last_error = ?, message = x'' WHERE id = ?",
                    arguments: ["nothing earlier of this meeting reached \(mail.recipient)", mail.id])
            }
            return true
        }
    }

    package func claimMail(node: String, now: String, leaseUntil: String, limit: Int) async throws -> [OutboxMail] {
        try await writing { db in
            // One writer at a time in SQLite: the select and the update are one transaction.
            // A mail replaced while its node was sending it, whose node then stopped, is not
            // sent again: it may have gone out, and what replaced it has.
            try db.execute(
                sql: """
                    UPDATE mail_outbox SET status = 'superseded', message = x'', lease_until = NULL,
                      last_error = 'superseded by ' || superseded_by || ' while its sender stopped'
                    WHERE status = 'sending' AND lease_until <= ? AND superseded_by IS NOT NULL
                    """,
                arguments: [now])
            let ids = try String.fetchAll(
                db,
                sql: """
                    SELECT id FROM mail_outbox
                    WHERE (status = 'queued' AND next_attempt_at <= ?) OR (status = 'sending' AND lease_until <= ?)
                    ORDER BY next_attempt_at, id LIMIT ?
                    """,
                arguments: [now, now, limit])
            var taken: [OutboxMail] = []
            for id in ids {
                try db.execute(
                    sql: """
                        UPDATE mail_outbox SET status = 'sending', claimed_by = ?, lease_until = ?, attempts = attempts + 1
                        WHERE id = ?
                        """,
                    arguments: [node, leaseUntil, id])
                if let row = try Row.fetchOne(db, sql: "SELECT * FROM mail_outbox WHERE id = ?", arguments: [id]) {
                    taken.append(Self.outboxMail(row, withMessage: true))
                }
            }
            return taken
        }
    }

    // Both marks are fenced by the holder: a node whose lease ran out (another took the mail
    // and may have sent it) changes nothing.

    package func markMailSent(id: String, by node: String, at: String) async throws -> Bool {
        try await writing { db in
            try db.execute(
                sql: """
                    UPDATE mail_outbox SET status = 'sent', sent_at = ?, lease_until = NULL, last_error = NULL,
                      message = X''
                    WHERE id = ? AND status = 'sending' AND claimed_by = ?
                    """,
                arguments: [at, id, node])
            return db.changesCount > 0
        }
    }

    package func markMailFailed(id: String, by node: String, error: String, retryAt: String?) async throws -> Bool {
        try await writing { db in
            try db.execute(
                // A retry of a mail replaced meanwhile is not made: it becomes `superseded`.
                sql: """
                    UPDATE mail_outbox SET
                      status = CASE WHEN ? IS NOT NULL AND superseded_by IS NOT NULL THEN 'superseded' ELSE ? END,
                      last_error = CASE WHEN ? IS NOT NULL AND superseded_by IS NOT NULL
                        THEN 'superseded by ' || superseded_by || ' after: ' || ? ELSE ? END,
                      message = CASE WHEN ? IS NOT NULL AND superseded_by IS NOT NULL THEN x'' ELSE message END,
                      next_attempt_at = COALESCE(?, next_attempt_at), lease_until = NULL
                    WHERE id = ? AND status = 'sending' AND claimed_by = ?
                    """,
                arguments: [
                    retryAt, retryAt == nil ? OutboxStatus.failed.rawValue : OutboxStatus.queued.rawValue, retryAt, error,
                    error, retryAt, retryAt, id, node,
                ])
            return db.changesCount > 0
        }
    }

    package func outbox(status: OutboxStatus?, limit: Int) async throws -> [OutboxMail] {
        try await reading { db in
            var sql = """
                SELECT id, key, kind, session_id, recipient, subject, status, attempts, next_attempt_at, last_error,
                  created_at, sent_at FROM mail_outbox
                """
            var arguments: StatementArguments = []
            if let status {
                sql += " WHERE status = ?"
                arguments += [status.rawValue]
            }
            sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { Self.outboxMail($0, withMessage: false) }
        }
    }

    package func mailKeys(prefix: String) async throws -> Set<String> {
        let end = Self.prefixEnd(prefix)
        return try await reading { db in
            // A range on the key's index (not LIKE: ids hold underscores, its wildcard).
            Set(try String.fetchAll(
                db, sql: "SELECT key FROM mail_outbox WHERE key >= ? AND key < ?", arguments: [prefix, end]))
        }
    }

    /// The first string after every string that begins with `prefix` (its last character
    /// raised by one): keys are ASCII.
    package static func prefixEnd(_ prefix: String) -> String {
        guard let last = prefix.unicodeScalars.last, let next = Unicode.Scalar(last.value + 1) else { return prefix + "\u{10FFFF}" }
        return String(prefix.unicodeScalars.dropLast()) + String(next)
    }

    static func outboxMail(_ row: Row, withMessage: Bool) -> OutboxMail {
        let message: Data? = withMessage ? row["message"] : nil
        return OutboxMail(
            id: row["id"], key: row["key"], kind: row["kind"], session: row["session_id"], recipient: row["recipient"],
            subject: row["subject"], message: message.map { Array($0) } ?? [],
            status: OutboxStatus(rawValue: row["status"]) ?? .queued, attempts: row["attempts"],
            nextAttemptAt: row["next_attempt_at"], lastError: row["last_error"], createdAt: row["created_at"],
            sentAt: row["sent_at"])
    }
}
