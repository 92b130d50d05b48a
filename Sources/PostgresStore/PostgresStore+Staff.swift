import Dialogue
import Foundation
import PostgresNIO
import Store

extension PostgresStore {
    package func addStaff(name: String, role: Role) async throws -> (StaffAccount, token: String) {
        guard role.isStaff else { throw StoreError.conflict("staff role must be officer, reviewer or interpreter") }
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw StoreError.conflict("staff name must not be empty") }
        let token = SecretToken.staffToken()
        let now = Timestamp.now()
        let newId = SecretToken.identifier(prefix: "stf")
        let logger = logger
        try await transaction { connection in
            var existing: (String, String)?
            for try await row in try await connection.query(
                "SELECT id, role FROM staff WHERE name = \(trimmed) FOR UPDATE", logger: logger
            ).decode((String, String).self) {
                existing = row
            }
            let id: String
            if let (found, foundRole) = existing {
                guard foundRole == role.rawValue else {
                    throw StoreError.conflict("staff \(trimmed) exists with role \(foundRole)")
                }
                id = found
            } else {
                id = newId
                try await connection.query(
                    "INSERT INTO staff (id, name, role, created_at) VALUES (\(id), \(trimmed), \(role.rawValue), \(now))",
                    logger: logger)
            }
            try await connection.query(
                """
                INSERT INTO staff_tokens (token_hash, staff_id, created_at)
                VALUES (\(SecretToken.digest(token)), \(id), \(now))
                """, logger: logger)
        }
        guard let account = try await staffAccounts().first(where: { $0.name == trimmed }) else {
            throw StoreError.notFound("staff \(trimmed)")
        }
        return (account, token)
    }

    package func revokeStaff(name: String) async throws -> Bool {
        let now = Timestamp.now()
        let found = try await rows("SELECT id FROM staff WHERE name = \(name)")
        guard let id = try found.first?.decode(String.self) else { return false }
        try await execute("UPDATE staff_tokens SET revoked_at = \(now) WHERE staff_id = \(id) AND revoked_at IS NULL")
        return true
    }

    package func staffAccounts() async throws -> [StaffAccount] {
        try await rows(
            """
            SELECT s.id, s.name, s.role, s.created_at,
              (SELECT COUNT(*) FROM staff_tokens t WHERE t.staff_id = s.id AND t.revoked_at IS NULL)::INTEGER
            FROM staff s ORDER BY s.name COLLATE "C"
            """
        ).map(Self.staffAccount)
    }

    package func staff(token: String) async throws -> StaffAccount? {
        try await rows(
            """
            SELECT s.id, s.name, s.role, s.created_at, 1
            FROM staff_tokens t JOIN staff s ON s.id = t.staff_id
            WHERE t.token_hash = \(SecretToken.digest(token)) AND t.revoked_at IS NULL
            """
        ).first.map(Self.staffAccount)
    }

    package func activeStaffIds() async throws -> Set<String> {
        Set(
            try await rows("SELECT DISTINCT staff_id FROM staff_tokens WHERE revoked_at IS NULL").map {
                try $0.decode(String.self)
            })
    }

    static func staffAccount(_ row: PostgresRow) throws -> StaffAccount {
        let (id, name, role, createdAt, active) = try row.decode((String, String, String, String, Int32).self)
        return StaffAccount(
            id: id, name: name, role: Role(rawValue: role) ?? .reviewer, createdAt: createdAt, activeTokens: Int(active))
    }

    // MARK: Invites

    package func createInvite(_ invite: Invite) async throws -> String {
        let code = SecretToken.inviteCode()
        try await execute(
            """
            INSERT INTO invites (id, session_id, code_hash, name, language, organisation, created_at, expires_at,
              revoked_at, created_by, email, time_zone, transcript_by_mail)
            VALUES (\(invite.id), \(invite.session), \(SecretToken.digest(code)), \(invite.name), \(invite.language),
              \(invite.organisation), \(invite.createdAt), \(invite.expiresAt), NULL, \(invite.createdBy),
              \(invite.email), \(invite.timeZone), \(invite.transcriptByMail))
            """)
        return code
    }

    package func invite(code: String) async throws -> Invite? {
        try await rows("SELECT \(unescaped: Self.inviteColumns) FROM invites WHERE code_hash = \(SecretToken.digest(code))")
            .first.map(Self.invite)
    }

    package func invites(session: String) async throws -> [Invite] {
        try await rows(
            """
            SELECT \(unescaped: Self.inviteColumns) FROM invites WHERE session_id = \(session)
            ORDER BY created_at DESC, id COLLATE "C"
            """
        ).map(Self.invite)
    }

    package func revokeInvite(id: String, session: String) async throws -> Bool {
        let now = Timestamp.now()
        // The notice goes out with the update, in one statement: every node closes the
        // invite's connections when the revocation commits, not at their next sign-in.
        return try await !rows(
            """
            WITH revoked AS (
                UPDATE invites SET revoked_at = \(now) WHERE id = \(id) AND session_id = \(session) AND revoked_at IS NULL
                RETURNING id)
            SELECT id, pg_notify(\(Self.inviteChannel), \(nodeId) || ':' || id) FROM revoked
            """
        ).isEmpty
    }

    package func answerInvite(id: String, email: String?, transcriptByMail: Bool, declinedAt: String?) async throws
        -> Invite?
    {
        try await rows(
            """
            UPDATE invites SET email = COALESCE(email, \(email)), transcript_by_mail = \(transcriptByMail),
              declined_at = \(declinedAt)
            WHERE id = \(id) AND revoked_at IS NULL
            RETURNING \(unescaped: Self.inviteColumns)
            """
        ).first.map(Self.invite)
    }

    static let inviteColumns =
        "id, session_id, name, language, organisation, created_at, expires_at, revoked_at, created_by, email, time_zone, code_sealed, transcript_by_mail, declined_at"

    static func invite(_ row: PostgresRow) throws -> Invite {
        let (
            id, session, name, language, organisation, createdAt, expiresAt, revokedAt, createdBy, email, timeZone, sealed,
            transcriptByMail, declinedAt
        ) = try row.decode(
            (String, String, String, String, String?, String, String, String?, String, String?, String?, Data?, Bool, String?)
                .self)
        return Invite(
            id: id, session: session, name: name, language: language, organisation: organisation,
            createdAt: createdAt, expiresAt: expiresAt, revokedAt: revokedAt, createdBy: createdBy, email: email,
            timeZone: timeZone, sealedCode: sealed.map { Array($0) }, transcriptByMail: transcriptByMail,
            declinedAt: declinedAt)
    }
}
