import Dialogue
import Foundation
import GRDB

extension SQLiteStore {
    package func addStaff(name: String, role: Role) throws -> (StaffAccount, token: String) {
        guard role.isStaff else { throw StoreError.conflict("staff role must be officer, reviewer or interpreter") }
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw StoreError.conflict("staff name must not be empty") }
        let token = SecretToken.staffToken()
        let now = Timestamp.now()
        do {
            try pool.write { db in
                var id = try String.fetchOne(db, sql: "SELECT id FROM staff WHERE name = ?", arguments: [trimmed])
                if let id {
                    let existing = try String.fetchOne(db, sql: "SELECT role FROM staff WHERE id = ?", arguments: [id])
                    guard existing == role.rawValue else {
                        throw StoreError.conflict("staff \(trimmed) exists with role \(existing ?? "?")")
                    }
                } else {
                    id = SecretToken.identifier(prefix: "stf")
                    try db.execute(
                        sql: "INSERT INTO staff (id, name, role, created_at) VALUES (?, ?, ?, ?)",
                        arguments: [id, trimmed, role.rawValue, now])
                }
                try db.execute(
                    sql: "INSERT INTO staff_tokens (token_hash, staff_id, created_at) VALUES (?, ?, ?)",
                    arguments: [SecretToken.digest(token), id, now])
            }
        } catch let error as StoreError { throw error } catch { throw StoreError.writeFailed("\(error)") }
        guard let account = try staffAccounts().first(where: { $0.name == trimmed }) else {
            throw StoreError.notFound("staff \(trimmed)")
        }
        return (account, token)
    }

    package func revokeStaff(name: String) throws -> Bool {
        let now = Timestamp.now()
        return try pool.write { db in
            guard let id = try String.fetchOne(db, sql: "SELECT id FROM staff WHERE name = ?", arguments: [name]) else {
                return false
            }
            try db.execute(
                sql: "UPDATE staff_tokens SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL",
                arguments: [now, id])
            return true
        }
    }

    package func staffAccounts() throws -> [StaffAccount] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.id, s.name, s.role, s.created_at,
                      (SELECT COUNT(*) FROM staff_tokens t WHERE t.staff_id = s.id AND t.revoked_at IS NULL) AS active
                    FROM staff s ORDER BY s.name
                    """
            ).map(Self.staffAccount)
        }
    }

    package func staff(token: String) async throws -> StaffAccount? {
        let digest = SecretToken.digest(token)
        return try await reading { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT s.id, s.name, s.role, s.created_at, 1 AS active
                    FROM staff_tokens t JOIN staff s ON s.id = t.staff_id
                    WHERE t.token_hash = ? AND t.revoked_at IS NULL
                    """, arguments: [digest]
            ).map(Self.staffAccount)
        }
    }

    package func activeStaffIds() async throws -> Set<String> {
        try await reading { db in
            Set(try String.fetchAll(db, sql: "SELECT DISTINCT staff_id FROM staff_tokens WHERE revoked_at IS NULL"))
        }
    }

    static func staffAccount(_ row: Row) -> StaffAccount {
        StaffAccount(
            id: row["id"], name: row["name"], role: Role(rawValue: row["role"]) ?? .reviewer,
            createdAt: row["created_at"], activeTokens: row["active"])
    }
}
