import Dialogue
import Foundation
import GRDB

extension SQLiteStore {
    package func createInvite(_ invite: Invite) async throws -> String {
        let code = SecretToken.inviteCode()
        let digest = SecretToken.digest(code)
        try await writing { db in
            try db.execute(
                sql: """
                    INSERT INTO invites (id, session_id, code_hash, name, language, organisation, created_at,
                      expires_at, revoked_at, created_by, email, time_zone, transcript_by_mail)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)
                    """,
                arguments: [
                    invite.id, invite.session, digest, invite.name, invite.language, invite.organisation,
                    invite.createdAt, invite.expiresAt, invite.createdBy, invite.email, invite.timeZone,
                    invite.transcriptByMail,
                ])
        }
        return code
    }

    package func invite(code: String) async throws -> Invite? {
        let digest = SecretToken.digest(code)
        return try await reading { db in
            try Row.fetchOne(db, sql: "SELECT * FROM invites WHERE code_hash = ?", arguments: [digest]).map(Self.invite)
        }
    }

    /// A session's invites, newest first (codes are not stored, so none is returned).
    package func invites(session: String) async throws -> [Invite] {
        try await reading { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM invites WHERE session_id = ? ORDER BY created_at DESC, id",
                arguments: [session]
            ).map(Self.invite)
        }
    }

    package func revokeInvite(id: String, session: String) async throws -> Bool {
        let now = Timestamp.now()
        return try await writing { db in
            try db.execute(
                sql: "UPDATE invites SET revoked_at = ? WHERE id = ? AND session_id = ? AND revoked_at IS NULL",
                arguments: [now, id, session])
            return db.changesCount > 0
        }
    }

    package func answerInvite(id: String, email: String?, transcriptByMail: Bool, declinedAt: String?) async throws
        -> Invite?
    {
        try await writing { db in
            try db.execute(
                sql: """
                    UPDATE invites SET email = COALESCE(email, ?), transcript_by_mail = ?, declined_at = ?
                    WHERE id = ? AND revoked_at IS NULL
                    """,
                arguments: [email, transcriptByMail, declinedAt, id])
            guard db.changesCount > 0 else { return nil }
            return try Row.fetchOne(db, sql: "SELECT * FROM invites WHERE id = ?", arguments: [id]).map(Self.invite)
        }
    }

    static func invite(_ row: Row) -> Invite {
        Invite(
            id: row["id"], session: row["session_id"], name: row["name"], language: row["language"],
            organisation: row["organisation"], createdAt: row["created_at"], expiresAt: row["expires_at"],
            revokedAt: row["revoked_at"], createdBy: row["created_by"], email: row["email"],
            timeZone: row["time_zone"], sealedCode: (row["code_sealed"] as Data?).map { Array($0) },
            transcriptByMail: row["transcript_by_mail"], declinedAt: row["declined_at"])
    }
}
