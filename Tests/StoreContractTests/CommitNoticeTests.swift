import Dialogue
import Foundation
import PostgresStore
import Store
import Testing

/// What a node hears of another node's commits on PostgreSQL: the session, the seq range
/// and, when they fit in a NOTIFY, the stored bodies themselves; never its own commits.
@Suite struct CommitNoticeTests {
    /// A translation notice names whether its event is a draft; a previous-version node's
    /// notice (no draft part) still counts during a rolling upgrade, as not a draft.
    @Test func translationNoticesOfThisAndThePreviousVersionAreRead() {
        #expect(
            PostgresStore.translationNotice("b:ses_1:7:ja:1", ignoring: "a")
                == .translated(session: "ses_1", seq: 7, language: "ja", officersOnly: true))
        #expect(
            PostgresStore.translationNotice("b:ses_1:7:ja", ignoring: "a")
                == .translated(session: "ses_1", seq: 7, language: "ja", officersOnly: false))
        #expect(PostgresStore.translationNotice("a:ses_1:7:ja:0", ignoring: "a") == nil)
        #expect(PostgresStore.translationNotice("b:ses_1:x:ja:0", ignoring: "a") == nil)
    }

    /// A redaction notice names the seq and whether it is a draft; a node's own are skipped.
    @Test func redactionNoticesAreRead() {
        #expect(
            PostgresStore.redactionNotice("b:ses_1:7:1", ignoring: "a")
                == .redacted(session: "ses_1", seq: 7, officersOnly: true))
        #expect(
            PostgresStore.redactionNotice("b:ses_1:7:0", ignoring: "a")
                == .redacted(session: "ses_1", seq: 7, officersOnly: false))
        #expect(PostgresStore.redactionNotice("a:ses_1:7:0", ignoring: "a") == nil)
        #expect(PostgresStore.redactionNotice("b:ses_1:x:0", ignoring: "a") == nil)
    }

    /// A schedule notice names the session; a node's own are skipped.
    @Test func scheduleNoticesAreRead() {
        #expect(PostgresStore.scheduleNotice("b:ses_1", ignoring: "a") == .replanned("ses_1"))
        #expect(PostgresStore.scheduleNotice("a:ses_1", ignoring: "a") == nil)
        #expect(PostgresStore.scheduleNotice("b:", ignoring: "a") == nil)
    }

    /// Moving, opening and cancelling a meeting is told to the other nodes, and a refused
    /// change (not scheduled any more) is not.
    @Test func movesOpeningsAndCancellationsAreAnnounced() async throws {
        let url = try await Backend.freshPostgresDatabase()
        let (a, b) = (try await PostgresStore.open(url: url), try await PostgresStore.open(url: url))
        defer { a.close(); b.close() }
        var heardByB = try #require(b.commitNotices()).makeAsyncIterator()
        try await Task.sleep(for: .milliseconds(300))  // listening
        for id in ["ses_move", "ses_open", "ses_off"] {
            try await a.createSession(
                ScheduleAndOutboxContractTests.scheduled(id, starts: "2027-01-15T02:00:00Z", ends: "2027-01-15T03:00:00Z"))
        }
        _ = try await a.reschedule(
            session: "ses_move", startsAt: "2027-01-16T02:00:00Z", endsAt: "2027-01-16T03:00:00Z", timeZone: nil,
            plannedAt: "2027-01-01T00:00:00Z")
        _ = try await a.openSession("ses_open")
        await #expect(throws: StoreError.self) { _ = try await a.cancelSession("ses_open", at: "2027-01-10T00:00:00Z") }
        _ = try await a.cancelSession("ses_off", at: "2027-01-10T00:00:00Z")
        var heard: [CommitNotice] = []
        while heard.count < 3, let next = await heardByB.next() {
            if case .replanned = next { heard.append(next) }
        }
        #expect(heard == [.replanned("ses_move"), .replanned("ses_open"), .replanned("ses_off")])
    }

    @Test func anotherNodesCommitsArriveWithTheirBodiesAndOwnOnesDoNot() async throws {
        let url = try await Backend.freshPostgresDatabase()
        let (a, b) = (try await PostgresStore.open(url: url), try await PostgresStore.open(url: url))
        defer { a.close(); b.close() }
        var heardByB = try #require(b.commitNotices()).makeAsyncIterator()
        var heardByA = try #require(a.commitNotices()).makeAsyncIterator()
        try await Task.sleep(for: .milliseconds(300))  // listening
        var state = try await StoreContractTests.live(a, "ses_a")
        var events = [try #require(try state.join(StoreContractTests.investor, at: StoreContractTests.at(1)))]
        events.append(
            try StoreContractTests.message(
                &state, StoreContractTests.investor, "Khu kinh tế Vân Đồn\ncó cảng biển", clientId: "c1", step: 2))
        // Larger than a NOTIFY payload may be: announced without its body (read back).
        let long = String(repeating: "Cảng Cái Lân, KCN Việt Hưng. ", count: 400)
        events.append(try StoreContractTests.message(&state, StoreContractTests.investor, long, clientId: "c2", step: 3))
        let results = try await StoreContractTests.commit(events, with: a.writer)
        #expect(results.allSatisfy { $0.failed.isEmpty })
        let stored = try await a.storedFrames(session: "ses_a", after: 0, limit: 10)

        var notices: [CommitNotice] = []
        while notices.count < results.count, let next = await heardByB.next() { notices.append(next) }
        var delivered: [Int64: [UInt8]] = [:]
        for notice in notices {
            guard case .committed(let session, let first, let through, let bodies) = notice else {
                Issue.record("unexpected notice \(notice)")
                continue
            }
            #expect(session == "ses_a")
            #expect(bodies.count <= Int(through - first + 1))
            for (seq, body) in zip(first..., bodies) { delivered[seq] = body }
        }
        // The bodies are the stored bytes (the message's newline is escaped in canonical JSON).
        #expect(delivered[1] == stored[0].canonical && delivered[2] == stored[1].canonical)
        #expect(delivered[3] == nil, "the long message does not fit a notice: it is read back")
        // Node a hears nothing of its own commits: the next thing it hears is b's.
        var bState = try await StoreContractTests.live(b, "ses_b")
        let bEvent = try #require(try bState.join(StoreContractTests.officer, at: StoreContractTests.at(4)))
        _ = try await StoreContractTests.commit([bEvent], with: b.writer)
        guard case .committed(let session, _, _, _) = await heardByA.next() else {
            Issue.record("node a heard no commit")
            return
        }
        #expect(session == "ses_b")
    }

    /// A stored translation is announced to the other nodes, saying whether its event is a
    /// draft; one that was not stored (a machine's after a person's) is not.
    @Test func storedTranslationsAreAnnouncedWithWhetherTheEventIsADraft() async throws {
        let url = try await Backend.freshPostgresDatabase()
        let (a, b) = (try await PostgresStore.open(url: url), try await PostgresStore.open(url: url))
        defer { a.close(); b.close() }
        var heardByB = try #require(b.commitNotices()).makeAsyncIterator()
        try await Task.sleep(for: .milliseconds(300))  // listening
        var state = try await StoreContractTests.live(a, "ses_a")
        let joined = try #require(try state.join(StoreContractTests.officer, at: StoreContractTests.at(1)))
        let draft = try state.assistantEvent(
            .draft, by: SessionState.assistant(name: "Trợ lý", language: "vi"),
            fields: ["about": 1, "text": "Bản nháp", "language": "vi"], at: StoreContractTests.at(2))
        let said = try StoreContractTests.message(
            &state, StoreContractTests.officer, "Tham gia", clientId: "t", step: 3)
        _ = try await StoreContractTests.commit([joined, draft, said], with: a.writer)
        let by = TranslationAuthor(id: "stf_lan", name: "Lan", role: "interpreter")
        #expect(
            try await a.saveTranslation(
                StoredTranslation(
                    session: "ses_a", seq: 2, language: "ja", text: "下書き", engine: "human", glossaryVersion: nil,
                    glossaryOk: true, by: by)))
        #expect(
            try await !a.saveTranslation(
                StoredTranslation(
                    session: "ses_a", seq: 2, language: "ja", text: "machine", engine: "libretranslate",
                    glossaryVersion: nil, glossaryOk: true)))
        #expect(
            try await a.saveTranslation(
                StoredTranslation(
                    session: "ses_a", seq: 3, language: "ja", text: "参加", engine: "libretranslate",
                    glossaryVersion: nil, glossaryOk: true)))
        var heard: [CommitNotice] = []
        while heard.count < 2, let next = await heardByB.next() {
            if case .translated = next { heard.append(next) }
        }
        #expect(
            heard == [
                .translated(session: "ses_a", seq: 2, language: "ja", officersOnly: true),
                .translated(session: "ses_a", seq: 3, language: "ja", officersOnly: false),
            ])
    }
}
