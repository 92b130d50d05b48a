import Dialogue
import Foundation
import PostgresNIO
import Store
import HashChain

/// Filling an empty PostgreSQL store from another store (`migrate-store`): events go through
/// the writer's own statement with their stored bytes and hashes, so the tables it keeps
/// beside them (heads, clientIds, participants) come out as they would have.
extension PostgresStore {
    /// Whether the database holds no session and no staff account yet.
    package func isEmpty() async throws -> Bool {
        let counts = try await rows("SELECT (SELECT COUNT(*) FROM sessions) + (SELECT COUNT(*) FROM staff)")
        return try counts.first?.decode(Int64.self) == 0
    }

    /// Copies one session in one transaction: its settings, its events as stored, its signed
    /// head and its notes.
    package func importSession(
        _ info: SessionInfo, events: [StoredEvent], head: SignedHeadRecord?, notes: [Note]
    ) async throws {
        let logger = logger
        try await transaction { connection in
            try await connection.query(try Self.createSessionQuery(info), logger: logger)
            // The writer's own statement: heads, clientIds and participants come out as they
            // would have, and the chain it links must be the stored one (read back afterwards).
            let query = PostgresEventWriter.appendQuery(
                events.map(\.event), bodies: events.map { String(decoding: $0.storedBody, as: UTF8.self) },
                hashes: events.map { Hex.encode($0.hash) }, salts: events.map(\.salts), node: self.nodeId)
            var stored = 0
            for try await (status, expected) in try await connection.query(query, logger: logger).decode(
                (String, Int64).self)
            {
                guard status == "stored" else {
                    throw StoreError.writeFailed("\(info.id): event refused on import (\(status), expected seq \(expected))")
                }
                stored += 1
            }
            guard stored == events.count else { throw StoreError.writeFailed("\(info.id): \(stored) of \(events.count) events copied") }
            if let head {
                try await connection.query(
                    """
                    INSERT INTO heads (session_id, seq, chain, signature, public_key, signed_at)
                    VALUES (\(head.session), \(head.seq), \(Data(head.chain)), \(Data(head.signature)),
                      \(Data(head.publicKey)), \(head.signedAt))
                    """, logger: logger)
            }
            for note in notes {
                try await connection.query(
                    """
                    INSERT INTO notes (session_id, seq, text, author, at)
                    VALUES (\(note.session), \(note.seq), \(note.text), \(note.author), \(note.at))
                    """, logger: logger)
            }
        }
    }

