import Dialogue
import Foundation
import GRDB
import Logging
import PostgresNIO
import Synchronization
import Testing
import HashChain

@testable import PostgresStore
@testable import Store

/// The store protocol's contract, one suite for both backends: every test runs on a fresh
/// SQLite file and on a fresh PostgreSQL database. `make test` starts a throwaway
/// PostgreSQL cluster and names it in DIALOGUE_TEST_POSTGRES_URL; without it the PostgreSQL
/// cases fail with that reason (they are not skipped).
@Suite struct StoreContractTests {
    static let backends = [Backend.sqlite, .postgres]

    static let officer = Participant(id: "stf_officer", role: .officer, name: "Trần Thu Hà", language: "vi")
    static let investor = Participant(
        id: "inv_kenji", role: .investor, name: "Kenji Sato", language: "ja", organisation: "Sato & Partners")

    @Test(arguments: backends) func staffAccountsAndTokens(_ backend: Backend) async throws {
        let store = try await backend.open()
        defer { backend.close(store) }
        #expect(try await store.staffAccounts().isEmpty)
        let (officer, token) = try await store.addStaff(name: "Hà", role: .officer)
        let (_, second) = try await store.addStaff(name: "Hà", role: .officer)
        let (reviewer, _) = try await store.addStaff(name: "  Bình  ", role: .reviewer)
        #expect(reviewer.name == "Bình")
        #expect(try await store.staffAccounts().map(\.name) == ["Bình", "Hà"])
        #expect(try await store.staffAccounts().first { $0.name == "Hà" }?.activeTokens == 2)
        #expect(try await store.staff(token: token)?.id == officer.id)
        #expect(try await store.staff(token: second)?.role == .officer)
        await #expect(throws: StoreError.self) { _ = try await store.addStaff(name: "Hà", role: .reviewer) }
        #expect(try await store.activeStaffIds() == [officer.id, reviewer.id])
        #expect(try await store.revokeStaff(name: "Hà"))
        #expect(try await !store.revokeStaff(name: "Nobody"))
        #expect(try await store.staff(token: token) == nil)
        #expect(try await store.activeStaffIds() == [reviewer.id])
    }

    @Test(arguments: backends) func sessionsAndInvites(_ backend: Backend) async throws {
        let store = try await backend.open()
        defer { backend.close(store) }
        let older = Self.session("ses_a", title: "Hội thảo đầu tư Vân Đồn", createdAt: "2026-11-26T04:00:00.000Z")
        let newer = Self.session("ses_b", title: "KCN Sông Khoai", createdAt: "2026-11-26T05:00:00.000Z")
        try await store.createSession(older)
        try await store.createSession(newer)
        #expect(try await store.session(id: "ses_a") == older)
        #expect(try await store.session(id: "nope") == nil)
        #expect(try await store.sessions(matching: nil, status: nil).map(\.id) == ["ses_b", "ses_a"])
        #expect(try await store.sessions(matching: "VÂN ĐỒN", status: nil).map(\.id) == ["ses_a"])
        #expect(try await store.sessions(matching: nil, status: .ended).isEmpty)
        #expect(try await store.sessionIds() == ["ses_a", "ses_b"])

        let invite = Invite(
            id: "inv_kenji", session: "ses_a", name: "Kenji Sato", language: "ja", organisation: "Sato & Partners",
            createdAt: "2026-11-26T04:10:00.000Z", expiresAt: "2026-12-03T04:10:00.000Z", revokedAt: nil,
            createdBy: "stf_officer")
        let code = try await store.createInvite(invite)
        #expect(try await store.invite(code: code) == invite)
        #expect(try await store.invite(code: code + "x") == nil)
        #expect(try await store.invites(session: "ses_a") == [invite])
        #expect(try await store.revokeInvite(id: "inv_kenji", session: "ses_a"))
        #expect(try await !store.revokeInvite(id: "inv_kenji", session: "ses_a"))
        #expect(try await store.invite(code: code)?.revokedAt != nil)
    }

