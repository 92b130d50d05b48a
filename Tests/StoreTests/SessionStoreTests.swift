import Dialogue
import Foundation
import GRDB
import Testing

@testable import Store

@Suite struct SessionStoreTests {
    let fixture: StoreFixture
    var store: SQLiteStore { fixture.store }

    init() throws { fixture = try StoreFixture() }

    @Test func createAndGet() async throws {
        let info = SessionInfo(
            id: "ses_k3v9q2m4x7c1b8n5", title: "Hội thảo \"đầu tư\" Vân Đồn", languages: ["vi", "en", "zh-Hant"],
            agent: "quang-ninh-ipa", assistant: .auto, createdAt: "2026-11-26T04:40:00.000Z", createdBy: "stf_a")
        try await store.createSession(info)
        #expect(try await store.session(id: info.id) == info)
        #expect(try await store.session(id: "ses_missing") == nil)
        // The same id twice is refused.
        await #expect(throws: StoreError.self) { try await store.createSession(info) }
    }

    @Test func listNewestFirstWithFilters() async throws {
        let sessions = [
            StoreFixture.session("ses_a", title: "Hội thảo đầu tư Vân Đồn", createdAt: "2026-11-20T00:00:00.000Z"),
            StoreFixture.session(
                "ses_b", title: "Investor briefing: Van Don", status: .ended, createdAt: "2026-11-22T00:00:00.000Z"),
            StoreFixture.session("ses_c", title: "Quang Ninh logistics Q&A", createdAt: "2026-11-24T00:00:00.000Z"),
            StoreFixture.session(
                "ses_d", title: "Khu kinh tế VÂN ĐỒN", status: .ended, createdAt: "2026-11-26T00:00:00.000Z"),
        ]
        for info in sessions { try await store.createSession(info) }

        func ids(_ q: String?, _ status: SessionStatus?) async throws -> [String] {
            try await store.sessions(matching: q, status: status).map(\.id)
        }
        #expect(try await ids(nil, nil) == ["ses_d", "ses_c", "ses_b", "ses_a"])
        #expect(try await ids("", nil) == ["ses_d", "ses_c", "ses_b", "ses_a"])
        #expect(try await ids(nil, .live) == ["ses_c", "ses_a"])
        #expect(try await ids(nil, .ended) == ["ses_d", "ses_b"])
        #expect(try await ids("van don", nil) == ["ses_b"])
        #expect(try await ids("VAN", .ended) == ["ses_b"])
        #expect(try await ids("q&a", nil) == ["ses_c"])
        #expect(try await ids("%", nil) == [])  // no LIKE wildcards
        #expect(try await ids("_", nil) == [])
        #expect(try await ids("nothing like it", nil) == [])
        #expect(try await ids("Vân Đồn", .live) == ["ses_a"])
        #expect(try await store.sessions(matching: nil, status: .ended).first == sessions[3])
    }

    /// The titles are Vietnamese: "case-insensitive" has to hold beyond ASCII.
    @Test func titleSearchIgnoresCaseOfNonASCIILetters() async throws {
        try await store.createSession(StoreFixture.session("ses_a", title: "Hội thảo đầu tư Vân Đồn"))
        try await store.createSession(StoreFixture.session("ses_d", title: "Khu kinh tế VÂN ĐỒN"))
        #expect(try await store.sessions(matching: "vân đồn", status: nil).map(\.id).sorted() == ["ses_a", "ses_d"])
        #expect(try await store.sessions(matching: "HỘI THẢO", status: nil).map(\.id) == ["ses_a"])
    }

    @Test func sessionIdsOldestFirst() async throws {
        try await store.createSession(StoreFixture.session("ses_b", createdAt: "2026-11-22T00:00:00.000Z"))
        try await store.createSession(StoreFixture.session("ses_a", createdAt: "2026-11-23T00:00:00.000Z"))
        #expect(try store.sessionIds() == ["ses_b", "ses_a"])
    }

    // MARK: Invites

    func invite(_ id: String = "inv_kenji", session: String = "ses_a", expiresAt: String = "2026-12-03T00:00:00.000Z")
        -> Invite
    {
        Invite(
            id: id, session: session, name: "Kenji Sato", language: "en", organisation: "Sato & Partners",
            createdAt: "2026-11-26T00:00:00.000Z", expiresAt: expiresAt, revokedAt: nil, createdBy: "stf_officer")
    }

    @Test func inviteLookupByCode() async throws {
        _ = try await fixture.live("ses_a")
        let code = try await store.createInvite(invite())
        #expect(code.count == 32)
        #expect(code.allSatisfy { "abcdefghijkmnpqrstuvwxyz23456789".contains($0) })
        #expect(try await store.invite(code: code) == invite())
        #expect(try await store.invite(code: code.uppercased()) == nil)
        #expect(try await store.invite(code: String(code.dropLast())) == nil)
        #expect(try await store.invite(code: "") == nil)

        var noOrganisation = invite("inv_marie")
        noOrganisation.organisation = nil
        let second = try await store.createInvite(noOrganisation)
        #expect(second != code)
        #expect(try await store.invite(code: second) == noOrganisation)

        // Only the code's hash is kept.
        let hashes = try await store.pool.read { db in
            try Data.fetchAll(db, sql: "SELECT code_hash FROM invites ORDER BY id")
        }
        #expect(hashes == [SecretToken.digest(code), SecretToken.digest(second)])
        for _ in 0..<2 {
            for (path, bytes) in try store.fileBytes() {
                #expect(bytes.range(of: Data(code.utf8)) == nil, "code in \(path)")
                #expect(bytes.range(of: Data(second.utf8)) == nil, "code in \(path)")
            }
            try store.checkpoint()
        }
    }

    @Test func inviteForAnUnknownSessionIsRefused() async throws {
        await #expect(throws: StoreError.self) { _ = try await store.createInvite(invite(session: "ses_missing")) }
    }

    @Test func revokeInvite() async throws {
        _ = try await fixture.live("ses_a")
        _ = try await fixture.live("ses_b")
        let code = try await store.createInvite(invite())
        #expect(try await !store.revokeInvite(id: "inv_kenji", session: "ses_b"))  // wrong session
        #expect(try await !store.revokeInvite(id: "inv_other", session: "ses_a"))
        #expect(try await store.invite(code: code)?.revokedAt == nil)
        #expect(try await store.revokeInvite(id: "inv_kenji", session: "ses_a"))
        #expect(try await !store.revokeInvite(id: "inv_kenji", session: "ses_a"))  // already revoked
        let revoked = try #require(try await store.invite(code: code))
        #expect(revoked.revokedAt.flatMap(Timestamp.parse) != nil)
        #expect(!revoked.isUsable(nowMilliseconds: Timestamp.parse("2026-11-27T00:00:00Z")!))
    }

    @Test func expiry() throws {
        let expires = try #require(Timestamp.parse("2026-12-03T00:00:00.000Z"))
        let live = invite()
        #expect(live.isUsable(nowMilliseconds: expires - 7 * 86_400_000))
        #expect(live.isUsable(nowMilliseconds: expires - 1))
        #expect(!live.isUsable(nowMilliseconds: expires))
        #expect(!live.isUsable(nowMilliseconds: expires + 1))
        var revoked = live
        revoked.revokedAt = "2026-11-27T00:00:00.000Z"
        #expect(!revoked.isUsable(nowMilliseconds: expires - 1))
        // An unreadable expiry never admits.
        #expect(!invite(expiresAt: "next week").isUsable(nowMilliseconds: 0))
    }
}