    /// Copies staff, tokens, invites, the audit log, glossary versions, translations,
    /// redactions, the outbox, meeting requests, uploaded documents, survey answers and shared
    /// files in one transaction (after the sessions they refer to).
    package func importRows(_ rows: StoreRows) async throws {
        let logger = logger
        try await transaction { connection in
            for staff in rows.staff {
                try await connection.query(
                    """
                    INSERT INTO staff (id, name, role, created_at)
                    VALUES (\(staff.id), \(staff.name), \(staff.role), \(staff.createdAt))
                    """, logger: logger)
            }
            for token in rows.tokens {
                try await connection.query(
                    """
                    INSERT INTO staff_tokens (token_hash, staff_id, created_at, revoked_at)
                    VALUES (\(Data(token.hash)), \(token.staffId), \(token.createdAt), \(token.revokedAt))
                    """, logger: logger)
            }
            for row in rows.invites {
                let invite = row.invite
                try await connection.query(
                    """
                    INSERT INTO invites (id, session_id, code_hash, name, language, organisation, created_at,
                      expires_at, revoked_at, created_by, email, time_zone, code_sealed, transcript_by_mail, declined_at)
                    VALUES (\(invite.id), \(invite.session), \(Data(row.codeHash)), \(invite.name), \(invite.language),
                      \(invite.organisation), \(invite.createdAt), \(invite.expiresAt), \(invite.revokedAt),
                      \(invite.createdBy), \(invite.email), \(invite.timeZone), \(invite.sealedCode.map { Data($0) }),
                      \(invite.transcriptByMail), \(invite.declinedAt))
                    """, logger: logger)
            }
            for entry in rows.audit {
                try await connection.query(
                    """
                    INSERT INTO audit_log (at, actor, action, session_id, detail)
                    VALUES (\(entry.at), \(entry.actor), \(entry.action), \(entry.session), \(entry.detail))
                    """, logger: logger)
            }
            for glossary in rows.glossaries {
                try await connection.query(
                    """
                    INSERT INTO glossary_versions (agent, version, tsv, sha256, origin, concepts, created_at, created_by)
                    VALUES (\(glossary.agent), \(Int32(glossary.version)), \(glossary.tsv), \(glossary.sha256),
                      \(glossary.origin), \(Int32(glossary.concepts)), \(glossary.createdAt), \(glossary.createdBy))
                    """, logger: logger)
            }
            for translation in rows.translations {
                try await connection.query(
                    """
                    INSERT INTO translations
                      (session_id, seq, language, text, engine, glossary_version, glossary_ok, created_at,
                       by_id, by_name, by_role)
                    VALUES (\(translation.session), \(translation.seq), \(translation.language), \(translation.text),
                      \(translation.engine), \(translation.glossaryVersion.map(Int32.init)), \(translation.glossaryOk),
                      \(translation.at), \(translation.by?.id), \(translation.by?.name), \(translation.by?.role))
                    """, logger: logger)
            }
            for record in rows.redactions {
                try await connection.query(
                    """
                    INSERT INTO redactions (session_id, seq, scope, actor, reason, at)
                    VALUES (\(record.session), \(record.seq), \(record.scope), \(record.actor), \(record.reason),
                      \(record.at))
                    """, logger: logger)
            }
            for row in rows.outbox {
                let mail = row.mail
                try await connection.query(
                    """
                    INSERT INTO mail_outbox (id, key, kind, session_id, recipient, subject, message, status, attempts,
                      next_attempt_at, lease_until, claimed_by, last_error, created_at, sent_at, superseded_by)
                    VALUES (\(mail.id), \(mail.key), \(mail.kind), \(mail.session), \(mail.recipient), \(mail.subject),
                      \(Data(mail.message)), \(mail.status.rawValue), \(Int32(mail.attempts)), \(mail.nextAttemptAt),
                      \(row.leaseUntil), \(row.claimedBy), \(mail.lastError), \(mail.createdAt), \(mail.sentAt),
                      \(row.supersededBy))
                    """, logger: logger)
            }
            for request in rows.requests {
                let slots = JSONWriter.string(.array(request.slots.map { .string($0) }))
                try await connection.query(
                    """
                    INSERT INTO meeting_requests (id, agent, name, organisation, email, language, time_zone, topic, slots,
                      message, status, created_at, decided_at, decided_by, session_id, decline_reason)
                    VALUES (\(request.id), \(request.agent), \(request.name), \(request.organisation), \(request.email),
                      \(request.language), \(request.timeZone), \(request.topic), \(slots), \(request.message),
                      \(request.status.rawValue), \(request.createdAt), \(request.decidedAt), \(request.decidedBy),
                      \(request.session), \(request.declineReason))
                    """, logger: logger)
            }
            for d in rows.documents {
                try await connection.query(
                    """
                    INSERT INTO uploaded_documents (agent, id, version, family, language, title, markdown, status,
                      file_name, file_type, file_size, file_sha256, pages, created_at, created_by, published_at, published_by)
                    VALUES (\(d.agent), \(d.id), \(Int32(d.version)), \(d.family), \(d.language), \(d.title), \(d.markdown),
                      \(d.status.rawValue), \(d.fileName), \(d.fileType), \(Int64(d.fileSize)), \(d.fileSHA256),
                      \(d.pages.map(Int32.init)), \(d.createdAt), \(d.createdBy), \(d.publishedAt), \(d.publishedBy))
                    """, logger: logger)
            }
            for r in rows.surveys {
                try await connection.query(
                    """
                    INSERT INTO survey_responses (invite_id, session_id, language, answers, submitted_at, record, signature)
                    VALUES (\(r.invite), \(r.session), \(r.language), \(r.answers), \(r.submittedAt), \(r.record),
                      \(r.signature))
                    """, logger: logger)
            }
            for (a, data) in rows.attachments {
                try await connection.query(
                    """
                    INSERT INTO attachments (id, session_id, name, type, size, sha256, data, created_at, created_by)
                    VALUES (\(a.id), \(a.session), \(a.name), \(a.type), \(Int64(a.size)), \(a.sha256), \(Data(data)),
                      \(a.createdAt), \(a.createdBy))
                    """, logger: logger)
            }
        }
    }
}
