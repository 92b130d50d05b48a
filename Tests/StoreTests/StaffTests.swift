import Dialogue
import Foundation
import GRDB
import Testing

@testable import Store

@Suite struct StaffTests {
    /// Kept by the suite instance so the temporary folder outlives every use of the store.
    let fixture: StoreFixture
    var store: SQLiteStore { fixture.store }

    init() throws { fixture = try StoreFixture() }

    @Test func addListAndSignIn() async throws {
        #expect(try store.staffAccounts().isEmpty)
        let (officer, token) = try store.addStaff(name: "Hà", role: .officer)
        #expect(officer.name == "Hà")
        #expect(officer.role == .officer)
        #expect(officer.activeTokens == 1)
        #expect(officer.id.hasPrefix("stf_") && officer.id.count == 20)
        #expect(Timestamp.parse(officer.createdAt) != nil)
        #expect(token.hasPrefix("dst_") && token.count == 4 + 43)
        #expect(token.dropFirst(4).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })

        let (reviewer, reviewerToken) = try store.addStaff(name: "  Bình  ", role: .reviewer)
        #expect(reviewer.name == "Bình")  // trimmed
        #expect(reviewerToken != token)
        #expect(try store.staffAccounts().map(\.name) == ["Bình", "Hà"])

        #expect(try await store.staff(token: token)?.id == officer.id)
        #expect(try await store.staff(token: token)?.role == .officer)
        #expect(try await store.staff(token: reviewerToken)?.id == reviewer.id)
        #expect(try await store.staff(token: "dst_unknown") == nil)
        #expect(try await store.staff(token: "") == nil)
        #expect(try await store.activeStaffIds() == [officer.id, reviewer.id])
    }

    @Test func tokenWorksUntilRevoked() async throws {
        let (account, first) = try store.addStaff(name: "Hà", role: .officer)
        let (again, second) = try store.addStaff(name: "Hà", role: .officer)
        #expect(again.id == account.id)
        #expect(again.activeTokens == 2)
        let (other, otherToken) = try store.addStaff(name: "Lan", role: .reviewer)
        #expect(try await store.staff(token: first)?.id == account.id)
        #expect(try await store.staff(token: second)?.id == account.id)

        #expect(try store.revokeStaff(name: "Hà"))
        // Every token of the account stops at once; other accounts are untouched.
        #expect(try await store.staff(token: first) == nil)
        #expect(try await store.staff(token: second) == nil)
        #expect(try await store.staff(token: otherToken)?.id == other.id)
        #expect(try store.staffAccounts().first { $0.name == "Hà" }?.activeTokens == 0)
        #expect(try await store.activeStaffIds() == [other.id])

        // Revoking again is harmless; an unknown name is reported.
        #expect(try store.revokeStaff(name: "Hà"))
        #expect(try !store.revokeStaff(name: "Nobody"))

        // A new token for a revoked account works, and only it.
        let (_, fresh) = try store.addStaff(name: "Hà", role: .officer)
        #expect(try await store.staff(token: fresh)?.id == account.id)
        #expect(try await store.staff(token: first) == nil)
    }

    @Test func sameNameWithAnotherRoleFails() throws {
        _ = try store.addStaff(name: "Hà", role: .officer)
        #expect {
            _ = try store.addStaff(name: "Hà", role: .reviewer)
        } throws: { error in
            guard case StoreError.conflict = error else { return false }
            return true
        }
        let accounts = try store.staffAccounts()
        #expect(accounts.count == 1)
        #expect(accounts.first?.role == .officer)
        #expect(accounts.first?.activeTokens == 1)
    }

    @Test func onlyStaffRolesAndRealNames() throws {
        for role in [Role.investor, .assistant] {
            #expect(throws: StoreError.self) { _ = try store.addStaff(name: "X", role: role) }
        }
        #expect(throws: StoreError.self) { _ = try store.addStaff(name: "   ", role: .officer) }
        #expect(throws: StoreError.self) { _ = try store.addStaff(name: "", role: .officer) }
        #expect(try store.staffAccounts().isEmpty)
    }

    @Test func onlyAHashOfTheTokenIsStored() async throws {
        var tokens: [String] = []
        for i in 0..<5 {
            tokens.append(try store.addStaff(name: "staff \(i)", role: i == 0 ? .officer : .reviewer).token)
        }
        _ = try store.revokeStaff(name: "staff 1")
        let stored = try await store.pool.read { db in try Data.fetchAll(db, sql: "SELECT token_hash FROM staff_tokens")
        }
        #expect(Set(stored) == Set(tokens.map(SecretToken.digest)))
        #expect(stored.allSatisfy { $0.count == 32 })

        // Neither the token nor its random part is anywhere in the files: main database,
        // write-ahead log, shared memory; before and after a checkpoint.
        func assertAbsent() throws {
            for (path, bytes) in try store.fileBytes() {
                for token in tokens {
                    #expect(bytes.range(of: Data(token.utf8)) == nil, "token in \(path)")
                    #expect(bytes.range(of: Data(token.dropFirst(4).utf8)) == nil, "token in \(path)")
                }
            }
        }
        try assertAbsent()
        try store.checkpoint()
        try assertAbsent()
    }
}
