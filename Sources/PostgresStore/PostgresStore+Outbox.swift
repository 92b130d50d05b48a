import Dialogue
import Foundation
import PostgresNIO
import Store

extension PostgresStore {
    package func enqueueMail(_ mail: OutboxMail, supersede: MailFamilies, unlessUnheard: Bool) async throws -> Bool {
        let logger = logger
        return try await transaction { connection in
            var inserted = false
            for try await _ in try await connection.query(
                """
                INSERT INTO mail_outbox (id, key, kind, session_id, recipient, subject, message, status, attempts,
                  next_attempt_at, last_error, created_at, sent_at)
                VALUES (\(mail.id), \(mail.key), \(mail.kind), \(mail.session), \(mail.recipient), \(mail.subject),
                  \(Data(mail.message)), \(mail.status.rawValue), \(Int32(mail.attempts)), \(mail.nextAttemptAt),
                  \(mail.lastError), \(mail.createdAt), \(mail.sentAt))
                ON CONFLICT (key) DO NOTHING RETURNING id
                """, logger: logger
            ) { inserted = true }
            guard inserted, !supersede.families.isEmpty else { return inserted }
            var heard = false
            for family in supersede.families {
                // A range in byte order (COLLATE "C"), not LIKE: ids hold underscores, its wildcard.
                let (from, to) = (family + ":", SQLiteStore.prefixEnd(family + ":"))
                // Replaced first, then looked at: a node's claim that committed meanwhile left its
                // mail `sending` (skipped here), and the second statement sees it, so it counts.
                try await connection.query(
                    """
                    UPDATE mail_outbox SET status = 'superseded', last_error = \("superseded by \(mail.key)"),
                      message = ''::bytea
                    WHERE status = 'queued' AND id <> \(mail.id)
                    AND (key = \(family) OR (key COLLATE "C" >= \(from) AND key COLLATE "C" < \(to)))
                    """, logger: logger)
                // One a node is sending may be on its way: it is left alone, but not tried again.
                try await connection.query(
                    """
                    UPDATE mail_outbox SET superseded_by = \(mail.key)
                    WHERE status = 'sending' AND id <> \(mail.id)
                    AND (key = \(family) OR (key COLLATE "C" >= \(from) AND key COLLATE "C" < \(to)))
                    """, logger: logger)
                for try await _ in try await connection.query(
                    """
                    SELECT 1 FROM mail_outbox WHERE id <> \(mail.id) AND status IN ('sent', 'sending')
                    AND (key = \(family) OR (key COLLATE "C" >= \(from) AND key COLLATE "C" < \(to)))
                    LIMIT 1
                    """, logger: logger
                ) { heard = true }
            }
            if unlessUnheard && !heard {
                try await connection.query(
                    """
                    UPDATE mail_outbox SET status = 'superseded', message = ''::bytea,
                      last_error = \("nothing earlier of this meeting reached \(mail.recipient)") WHERE id = \(mail.id)
                    """, logger: logger)
            }
            return true
        }
    }

    /// One statement: the due rows are locked with SKIP LOCKED, so a node never waits for
    /// another's claim and two nodes never take the same mail.
    package func claimMail(node: String, now: String, leaseUntil: String, limit: Int) async throws -> [OutboxMail] {
        // A mail replaced while its node was sending it, whose node then stopped, is not sent
        // again: it may have gone out, and what replaced it has.
        try await execute(
            """
            UPDATE mail_outbox SET status = 'superseded', message = ''::bytea, lease_until = NULL,
              last_error = 'superseded by ' || superseded_by || ' while its sender stopped'
            WHERE status = 'sending' AND lease_until <= \(now) AND superseded_by IS NOT NULL
            """)
        return try await rows(
            """
            UPDATE mail_outbox SET status = 'sending', claimed_by = \(node), lease_until = \(leaseUntil),
              attempts = attempts + 1
            WHERE id IN (
              SELECT id FROM mail_outbox
              WHERE (status = 'queued' AND next_attempt_at <= \(now)) OR (status = 'sending' AND lease_until <= \(now))
              ORDER BY next_attempt_at, id COLLATE "C" LIMIT \(Int64(limit))
              FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: Self.outboxColumns), message
            """
        ).map { try Self.outboxMail($0, withMessage: true) }
        .sorted { ($0.nextAttemptAt, $0.id) < ($1.nextAttemptAt, $1.id) }
    }

