import Dialogue
import Foundation
import GRDB

/// The rows of a store that its public reads do not give back as they are stored (token and
/// invite-code hashes, the audit log, every glossary version, translations, redactions), for moving a
/// deployment to another store (`migrate-store`). Sessions' events, participants, signed
/// heads and notes are read per session through the store protocol.
package struct StoreRows: Sendable {
    package struct Staff: Sendable {
        package var id, name, role, createdAt: String
    }
    package struct Token: Sendable {
        package var hash: [UInt8]
        package var staffId, createdAt: String
        package var revokedAt: String?
    }
    package struct InviteRow: Sendable {
        package var invite: Invite
        package var codeHash: [UInt8]
    }
    package struct Audit: Sendable {
        package var at, actor, action: String
        package var session: String?
        package var detail: String
    }

    package var staff: [Staff] = []
    package var tokens: [Token] = []
    package var invites: [InviteRow] = []
    package var audit: [Audit] = []
    package var glossaries: [StoredGlossary] = []
    package var translations: [StoredTranslation] = []
    /// Who redacted what, when and why, and each session's retention marker (without it a
    /// retained session would be due again).
    package var redactions: [RedactionRecord] = []
    /// The mail outbox, messages (sealed) and all: what was sent stays known (no reminder
    /// twice), what waits is sent by the new store's nodes.
    package var outbox: [OutboxRow] = []
    /// Investors' meeting requests, answered or not.
    package var requests: [MeetingRequest] = []
    /// Uploaded documents, every version.
    package var documents: [UploadedDocument] = []
    /// Survey answers with their signed records.
    package var surveys: [SurveyResponse] = []
    /// Shared files and their bytes (held in memory for the copy: at most 20 MiB each).
    package var attachments: [(StoredAttachment, [UInt8])] = []

    package struct OutboxRow: Sendable {
        package var mail: OutboxMail
        package var leaseUntil, claimedBy, supersededBy: String?
    }
}

extension SQLiteStore {
    /// Every row `StoreRows` holds, read in one transaction.
    package func exportRows() throws -> StoreRows {
        try pool.read { db in
            var rows = StoreRows()
            rows.staff = try Row.fetchAll(db, sql: "SELECT id, name, role, created_at FROM staff ORDER BY created_at, id")
                .map { StoreRows.Staff(id: $0[0], name: $0[1], role: $0[2], createdAt: $0[3]) }
            rows.tokens = try Row.fetchAll(
                db, sql: "SELECT token_hash, staff_id, created_at, revoked_at FROM staff_tokens ORDER BY created_at"
            ).map { row in
                let hash: Data = row[0]
                return StoreRows.Token(hash: Array(hash), staffId: row[1], createdAt: row[2], revokedAt: row[3])
            }
            rows.invites = try Row.fetchAll(db, sql: "SELECT * FROM invites ORDER BY created_at, id").map { row in
                let hash: Data = row["code_hash"]
                return StoreRows.InviteRow(invite: Self.invite(row), codeHash: Array(hash))
            }
            rows.audit = try Row.fetchAll(
                db, sql: "SELECT at, actor, action, session_id, detail FROM audit_log ORDER BY id"
            ).map { StoreRows.Audit(at: $0[0], actor: $0[1], action: $0[2], session: $0[3], detail: $0[4]) }
            rows.glossaries = try Row.fetchAll(db, sql: "SELECT * FROM glossary_versions ORDER BY agent, version").map {
                StoredGlossary(
                    agent: $0["agent"], version: $0["version"], tsv: $0["tsv"], sha256: $0["sha256"],
                    origin: $0["origin"], concepts: $0["concepts"], createdAt: $0["created_at"],
                    createdBy: $0["created_by"])
            }
            rows.translations = try Row.fetchAll(db, sql: "SELECT * FROM translations ORDER BY session_id, seq, language")
                .map(Self.translation)
            rows.redactions = try Row.fetchAll(
                db, sql: "SELECT session_id, seq, scope, actor, reason, at FROM redactions ORDER BY id"
            ).map {
                RedactionRecord(session: $0[0], seq: $0[1], scope: $0[2], actor: $0[3], reason: $0[4], at: $0[5])
            }
            rows.outbox = try Row.fetchAll(db, sql: "SELECT * FROM mail_outbox ORDER BY created_at, id").map { row in
                StoreRows.OutboxRow(
                    mail: Self.outboxMail(row, withMessage: true), leaseUntil: row["lease_until"], claimedBy: row["claimed_by"],
                    supersededBy: row["superseded_by"])
            }
            rows.requests = try Row.fetchAll(db, sql: "SELECT * FROM meeting_requests ORDER BY created_at, id")
                .map(Self.meetingRequest)
            rows.documents = try Row.fetchAll(db, sql: "SELECT * FROM uploaded_documents ORDER BY agent, id, version")
                .map(Self.uploadedDocument)
            rows.surveys = try Row.fetchAll(db, sql: "SELECT * FROM survey_responses ORDER BY submitted_at, invite_id")
                .map(Self.surveyResponse)
            rows.attachments = try Row.fetchAll(db, sql: "SELECT * FROM attachments ORDER BY created_at, id").map { row in
                let data: Data = row["data"]
                return (Self.storedAttachment(row), Array(data))
            }
            return rows
        }
    }
}