    @Test(arguments: backends) func redactionAndErasureKeepTheChain(_ backend: Backend) async throws {
        let store = try await backend.open()
        defer { backend.close(store) }
        var a = try await Self.live(store, "ses_a")
        _ = try await store.createInvite(
            Invite(
                id: Self.investor.id, session: "ses_a", name: Self.investor.name, language: "ja",
                organisation: Self.investor.organisation, createdAt: Self.at(0), expiresAt: "2099-01-01T00:00:00.000Z",
                revokedAt: nil, createdBy: Self.officer.id))
        let phone = "Gọi tôi số 0912345678"
        var events = [try #require(try a.join(Self.officer, at: Self.at(1)))]
        events.append(try #require(try a.join(Self.investor, at: Self.at(2))))
        events.append(try Self.message(&a, Self.investor, phone, clientId: "p", step: 3))
        events.append(try Self.message(&a, Self.officer, "Cảm ơn", clientId: "o", step: 4))
        events.append(try Self.message(&a, Self.investor, "second", clientId: "q", step: 5))
        _ = try await Self.commit(events, with: store.writer)
        let before = try await store.storedEvents(session: "ses_a")
        try await store.saveTranslation(
            StoredTranslation(
                session: "ses_a", seq: 3, language: "en", text: "Call me on 0912345678", engine: "test",
                glossaryVersion: nil, glossaryOk: true, at: Self.at(6)))

        let record = try await store.redact(
            session: "ses_a", seq: 3, scope: .text, actor: "stf_officer", reason: "phone")
        #expect(record.seq == 3 && record.reason == "phone")
        await #expect(throws: StoreError.self) {
            _ = try await store.redact(session: "ses_a", seq: 99, scope: .text, actor: "x", reason: "r")
        }
        await #expect(throws: StoreError.self) {  // a joined event has no text
            _ = try await store.redact(session: "ses_a", seq: 1, scope: .text, actor: "x", reason: "r")
        }
        var after = try await store.storedEvents(session: "ses_a")
        #expect(after.map(\.hash) == before.map(\.hash) && after.map(\.chain) == before.map(\.chain))
        #expect(after[2].event.text == nil && after[2].salts.text == nil && after[2].salts.person != nil)
        #expect(!String(decoding: after[2].storedBody, as: UTF8.self).contains("0912345678"))
        #expect(after[2].event.body["from"]?["name"]?.stringValue == Self.investor.name)
        #expect(try await store.translations(session: "ses_a", language: nil).isEmpty)
        // A translation that finishes after the redaction (a machine's in flight, a person's)
        // is not stored: the statement itself checks that the event still holds its text.
        for engine in ["libretranslate", "human"] {
            #expect(
                try await !store.saveTranslation(
                    StoredTranslation(
                        session: "ses_a", seq: 3, language: "en", text: "Call me on 0912345678", engine: engine,
                        glossaryVersion: nil, glossaryOk: true, at: Self.at(7))))
        }
        #expect(try await store.translations(session: "ses_a", language: nil).isEmpty)
        #expect(try await store.redactions(session: "ses_a").map(\.seq) == [3])
        for row in after { #expect(HashChain.eventHash(body: row.event.body, salts: row.salts) == row.hash) }

        let erased = try await store.eraseParticipant(invite: Self.investor.id, actor: "cli", reason: "asked")
        #expect(erased.session == "ses_a" && erased.seqs == [2, 3, 5])
        after = try await store.storedEvents(session: "ses_a")
        #expect(after.map(\.hash) == before.map(\.hash))
        for row in after {
            #expect(HashChain.eventHash(body: row.event.body, salts: row.salts) == row.hash)
            let body = String(decoding: row.storedBody, as: UTF8.self)
            #expect(!body.contains(Self.investor.name) && !body.contains("Sato & Partners"))
        }
        #expect(after[4].event.text == nil && after[4].salts == .none)
        #expect(after[3].event.text == "Cảm ơn")
        let participants = try await store.participants(session: "ses_a")
        #expect(participants.first { $0.id == Self.investor.id }?.name == erasedName)
        // The erasure ends the invite.
        #expect(try await store.invites(session: "ses_a").first?.revokedAt != nil)
    }