    // Both marks are fenced by the holder: a node whose lease ran out (another took the mail
    // and may have sent it) changes nothing.

    package func markMailSent(id: String, by node: String, at: String) async throws -> Bool {
        try await !rows(
            """
            UPDATE mail_outbox SET status = 'sent', sent_at = \(at), lease_until = NULL, last_error = NULL,
              message = ''::bytea
            WHERE id = \(id) AND status = 'sending' AND claimed_by = \(node) RETURNING id
            """
        ).isEmpty
    }

    package func markMailFailed(id: String, by node: String, error: String, retryAt: String?) async throws -> Bool {
        let status = retryAt == nil ? OutboxStatus.failed.rawValue : OutboxStatus.queued.rawValue
        let retry = retryAt != nil
        // A retry of a mail replaced meanwhile is not made: it becomes `superseded`.
        return try await !rows(
            """
            UPDATE mail_outbox SET
              status = CASE WHEN \(retry) AND superseded_by IS NOT NULL THEN 'superseded' ELSE \(status) END,
              last_error = CASE WHEN \(retry) AND superseded_by IS NOT NULL
                THEN 'superseded by ' || superseded_by || ' after: ' || \(error) ELSE \(error) END,
              message = CASE WHEN \(retry) AND superseded_by IS NOT NULL THEN ''::bytea ELSE message END,
              next_attempt_at = COALESCE(\(retryAt), next_attempt_at), lease_until = NULL
            WHERE id = \(id) AND status = 'sending' AND claimed_by = \(node) RETURNING id
            """
        ).isEmpty
    }

    package func outbox(status: OutboxStatus?, limit: Int) async throws -> [OutboxMail] {
        let query: PostgresQuery
        if let status {
            query = """
                SELECT \(unescaped: Self.outboxColumns) FROM mail_outbox WHERE status = \(status.rawValue)
                ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT \(Int64(limit))
                """
        } else {
            query = """
                SELECT \(unescaped: Self.outboxColumns) FROM mail_outbox
                ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT \(Int64(limit))
                """
        }
        return try await rows(query).map { try Self.outboxMail($0, withMessage: false) }
    }

    package func mailKeys(prefix: String) async throws -> Set<String> {
        // A range in byte order (COLLATE "C"), not LIKE: ids hold underscores, its wildcard.
        let end = SQLiteStore.prefixEnd(prefix)
        return Set(try await rows(
            "SELECT key FROM mail_outbox WHERE key COLLATE \"C\" >= \(prefix) AND key COLLATE \"C\" < \(end)"
        ).map { try $0.decode(String.self) })
    }

    static let outboxColumns = """
        id, key, kind, session_id, recipient, subject, status, attempts, next_attempt_at, last_error, created_at, \
        sent_at
        """

    static func outboxMail(_ row: PostgresRow, withMessage: Bool) throws -> OutboxMail {
        let (id, key, kind, session, recipient, subject, status, attempts, nextAttemptAt, lastError, createdAt, sentAt) =
            try row.decode(
                (String, String, String, String?, String, String, String, Int32, String, String?, String, String?).self)
        var message: [UInt8] = []
        if withMessage {
            let columns = row.makeRandomAccess()
            if columns.contains("message") { message = Array(try columns["message"].decode(Data.self)) }
        }
        return OutboxMail(
            id: id, key: key, kind: kind, session: session, recipient: recipient, subject: subject, message: message,
            status: OutboxStatus(rawValue: status) ?? .queued, attempts: Int(attempts), nextAttemptAt: nextAttemptAt,
            lastError: lastError, createdAt: createdAt, sentAt: sentAt)
    }
}
