import Foundation
import PostgresStore
import Store
import Testing

/// The presence board two nodes share on PostgreSQL: each sees the other's people, a node
/// that stops beating is forgotten with its rows, and a clean stop is announced at once.
@Suite struct PresenceBoardTests {
    static let kenji = PresenceKey(session: "ses_a", participant: "inv_kenji")
    static let marie = PresenceKey(session: "ses_a", participant: "inv_marie")
    static let officer = PresenceKey(session: "ses_b", participant: "stf_ha")

    @Test func eachNodeSeesTheOthersPeopleAndHearsOfChanges() async throws {
        let url = try await Backend.freshPostgresDatabase()
        let (a, b) = (try await PostgresStore.open(url: url), try await PostgresStore.open(url: url))
        defer { a.close(); b.close() }
        #expect(try await a.beat(timeout: .seconds(30)))  // new: nothing of its own to rewrite yet
        #expect(try await !a.beat(timeout: .seconds(30)))
        _ = try await b.beat(timeout: .seconds(30))
        var heard = try #require(b.commitNotices()).makeAsyncIterator()
        try await Task.sleep(for: .milliseconds(300))  // listening
        try await a.publish([
            PresenceChange(Self.kenji, online: true), PresenceChange(Self.marie, online: true),
            PresenceChange(Self.marie, online: false), PresenceChange(Self.officer, online: true),
        ])
        #expect(try await b.onlineElsewhere() == ["ses_a": ["inv_kenji": [a.nodeId]], "ses_b": ["stf_ha": [a.nodeId]]])
        #expect(try await a.onlineElsewhere().isEmpty)  // a node never counts itself
        // Only each key's last change is announced (marie: offline), in first-seen order.
        var notices: [CommitNotice] = []
        while notices.count < 3, let next = await heard.next() { notices.append(next) }
        #expect(
            notices == [
                .presence(Self.kenji, node: a.nodeId, online: true), .presence(Self.marie, node: a.nodeId, online: false),
                .presence(Self.officer, node: a.nodeId, online: true),
            ])
        // Rewriting its rows replaces them whole.
        try await a.replaceOwn([Self.marie])
        #expect(try await b.onlineElsewhere() == ["ses_a": ["inv_marie": [a.nodeId]]])
        // A clean stop: rows gone, and the other node hears of it.
        try await a.leave()
        #expect(try await b.onlineElsewhere().isEmpty)
        #expect(await heard.next() == .nodeGone(a.nodeId))
    }

    @Test func aNodeSilentPastItsOwnTimeoutIsForgottenAndRewritesItsRowsWhenBack() async throws {
        let url = try await Backend.freshPostgresDatabase()
        let (a, b) = (try await PostgresStore.open(url: url), try await PostgresStore.open(url: url))
        defer { a.close(); b.close() }
        _ = try await a.beat(timeout: .seconds(1))  // a may stay silent 1 s
        _ = try await b.beat(timeout: .seconds(30))
        try await a.publish([PresenceChange(Self.kenji, online: true)])
        #expect(try await b.onlineElsewhere() == ["ses_a": ["inv_kenji": [a.nodeId]]])
        // Not yet silent for its 1 s: still there.
        #expect(try await !b.beat(timeout: .seconds(30)))
        #expect(try await b.onlineElsewhere() == ["ses_a": ["inv_kenji": [a.nodeId]]])
        // a falls silent past its own 1 s; b's next beat forgets it and its rows (b's own
        // 30 s does not matter: each node is judged by the timeout it announced).
        try await Task.sleep(for: .milliseconds(1_300))
        #expect(try await !b.beat(timeout: .seconds(30)))
        #expect(try await b.onlineElsewhere().isEmpty)
        // a comes back: its beat says it had been forgotten, so it rewrites its rows.
        #expect(try await a.beat(timeout: .seconds(30)))
        try await a.replaceOwn([Self.kenji])
        #expect(try await b.onlineElsewhere() == ["ses_a": ["inv_kenji": [a.nodeId]]])
    }
}
