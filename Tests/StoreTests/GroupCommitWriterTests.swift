import Dialogue
import Foundation
import GRDB
import Synchronization
import Testing
import HashChain

@testable import Store

@Suite struct GroupCommitWriterTests {
    typealias F = StoreFixture
    let fixture: StoreFixture
    var store: SQLiteStore { fixture.store }

    init() throws { fixture = try StoreFixture() }

    /// Checks the stored rows of `session` against `expected`: same events, same canonical
    /// bytes, and hash and chain recomputed with `HashChain` from genesis.
    func verifyChain(_ session: String, _ expected: [Event], sourceLocation: SourceLocation = #_sourceLocation)
        async throws
    {
        let stored = try await store.storedEvents(session: session)
        #expect(stored.map(\.seq) == expected.map(\.seq), sourceLocation: sourceLocation)
        var chain = HashChain.genesis
        for (row, event) in zip(stored, expected) {
            #expect(row.event == event, sourceLocation: sourceLocation)
            #expect(row.storedBody == event.canonicalBytes, sourceLocation: sourceLocation)
            // Version 2: committed with the salts stored beside the row (fresh for each event).
            #expect(row.salts.person != nil, sourceLocation: sourceLocation)
            let hash = HashChain.eventHash(body: event.body, salts: row.salts)
            chain = HashChain.link(previous: chain, eventHash: hash)
            #expect(row.hash == hash, "hash of seq \(row.seq)", sourceLocation: sourceLocation)
            #expect(row.chain == chain, "chain of seq \(row.seq)", sourceLocation: sourceLocation)
        }
    }

    /// With a handler, every result goes to it, in order, and the stream only ends (the
    /// hub's commit delivery, docs/architecture.md).
    @Test func aResultHandlerTakesEveryResultInOrder() async throws {
        var a = try await fixture.live("ses_a")
        var submitted: [Event] = [try #require(try a.join(F.officer, at: at(1)))]
        for i in 0..<40 { submitted.append(try a.message(F.officer, "m\(i)", clientId: "c\(i)", step: 10 + i)) }
        let writer = store.writer
        let taken = Mutex<[Int64]>([])
        writer.deliverResults { result in taken.withLock { $0 += result.committed.map(\.seq) } }
        let stream = writer.results
        writer.start()
        for event in submitted { writer.submit([event]) }
        await writer.shutdown()
        var streamed = 0
        for await _ in stream { streamed += 1 }
        #expect(streamed == 0, "the stream only ends")
        #expect(taken.withLock { $0 } == submitted.map(\.seq))
        // After the stop, a refusal goes to the handler too (nothing committed).
        let refused = Mutex(0)
        writer.deliverResults { result in refused.withLock { $0 += result.failed.count } }
        writer.submit([try a.message(F.officer, "late", clientId: "late", step: 99)])
        #expect(refused.withLock { $0 } == 1)
        #expect(taken.withLock { $0.count } == submitted.count)
    }

    @Test func interleavedSessionsCommitOnceInOrderWithTheirChains() async throws {
        var a = try await fixture.live("ses_a")
        var b = try await fixture.live("ses_b")
        var submitted: [Event] = []
        submitted.append(try #require(try a.join(F.officer, at: at(1))))
        submitted.append(try #require(try b.join(F.officer, at: at(2))))
        submitted.append(try #require(try a.join(F.investor, at: at(3))))
        submitted.append(try #require(try b.join(F.otherInvestor, at: at(4))))
        for i in 0..<30 {
            if i.isMultiple(of: 2) {
                submitted.append(try a.message(F.investor, "a\(i)", clientId: "c\(i)", step: 10 + i))
            } else {
                submitted.append(try b.message(F.otherInvestor, "b\(i)", clientId: "c\(i)", step: 10 + i))
            }
        }
        submitted.append(try a.moderate(by: F.officer, action: "mute", target: F.investor.id, at: at(50)))
        submitted.append(try b.end(by: F.officer, at: at(51)))

        let writer = store.writer
        let collector = ResultCollector(writer)
        writer.start()
        // In a few submissions of different sizes, as the hub does.
        writer.submit(Array(submitted[0..<1]))
        writer.submit(Array(submitted[1..<9]))
        writer.submit([])
        writer.submit(Array(submitted[9...]))
        let results = await collector.wait(forEvents: submitted.count)
        await writer.shutdown()
        _ = await collector.finished()

        let committed = results.flatMap(\.committed)
        #expect(results.allSatisfy { $0.failed.isEmpty })
        #expect(committed == submitted)  // each once, in submission order
        for result in results {
            #expect(result.submittedAt.count == result.committed.count)
            #expect(result.submittedAt.allSatisfy { $0 <= result.committedAt })
        }
        #expect(zip(results, results.dropFirst()).allSatisfy { $0.committedAt <= $1.committedAt })
        try await verifyChain("ses_a", submitted.filter { $0.session == "ses_a" })
        try await verifyChain("ses_b", submitted.filter { $0.session == "ses_b" })
        #expect(try await store.storedEvents(session: "ses_a").map(\.seq) == Array(1...18))
        #expect(try await store.storedEvents(session: "ses_b").map(\.seq) == Array(1...18))
    }

    @Test func eventsThatDoNotFollowAreRefusedAndNotStored() async throws {
        var state = try await fixture.live("ses_a")
        _ = try await fixture.live("ses_b")
        let e1 = try #require(try state.join(F.officer, at: at(1)))
        let e2 = try state.message(F.officer, "one", clientId: "c1")
        let e3 = try state.message(F.officer, "two", clientId: "c2")
        let e4 = try state.message(F.officer, "three", clientId: "c3")
        let orphan = Event(session: "ses_b", seq: 2, kind: .left, at: at(5), from: F.officer)

        let writer = store.writer
        let collector = ResultCollector(writer)
        writer.start()
        writer.submit([e1, e2])
        writer.submit([e4])  // skips 3
        writer.submit([e2])  // already stored
        writer.submit([orphan])  // a session's first event must be seq 1
        writer.submit([e3, e4])
        await collector.wait(forEvents: 7)
        await writer.shutdown()
        let results = await collector.finished()

        #expect(results.flatMap(\.committed) == [e1, e2, e3, e4])
        let failed = results.flatMap(\.failed)
        #expect(failed.map(\.event) == [e4, e2, orphan])
        #expect(
            failed.map(\.error) == [
                .outOfSequence(session: "ses_a", expected: 3, got: 4),
                .outOfSequence(session: "ses_a", expected: 3, got: 2),
                .outOfSequence(session: "ses_b", expected: 1, got: 2),
            ])
        try await verifyChain("ses_a", [e1, e2, e3, e4])
        #expect(try await store.storedEvents(session: "ses_b").isEmpty)
    }

    @Test func aStoredEventCannotBeStoredTwice() async throws {
        var state = try await fixture.live("ses_a")
        let joined = try #require(try state.join(F.investor, at: at(1)))
        let message = try state.message(F.investor, "Hello", clientId: "c1")
        let writer = store.writer
        let collector = ResultCollector(writer)
        writer.start()
        writer.submit([joined, message])
        await collector.wait(forEvents: 2)

        // The same client id from the same sender under a new seq: the writer refuses it.
        let replay = Event(
            session: "ses_a", seq: 3, kind: .message, at: at(3), from: F.investor, clientId: "c1",
            fields: ["text": "Hello", "language": "en"])
        writer.submit([replay])
        await collector.wait(forEvents: 3)
        // The session goes on at seq 3 afterwards.
        let next = try state.message(F.investor, "Still here", clientId: "c2")
        #expect(next.seq == 3)
        writer.submit([next])
        await collector.wait(forEvents: 4)
        await writer.shutdown()
        let results = await collector.finished()

        let failed = results.flatMap(\.failed)
        #expect(failed.map(\.event) == [replay])
        if case .writeFailed = failed.first?.error {
        } else {
            Issue.record("expected writeFailed, got \(String(describing: failed.first?.error))")
        }
        #expect(results.flatMap(\.committed) == [joined, message, next])
        try await verifyChain("ses_a", [joined, message, next])

        // Straight into SQLite, a seq cannot be used twice either.
        let row = try #require(try await store.storedEvents(session: "ses_a").last)
        for (seq, clientId) in [(Int64(3), "other")] {
            #expect(throws: DatabaseError.self) {
                try store.pool.write { db in
                    try db.execute(
                        sql: """
                            INSERT INTO events (session_id, seq, kind, sender, client_id, body, hash, chain)
                            VALUES ('ses_a', ?, 'message', ?, ?, '{}', ?, ?)
                            """,
                        arguments: [seq, F.investor.id, clientId, Data(row.hash), Data(row.chain)])
                }
            }
        }
        #expect(try fixture.count("SELECT COUNT(*) FROM events") == 3)
    }

    @Test func aRestartedWriterStillRefusesAStoredClientId() async throws {
        var state = try await fixture.live("ses_a")
        let joined = try #require(try state.join(F.investor, at: at(1)))
        let message = try state.message(F.investor, "Hello", clientId: "c1")
        let first = store.writer
        let firstResults = ResultCollector(first)
        first.start()
        first.submit([joined, message])
        await firstResults.wait(forEvents: 2)
        await first.shutdown()

        // A new store on the same file: its writer learns the stored clientIds from the rows.
        let reopened = try SQLiteStore(dataDirectory: fixture.folder.path)
        let writer = reopened.writer
        let collector = ResultCollector(writer)
        writer.start()
        let replay = Event(
            session: "ses_a", seq: 3, kind: .message, at: at(3), from: F.investor, clientId: "c1",
            fields: ["text": "Hello", "language": "en"])
        let sameIdOtherSender = Event(
            session: "ses_a", seq: 3, kind: .message, at: at(4), from: F.officer, clientId: "c1",
            fields: ["text": "Xin chào", "language": "vi"])
        writer.submit([replay])
        writer.submit([sameIdOtherSender])
        await collector.wait(forEvents: 2)
        await writer.shutdown()
        let results = await collector.finished()
        #expect(results.flatMap(\.failed).map(\.event) == [replay])
        #expect(results.flatMap(\.committed) == [sameIdOtherSender])
        #expect(try await reopened.storedEvents(session: "ses_a").map(\.seq) == [1, 2, 3])
    }

    @Test func aRepeatedClientIdInOneBatchIsStoredOnce() async throws {
        var state = try await fixture.live("ses_a")
        let joined = try #require(try state.join(F.officer, at: at(1)))
        let message = try state.message(F.officer, "Một", clientId: "c1")
        let again = Event(
            session: "ses_a", seq: 3, kind: .message, at: at(3), from: F.officer, clientId: "c1",
            fields: ["text": "Một", "language": "vi"])
        let writer = store.writer
        let collector = ResultCollector(writer)
        writer.submit([joined, message, again])  // queued before start: one batch
        writer.start()
        await collector.wait(forEvents: 3)
        await writer.shutdown()
        let results = await collector.finished()
        #expect(results.flatMap(\.committed) == [joined, message])
        #expect(results.flatMap(\.failed).map(\.event) == [again])
        try await verifyChain("ses_a", [joined, message])
    }

    /// After a quiet spell an event is committed at once: waiting for company that is not
    /// coming would only add the commit interval to its ack (here a long one, 2 s).
    @Test func aLoneEventDoesNotWaitForCompany() async throws {
        let patient = try StoreFixture(commitInterval: .seconds(2))
        var state = try await patient.live("ses_a")
        let joined = try #require(try state.join(F.officer, at: at(1)))
        let message = try state.message(F.officer, "Một mình", clientId: "c1")
        let writer = patient.store.writer
        let collector = ResultCollector(writer)
        writer.start()
        writer.submit([joined])
        await collector.wait(forEvents: 1)
        try await Task.sleep(for: .milliseconds(50))
        writer.submit([message])
        await collector.wait(forEvents: 2)
        await writer.shutdown()
        let results = await collector.finished()
        #expect(results.flatMap(\.committed) == [joined, message])
        for result in results {
            for submitted in result.submittedAt {
                let waited = Double(result.committedAt - submitted) / 1e9
                #expect(waited < 1.0, "committed \(waited) s after submission, with a 2 s interval")
            }
        }
    }

    @Test func manyQuickSubmissionsShareTransactions() async throws {
        var state = try await fixture.live("ses_a")
        var events = [try #require(try state.join(F.officer, at: at(0)))]
        for i in 1..<2_000 { events.append(try state.message(F.officer, "message \(i)", clientId: "c\(i)", step: i)) }
        let writer = store.writer
        let collector = ResultCollector(writer)
        writer.start()
        for event in events { writer.submit([event]) }
        await collector.wait(forEvents: events.count, timeout: .seconds(30))
        await writer.shutdown()
        let results = await collector.finished()

        #expect(results.allSatisfy { $0.failed.isEmpty })
        #expect(results.flatMap(\.committed) == events)
        #expect(results.count < events.count, "\(results.count) transactions for \(events.count) events")
        #expect(results.contains { $0.committed.count > 1 })
        #expect(results.allSatisfy { $0.committed.count <= 512 })
        try await verifyChain("ses_a", events)
    }

    @Test func batchesNeverExceedTheLimit() async throws {
        let small = try StoreFixture(commitInterval: .milliseconds(50), commitBatch: 100)
        let info = StoreFixture.session("ses_a")
        try await small.store.createSession(info)
        var state = SessionState(info: info)
        var events = [try #require(try state.join(F.officer, at: at(0)))]
        for i in 1..<1_000 { events.append(try state.message(F.officer, "m\(i)", clientId: "c\(i)", step: i)) }
        let writer = small.store.writer
        let collector = ResultCollector(writer)
        writer.submit(events)  // queued before the thread starts
        writer.start()
        await collector.wait(forEvents: events.count)
        await writer.shutdown()
        let results = await collector.finished()
        #expect(results.map(\.committed.count) == Array(repeating: 100, count: 10))
        #expect(results.flatMap(\.committed) == events)
    }

    @Test func shutdownCommitsWhatIsQueued() async throws {
        let slow = try StoreFixture(commitInterval: .seconds(30), commitBatch: 512)
        let info = StoreFixture.session("ses_a")
        try await slow.store.createSession(info)
        var state = SessionState(info: info)
        let events = [
            try #require(try state.join(F.officer, at: at(0))),
            try state.message(F.officer, "last words", clientId: "c1"),
        ]
        let writer = slow.store.writer
        writer.start()
        writer.submit(events)
        let clock = ContinuousClock()
        let started = clock.now
        await writer.shutdown()  // must not wait out the 30 s gathering window
        #expect(clock.now - started < .seconds(10))
        let results = await writer.drain()
        #expect(results.flatMap(\.committed) == events)
        #expect(try await slow.store.events(session: "ses_a", after: 0, limit: 10) == events)
    }

    @Test func shutdownWithoutStartFinishesTheResults() async throws {
        await store.writer.shutdown()
        #expect(await store.writer.drain().isEmpty)
    }

    /// Commits `events` with the writer and returns once they are stored.
    func commit(_ events: [Event]) async throws {
        let writer = store.writer
        let collector = ResultCollector(writer)
        writer.start()
        writer.submit(events)
        await collector.wait(forEvents: events.count)
        await writer.shutdown()
        let results = await collector.finished()
        #expect(results.flatMap(\.committed) == events)
    }

    @Test func projectionsFollowTheEvents() async throws {
        var state = try await fixture.live("ses_a")
        var events: [Event] = []
        events.append(try #require(try state.join(F.officer, at: at(1))))
        events.append(try #require(try state.join(F.investor, at: at(2))))
        events.append(try #require(try state.join(F.otherInvestor, at: at(3))))
        events.append(try state.message(F.investor, "Hello", clientId: "c1", step: 4))
        events.append(try state.moderate(by: F.officer, action: "mute", target: F.investor.id, at: at(5)))
        events.append(try state.moderate(by: F.officer, action: "remove", target: F.otherInvestor.id, at: at(6)))
        events.append(try state.moderate(by: F.officer, action: "unmute", target: F.investor.id, at: at(7)))
        events.append(try state.moderate(by: F.officer, action: "mute", target: F.investor.id, at: at(8)))
        events.append(try #require(try state.leave(by: F.officer, at: at(9))))
        try await commit(events)

        let participants = try await store.participants(session: "ses_a")
        #expect(participants == state.participants)
        #expect(participants.map(\.id) == [F.officer.id, F.investor.id, F.otherInvestor.id])
        #expect(participants.map(\.muted) == [false, true, false])
        #expect(participants.map(\.removed) == [false, false, true])
        #expect(participants[1].organisation == "Sato & Partners")
        #expect(participants[2].language == "fr")
        #expect(try await store.participants(session: "ses_missing").isEmpty)
        #expect(try await store.session(id: "ses_a")?.status == .live)
    }

    @Test func endedSetsTheSessionStatus() async throws {
        var state = try await fixture.live("ses_a")
        _ = try await fixture.live("ses_b")
        let events = [
            try #require(try state.join(F.officer, at: at(1))), try state.end(by: F.officer, at: at(2)),
        ]
        try await commit(events)
        let info = try #require(try await store.session(id: "ses_a"))
        #expect(info.status == .ended)
        #expect(info.endedAt == at(2))
        #expect(info == state.info)
        #expect(try await store.sessions(matching: nil, status: .ended).map(\.id) == ["ses_a"])
        #expect(try await store.session(id: "ses_b")?.status == .live)
    }

    @Test func loadStateReplaysToTheSameState() async throws {
        var state = try await fixture.live("ses_a")
        var events: [Event] = []
        events.append(try #require(try state.join(F.officer, at: at(1))))
        events.append(try #require(try state.join(F.investor, at: at(2))))
        events.append(try #require(try state.join(F.otherInvestor, at: at(3))))
        events.append(try state.message(F.investor, "Hello", clientId: "c1", step: 4))
        events.append(try state.message(F.officer, "Welcome", clientId: "o1", step: 5))
        events.append(try state.moderate(by: F.officer, action: "mute", target: F.investor.id, at: at(6)))
        events.append(try state.moderate(by: F.officer, action: "remove", target: F.otherInvestor.id, at: at(7)))
        try await commit(events)

        var loaded = try #require(try await store.loadState(session: "ses_a"))
        #expect(loaded.participants == state.participants)
        #expect(loaded.lastSeq == state.lastSeq)
        #expect(loaded.info == state.info)
        let retry = try loaded.say(
            by: F.investor, text: "Hello", clientId: "c1", language: "en", citations: nil, at: at(8))
        #expect(retry == .duplicate(seq: 4))
        #expect(throws: DialogueError.self) { try loaded.join(F.otherInvestor, at: at(8)) }
        let next = try loaded.message(F.officer, "Next", clientId: "o2", step: 9)
        #expect(next.seq == 8)
        #expect(try await store.loadState(session: "ses_missing") == nil)
    }

    @Test func eventsAfterASeq() async throws {
        var state = try await fixture.live("ses_a")
        var events = [try #require(try state.join(F.officer, at: at(0)))]
        for i in 1..<10 { events.append(try state.message(F.officer, "m\(i)", clientId: "c\(i)", step: i)) }
        try await commit(events)
        #expect(try await store.events(session: "ses_a", after: 0, limit: 100) == events)
        #expect(try await store.events(session: "ses_a", after: 3, limit: 4) == Array(events[3..<7]))
        #expect(try await store.events(session: "ses_a", after: 10, limit: 4).isEmpty)
        #expect(try await store.events(session: "ses_b", after: 0, limit: 4).isEmpty)
    }

    @Test func notes() async throws {
        var state = try await fixture.live("ses_a")
        _ = try await fixture.live("ses_b")
        let events = [
            try #require(try state.join(F.officer, at: at(1))), try state.message(F.officer, "Hello", clientId: "c1"),
        ]
        try await commit(events)
        let later = try await store.addNote(session: "ses_a", seq: 2, text: "check the figure", author: "Bình")
        let earlier = try await store.addNote(session: "ses_a", seq: 1, text: "joined late", author: "Hà")
        let again = try await store.addNote(session: "ses_a", seq: 2, text: "confirmed", author: "Hà")
        #expect(
            later.session == "ses_a" && later.seq == 2 && later.text == "check the figure" && later.author == "Bình")
        #expect(Timestamp.parse(later.at) != nil)
        #expect(Set([later.id, earlier.id, again.id]).count == 3)
        #expect(try await store.notes(session: "ses_a") == [earlier, later, again])
        #expect(try await store.notes(session: "ses_b").isEmpty)

        for (session, seq) in [
            ("ses_a", Int64(3)), ("ses_a", Int64(0)), ("ses_b", Int64(1)), ("ses_missing", Int64(1)),
        ] {
            await #expect {
                _ = try await store.addNote(session: session, seq: seq, text: "x", author: "Hà")
            } throws: { error in
                guard case StoreError.notFound(let what) = error else { return false }
                return what.contains("\(seq)") && what.contains(session)
            }
        }
        #expect(try await store.notes(session: "ses_a").count == 3)
    }

    @Test func auditRows() async throws {
        _ = try await fixture.live("ses_a")
        try await store.audit(actor: "stf_reviewer", action: "transcript.read", session: "ses_a", detail: "format=json")
        try await store.audit(actor: "stf_officer", action: "staff.list", session: nil, detail: "")
        let rows = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT at, actor, action, session_id, detail FROM audit_log ORDER BY id")
        }
        #expect(rows.count == 2)
        #expect(rows.map { $0["actor"] as String } == ["stf_reviewer", "stf_officer"])
        #expect(rows.map { $0["action"] as String } == ["transcript.read", "staff.list"])
        #expect(rows.map { $0["session_id"] as String? } == ["ses_a", nil])
        #expect(rows.map { $0["detail"] as String } == ["format=json", ""])
        #expect(rows.allSatisfy { Timestamp.parse($0["at"] as String) != nil })
    }
}