    /// Retention erases the investors from officers' moderation events too (their
    /// `targetName`), and an event that no longer matches its hash is left and named while
    /// the rest of the session is still cleared.
    @Test(arguments: backends) func retentionClearsModerationAndSkipsADamagedEvent(_ backend: Backend) async throws {
        let store = try await backend.open()
        defer { backend.close(store) }
        var a = try await Self.live(store, "ses_a")
        var events = [try #require(try a.join(Self.officer, at: Self.at(1)))]
        events.append(try #require(try a.join(Self.investor, at: Self.at(2))))
        events.append(try Self.message(&a, Self.investor, "Xin chào", clientId: "p", step: 3))
        events.append(try a.moderate(by: Self.officer, action: "mute", target: Self.investor.id, at: Self.at(4)))
        events.append(try Self.message(&a, Self.officer, "Cảm ơn", clientId: "o", step: 5))
        events.append(try Self.message(&a, Self.officer, "Số 0912345678", clientId: "o2", step: 6))
        _ = try await Self.commit(events, with: store.writer)
        let before = try await store.storedEvents(session: "ses_a")
        #expect(String(decoding: before[3].storedBody, as: UTF8.self).contains(Self.investor.name))

        // Someone edits seq 5 behind the store's back: it no longer matches its hash.
        try await backend.tamper(store, session: "ses_a", seq: 5, replacing: "Cảm ơn", with: "Cám ơn")
        let changed = try await store.clearForRetention(session: "ses_a", actor: "retention")
        #expect(changed == [2, 3, 4, 6])
        let after = try await store.storedEvents(session: "ses_a")
        #expect(after.map(\.hash) == before.map(\.hash))
        for row in after where row.seq != 5 {
            #expect(HashChain.eventHash(body: row.event.body, salts: row.salts) == row.hash)
            let body = String(decoding: row.storedBody, as: UTF8.self)
            #expect(!body.contains(Self.investor.name) && !body.contains("Sato & Partners"), "seq \(row.seq)")
        }
        #expect(after[3].event.body["targetName"] == nil && after[3].event.body["targetNameHash"] != nil)
        #expect(after[5].event.text == nil)
        #expect(after[4].event.text == "Cám ơn", "the damaged event is left as it is, for whoever looks into it")
        let record = try #require(try await store.redactions(session: "ses_a").last)
        #expect(record.scope == "retention" && record.reason.hasSuffix("do not match their hash): 5"))
    }

    @Test(arguments: backends) func eventsCommitInOrderWithTheirChains(_ backend: Backend) async throws {
        let store = try await backend.open()
        defer { backend.close(store) }
        var a = try await Self.live(store, "ses_a")
        var b = try await Self.live(store, "ses_b")
        var events = [try #require(try a.join(Self.officer, at: Self.at(1)))]
        events.append(try #require(try b.join(Self.investor, at: Self.at(2))))
        events.append(try #require(try a.join(Self.investor, at: Self.at(3))))
        for i in 0..<30 {
            events.append(try Self.message(&a, Self.officer, "Khu kinh tế Vân Đồn \(i)", clientId: "a\(i)", step: 4 + i))
            events.append(try Self.message(&b, Self.investor, "工業団地 \(i)", clientId: "b\(i)", step: 4 + i))
        }
        events.append(try a.moderate(by: Self.officer, action: "mute", target: Self.investor.id, at: Self.at(40)))
        events.append(try b.end(by: Self.officer, at: Self.at(41)))

        let results = try await Self.commit(events, with: store.writer)
        #expect(results.flatMap(\.committed) == events)
        #expect(results.allSatisfy { $0.failed.isEmpty })
        for (session, state) in [("ses_a", a), ("ses_b", b)] {
            let stored = try await store.storedEvents(session: session)
            var chain = HashChain.genesis
            for row in stored {
                #expect(row.storedBody == row.event.canonicalBytes)
                // Every new event is version 2: both salts stored, the text's only with a text.
                #expect(row.salts.person?.count == EventSalts.length)
                #expect((row.salts.text != nil) == (row.event.text != nil))
                let hash = HashChain.eventHash(body: row.event.body, salts: row.salts)
                chain = HashChain.link(previous: chain, eventHash: hash)
                #expect(row.hash == hash && row.chain == chain, "chain of \(session) seq \(row.seq)")
            }
            #expect(stored.map(\.seq) == Array(1...state.lastSeq))
            #expect(try await store.loadState(session: session)?.lastSeq == state.lastSeq)
        }
        #expect(try await store.lastSeqs() == ["ses_a": a.lastSeq, "ses_b": b.lastSeq])
        #expect(try await store.events(session: "ses_a", after: 2, limit: 3).map(\.seq) == [3, 4, 5])
        #expect(try await store.storedFrames(session: "ses_b", after: 30, limit: 100).map(\.seq) == [31, 32])
        #expect(try await store.storedFrames(session: "ses_b", after: 31, limit: 1).first?.kind == .ended)
        // Several sessions in one read, each after its own seq, at most `limit` each.
        let several = try await store.storedFrames(after: ["ses_a": 2, "ses_b": 30, "ses_none": 0], limit: 3)
        #expect(several.mapValues { $0.map(\.seq) } == ["ses_a": [3, 4, 5], "ses_b": [31, 32]])
        #expect(several["ses_b"]?.last?.kind == .ended)
        let people = try await store.participants(session: "ses_a")
        #expect(people.map(\.id) == [Self.officer.id, Self.investor.id])
        #expect(people.last?.muted == true)
        #expect(try await store.session(id: "ses_b")?.status == .ended)
        let messages = try await store.events(ofKinds: [.message], agent: "quang-ninh-ipa", limit: 2)
        #expect(messages.count == 2)
    }

    /// Closing commits what the writer holds first; a second close does nothing; a store used
    /// after it was closed throws rather than hangs.
    @Test(.timeLimit(.minutes(1)), arguments: backends) func closingTwiceAndUsingAClosedStoreThrow(
        _ backend: Backend
    ) async throws {
        let store = try await backend.open()
        var state = try await Self.live(store, "ses_c")
        let join = try #require(try state.join(Self.officer, at: Self.at(1)))
        let stream = store.writer.results
        store.writer.start()
        store.writer.submit([join])  // still queued or committing when the store closes
        await store.closeAndWait()
        var results: [CommitResult] = []
        for await result in stream { results.append(result) }  // finished by the close
        #expect(results.flatMap(\.committed) == [join])
        await store.closeAndWait()
        store.close()
        await #expect(throws: (any Error).self) { try await store.staffAccounts() }
        await #expect(throws: (any Error).self) { try await store.createSession(Self.session("ses_d")) }
        // Reopened, the data folder or database holds what was committed before the close.
        if case .sqlite = backend, let closed = store as? SQLiteStore {
            let folder = (closed.path as NSString).deletingLastPathComponent
            let again = try SQLiteStore(dataDirectory: folder)
            defer { again.close() }
            #expect(try await again.events(session: "ses_c", after: 0, limit: 10) == [join])
        }
    }

    @Test(arguments: backends) func gapsAndRepeatedClientIdsAreRefused(_ backend: Backend) async throws {
        let store = try await backend.open()
        defer { backend.close(store) }
        var a = try await Self.live(store, "ses_a")
        let joined = try #require(try a.join(Self.investor, at: Self.at(1)))
        let hello = try Self.message(&a, Self.investor, "こんにちは", clientId: "c1", step: 2)
        let skipped = Event(
            session: "ses_a", seq: 5, kind: .message, at: Self.at(3), from: Self.investor, clientId: "c9",
            fields: ["text": "?", "language": "ja"])
        let replay = Event(
            session: "ses_a", seq: 3, kind: .message, at: Self.at(4), from: Self.investor, clientId: "c1",
            fields: ["text": "こんにちは", "language": "ja"])
        let results = try await Self.commit([joined, hello, skipped, replay], with: store.writer)
        #expect(results.flatMap(\.committed) == [joined, hello])
        let failed = results.flatMap(\.failed)
        #expect(failed.map(\.event) == [skipped, replay])
        #expect(failed.first?.error == .outOfSequence(session: "ses_a", expected: 3, got: 5))
        #expect(try await store.storedEvents(session: "ses_a").map(\.seq) == [1, 2])
    }

    @Test(arguments: backends) func signedCheckpointsAreKeptEach(_ backend: Backend) async throws {
        let store = try await backend.open()
        defer { backend.close(store) }
        var a = try await Self.live(store, "ses_a")
        let joined = try #require(try a.join(Self.officer, at: Self.at(1)))
        _ = try await Self.commit([joined], with: store.writer)
        #expect(try await store.checkpoints(session: "ses_a").isEmpty)
        let stored = try await store.storedEvents(session: "ses_a")
        #expect(
            try await store.chainLinks(session: "ses_a")
                == stored.map { ChainLink(seq: $0.seq, kind: $0.event.kind.rawValue, hash: $0.hash, chain: $0.chain) })
        #expect(try await store.chainLinks(session: "ses_b").isEmpty)
        #expect(
            try await store.chainLinks(session: "ses_a", from: 2)
                == stored.dropFirst().map {
                    ChainLink(seq: $0.seq, kind: $0.event.kind.rawValue, hash: $0.hash, chain: $0.chain)
                })
        #expect(try await store.chainLinks(session: "ses_a", from: Int64(stored.count) + 1).isEmpty)

        let live = CheckpointRecord(
            session: "ses_a", seq: 1, chain: Array(repeating: 7, count: 32), signature: Array(repeating: 9, count: 64),
            keyId: String(repeating: "ab", count: 16), state: "live", signedAt: Self.at(2))
        var final = live
        final.state = "ended"
        final.signedAt = Self.at(3)
        var later = live
        later.seq = 2
        try await store.saveCheckpoint(later)
        try await store.saveCheckpoint(final)
        try await store.saveCheckpoint(live)
        var again = live
        again.signature = Array(repeating: 1, count: 64)
        try await store.saveCheckpoint(again)  // the same (session, seq, state): kept as first stored
        // By seq; at one seq the final head after the checkpoint.
        #expect(try await store.checkpoints(session: "ses_a") == [live, final, later])
        #expect(try await store.checkpoints(session: "ses_a", from: 2) == [later])
        #expect(try await store.checkpoints(session: "ses_a", from: 3).isEmpty)
        #expect(try await store.checkpoints(session: "ses_b").isEmpty)
    }

    @Test(arguments: backends) func headsNotesAuditTranslationsGlossaries(_ backend: Backend) async throws {
        let store = try await backend.open()
        defer { backend.close(store) }
        var a = try await Self.live(store, "ses_a")
        let joined = try #require(try a.join(Self.officer, at: Self.at(1)))
        let said = try Self.message(&a, Self.officer, "Tham gia", clientId: "t", step: 2)
        _ = try await Self.commit([joined, said], with: store.writer)

        let head = SignedHeadRecord(
            session: "ses_a", seq: 1, chain: Array(repeating: 7, count: 32), signature: Array(repeating: 9, count: 64),
            publicKey: Array(repeating: 3, count: 32), signedAt: Self.at(2))
        try await store.saveHead(head)
        var newer = head
        newer.signedAt = Self.at(3)
        try await store.saveHead(newer)
        #expect(try await store.head(session: "ses_a") == newer)
        #expect(try await store.head(session: "ses_b") == nil)

        let note = try await store.addNote(session: "ses_a", seq: 1, text: "Xác nhận", author: "stf_reviewer")
        #expect(try await store.notes(session: "ses_a") == [note])
        await #expect(throws: StoreError.notFound("event 9 of session ses_a")) {
            _ = try await store.addNote(session: "ses_a", seq: 9, text: "?", author: "stf_reviewer")
        }
        try await store.audit(actor: "stf_reviewer", action: "export", session: "ses_a", detail: "json")

        let translation = StoredTranslation(
            session: "ses_a", seq: 2, language: "ja", text: "参加しました", engine: "llm:test", glossaryVersion: 2,
            glossaryOk: true)
        try await store.saveTranslation(translation)
        var replaced = translation
        replaced.text = "参加"
        try await store.saveTranslation(replaced)
        #expect(try await store.translations(session: "ses_a", from: 1, to: 5, language: "ja") == [2: replaced])
        // The joined event has no text: no translation of it is stored.
        var ofJoined = translation
        ofJoined.seq = 1
        #expect(try await !store.saveTranslation(ofJoined))
        #expect(try await store.translations(session: "ses_a", from: 1, to: 5, language: "en").isEmpty)

        let first = try await store.addGlossary(
            agent: "quang-ninh-ipa", tsv: "a", sha256: "h1", origin: "file", concepts: 1, createdBy: "system")
        let second = try await store.addGlossary(
            agent: "quang-ninh-ipa", tsv: "b", sha256: "h2", origin: "api", concepts: 2, createdBy: "stf_officer")
        #expect((first.version, second.version) == (1, 2))
        #expect(try await store.glossary(agent: "quang-ninh-ipa", version: nil) == second)
        #expect(try await store.glossary(agent: "quang-ninh-ipa", version: 1) == first)
        #expect(try await store.lastGlossaryHash(agent: "quang-ninh-ipa", origin: "file") == "h1")
        #expect(try await store.glossary(agent: "other", version: nil) == nil)
    }

    /// One row per event and language: a person's translation replaces a machine's and an
    /// earlier person's; a machine's never replaces a person's (decided in the statement).
    @Test(arguments: backends) func humanTranslationsReplaceMachineOnesNeverTheReverse(_ backend: Backend) async throws {
        let store = try await backend.open()
        defer { backend.close(store) }
        var a = try await Self.live(store, "ses_a")
        _ = try await Self.commit(
            [
                try #require(try a.join(Self.officer, at: Self.at(0))),
                try Self.message(&a, Self.officer, "Xin chào", clientId: "a", step: 0),
                try Self.message(&a, Self.officer, "Cảng biển", clientId: "b", step: 0),
            ], with: store.writer)
        let machine = StoredTranslation(
            session: "ses_a", seq: 3, language: "vi", text: "máy dịch", engine: "libretranslate", glossaryVersion: 1,
            glossaryOk: true, at: Self.at(1))
        let interpreter = TranslationAuthor(id: "stf_lan", name: "Lan", role: "interpreter")
        let human = StoredTranslation(
            session: "ses_a", seq: 3, language: "vi", text: "người dịch", engine: "human", glossaryVersion: 1,
            glossaryOk: false, by: interpreter, at: Self.at(2))
        #expect(try await store.saveTranslation(machine))
        #expect(try await store.saveTranslation(human))
        #expect(try await store.translations(session: "ses_a", from: 1, to: 9, language: "vi") == [3: human])

        var late = machine
        late.at = Self.at(3)
        #expect(try await !store.saveTranslation(late), "a late machine translation is not stored")
        #expect(try await store.translations(session: "ses_a", from: 3, to: 3, language: "vi") == [3: human])

        var corrected = human
        corrected.text = "người dịch, sửa lại"
        corrected.by = TranslationAuthor(id: "stf_ha", name: "Hà", role: "officer")
        corrected.at = Self.at(4)
        #expect(try await store.saveTranslation(corrected))
        let other = StoredTranslation(
            session: "ses_a", seq: 2, language: "en", text: "machine", engine: "llm:m", glossaryVersion: nil,
            glossaryOk: true, at: Self.at(5))
        #expect(try await store.saveTranslation(other))
        #expect(try await store.translations(session: "ses_a", language: nil) == [other, corrected])
        #expect(try await store.translations(session: "ses_a", language: "vi") == [corrected])
        #expect(try await store.translations(session: "ses_b", language: nil).isEmpty)
    }

    // MARK: Helpers

    static func session(_ id: String, title: String = "Hội thảo", createdAt: String = "2026-11-26T04:40:00.000Z")
        -> SessionInfo
    {
        SessionInfo(
            id: id, title: title, status: .live, languages: ["vi", "ja"], agent: "quang-ninh-ipa",
            assistant: .review, createdAt: createdAt, endedAt: nil, createdBy: "stf_officer")
    }

    static func live(_ store: any DialogueStore, _ id: String) async throws -> SessionState {
        let info = session(id)
        try await store.createSession(info)
        return SessionState(info: info)
    }

    static func at(_ n: Int) -> String { Timestamp.format(milliseconds: 1_795_668_000_000 + Int64(n) * 1_000) }

    static func message(_ state: inout SessionState, _ who: Participant, _ text: String, clientId: String, step: Int)
        throws -> Event
    {
        switch try state.say(by: who, text: text, clientId: clientId, language: who.language, citations: nil, at: at(step)) {
        case .append(let event): return event
        case .duplicate(let seq): throw StoreError.conflict("unexpected duplicate of seq \(seq)")
        }
    }

    /// Starts the writer, submits `events` one at a time, and returns every result once all
    /// are accounted for; then stops the writer.
    static func commit(_ events: [Event], with writer: any EventAppender) async throws -> [CommitResult] {
        let stream = writer.results
        writer.start()
        for event in events { writer.submit([event]) }
        var results: [CommitResult] = []
        var seen = 0
        for await result in stream {
            results.append(result)
            seen += result.committed.count + result.failed.count
            if seen >= events.count { break }
        }
        await writer.shutdown()
        return results
    }
}

/// A backend under test.
enum Backend: String, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// A fresh, empty store.
    func open() async throws -> any DialogueStore {
        switch self {
        case .sqlite:
            let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("contract-" + UUID().uuidString)
            return try SQLiteStore(dataDirectory: folder)
        case .postgres:
            return try await PostgresStore.open(url: Self.freshPostgresDatabase())
        }
    }

    /// The URL of a new, empty database of its own in the test cluster.
    static func freshPostgresDatabase() async throws -> String {
        guard let url = ProcessInfo.processInfo.environment["DIALOGUE_TEST_POSTGRES_URL"] else {
            throw StoreError.openFailed(
                path: "DIALOGUE_TEST_POSTGRES_URL",
                reason: "not set: run `make unit-test`, which starts a throwaway PostgreSQL cluster")
        }
        let name = "contract_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let fresh = url.replacingOccurrences(of: "/dialogue", with: "/" + name)
        try await PostgresStore.createDatabase(url: fresh)
        return fresh
    }

    /// Changes one stored body's text in place, as someone with write access to the
    /// database could, leaving its hash as it was.
    func tamper(_ store: any DialogueStore, session: String, seq: Int64, replacing old: String, with new: String)
        async throws
    {
        if let store = store as? SQLiteStore {
            try await store.pool.write { db in
                try db.execute(
                    sql: "UPDATE events SET body = replace(body, ?, ?) WHERE session_id = ? AND seq = ?",
                    arguments: [old, new, session, seq])
            }
        }
        if let store = store as? PostgresStore {
            try await store.execute(
                "UPDATE events SET body = replace(body, \(old), \(new)) WHERE session_id = \(session) AND seq = \(seq)")
        }
    }

    func close(_ store: any DialogueStore) {
        store.close()
        if let store = store as? SQLiteStore {
            try? FileManager.default.removeItem(atPath: (store.path as NSString).deletingLastPathComponent)
        }
    }
}
