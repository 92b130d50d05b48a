import Dialogue
import Foundation
import Testing

@testable import Store

/// The calendar and the mail outbox, on both stores (see `StoreContractTests`).
@Suite struct ScheduleAndOutboxContractTests {
    static func scheduled(_ id: String, starts: String, ends: String, lobby: Bool = false) -> SessionInfo {
        SessionInfo(
            id: id, title: "Khu kinh tế Vân Đồn", status: .scheduled, languages: ["vi", "ja"], agent: "quang-ninh-ipa",
            assistant: .review, createdAt: "2026-12-01T00:00:00.000Z", createdBy: "stf_officer",
            schedule: .init(startsAt: starts, endsAt: ends, timeZone: "Asia/Ho_Chi_Minh"), lobby: lobby)
    }

    @Test(arguments: StoreContractTests.backends) func scheduledSessionsMoveOnlyWhileScheduled(_ backend: Backend)
        async throws
    {
        let store = try await backend.open()
        defer { backend.close(store) }
        var january = Self.scheduled("ses_jan", starts: "2027-01-15T02:00:00Z", ends: "2027-01-15T03:00:00Z", lobby: true)
        january.agenda = "Đất công nghiệp, thuế, lao động"
        let february = Self.scheduled("ses_feb", starts: "2027-02-01T02:00:00Z", ends: "2027-02-01T03:30:00Z")
        try await store.createSession(january)
        try await store.createSession(february)
        try await store.createSession(StoreContractTests.session("ses_now"))  // unscheduled: never in a window
        #expect(try await store.session(id: "ses_jan") == january)

        // The window keeps what overlaps it, by start; touching ends do not overlap.
        #expect(try await store.scheduledSessions(from: "2027-01-01T00:00:00Z", to: "2027-03-01T00:00:00Z").map(\.id)
            == ["ses_jan", "ses_feb"])
        #expect(try await store.scheduledSessions(from: "2027-01-15T02:30:00Z", to: "2027-01-16T00:00:00Z").map(\.id)
            == ["ses_jan"])
        #expect(try await store.scheduledSessions(from: "2027-01-15T03:00:00Z", to: "2027-02-01T02:00:00Z").isEmpty)

        // Moving raises the sequence and keeps the zone unless a new one is given.
        let moved = try await store.reschedule(
            session: "ses_jan", startsAt: "2027-01-16T02:00:00Z", endsAt: "2027-01-16T03:00:00Z", timeZone: nil, plannedAt: "2027-01-01T00:00:00Z")
        #expect(moved.schedule == .init(
            startsAt: "2027-01-16T02:00:00Z", endsAt: "2027-01-16T03:00:00Z", timeZone: "Asia/Ho_Chi_Minh", sequence: 1,
            plannedAt: "2027-01-01T00:00:00Z", previousStartsAt: "2027-01-15T02:00:00Z",
            previousEndsAt: "2027-01-15T03:00:00Z"))
        #expect(moved.schedule?.previous?.startsAt == "2027-01-15T02:00:00Z")
        #expect(try await store.session(id: "ses_jan")?.schedule == moved.schedule)
        #expect(moved.lobby)
        let rezoned = try await store.reschedule(
            session: "ses_jan", startsAt: "2027-01-16T02:00:00Z", endsAt: "2027-01-16T03:00:00Z", timeZone: "Asia/Tokyo", plannedAt: "2027-01-02T00:00:00Z")
        #expect(rezoned.schedule?.timeZone == "Asia/Tokyo")
        #expect(rezoned.schedule?.sequence == 2)
        #expect(rezoned.schedule?.previousStartsAt == "2027-01-16T02:00:00Z")  // the same time, moved to another zone

        // Opening: the due ones only; then it cannot be moved or cancelled.
        #expect(try await store.sessionsToOpen(now: "2027-01-16T01:59:59Z").isEmpty)
        #expect(try await store.sessionsToOpen(now: "2027-01-16T02:00:00Z") == ["ses_jan"])
        #expect(try await store.openSession("ses_jan").status == .live)
        #expect(try await store.sessionsToOpen(now: "2027-12-31T00:00:00Z") == ["ses_feb"])
        await #expect(throws: StoreError.conflict("session ses_jan is live, not scheduled")) {
            _ = try await store.reschedule(
                session: "ses_jan", startsAt: "2027-01-17T02:00:00Z", endsAt: "2027-01-17T03:00:00Z", timeZone: nil, plannedAt: "2027-01-01T00:00:00Z")
        }
        await #expect(throws: StoreError.conflict("session ses_jan is live, not scheduled")) {
            _ = try await store.cancelSession("ses_jan", at: "2027-01-16T02:10:00Z")
        }
        await #expect(throws: StoreError.notFound("session ses_nope")) { _ = try await store.openSession("ses_nope") }

        // Cancelling raises the sequence too (the calendar's CANCEL replaces the REQUEST).
        let cancelled = try await store.cancelSession("ses_feb", at: "2027-01-20T00:00:00Z")
        #expect(cancelled.status == .cancelled)
        #expect(cancelled.cancelledAt == "2027-01-20T00:00:00Z")
        #expect(cancelled.schedule?.sequence == 1)
        await #expect(throws: StoreError.conflict("session ses_feb is cancelled, not scheduled")) {
            _ = try await store.openSession("ses_feb")
        }
        #expect(try await store.session(id: "ses_feb") == cancelled)
        #expect(try await store.sessions(matching: nil, status: .cancelled).map(\.id) == ["ses_feb"])
    }

    /// A node that has not heard of a cancellation yet may store an `ended` event in the
    /// session (an officer joined early ends it): the meeting stays cancelled.
    @Test(arguments: StoreContractTests.backends) func aCancelledMeetingStaysCancelledWhenEnded(_ backend: Backend)
        async throws
    {
        let store = try await backend.open()
        defer { backend.close(store) }
        let info = Self.scheduled("ses_off", starts: "2027-01-15T02:00:00Z", ends: "2027-01-15T03:00:00Z")
        try await store.createSession(info)
        var elsewhere = SessionState(info: info)  // another node's copy, from before the cancellation
        let joined = try #require(try elsewhere.join(StoreContractTests.officer, at: StoreContractTests.at(1)))
        _ = try await store.cancelSession("ses_off", at: "2027-01-10T00:00:00Z")
        let ended = try elsewhere.end(by: StoreContractTests.officer, at: StoreContractTests.at(2))
        let results = try await StoreContractTests.commit([joined, ended], with: store.writer)
        #expect(results.allSatisfy { $0.failed.isEmpty })
        let stored = try #require(try await store.session(id: "ses_off"))
        #expect(stored.status == .cancelled)
        #expect(stored.cancelledAt == "2027-01-10T00:00:00Z")
        // Its conversation is cleared by retention like an ended meeting's.
        #expect(try await store.sessionsDue(endedBefore: "2099-01-01T00:00:00.000Z").contains("ses_off"))
        #expect(try await !store.sessionsDue(endedBefore: "2000-01-01T00:00:00.000Z").contains("ses_off"))
    }

    @Test(arguments: StoreContractTests.backends) func invitesKeepAddressAndZone(_ backend: Backend) async throws {
        let store = try await backend.open()
        defer { backend.close(store) }
        try await store.createSession(Self.scheduled("ses_a", starts: "2027-01-15T02:00:00Z", ends: "2027-01-15T03:00:00Z"))
        let invite = Invite(
            id: "inv_kenji", session: "ses_a", name: "Kenji Sato", language: "ja", organisation: nil,
            createdAt: "2026-12-01T00:00:00.000Z", expiresAt: "2027-01-20T00:00:00.000Z", revokedAt: nil,
            createdBy: "stf_officer", email: "kenji@sato.example", timeZone: "Asia/Tokyo")
        let code = try await store.createInvite(invite)
        #expect(try await store.invite(code: code) == invite)
        #expect(try await store.invites(session: "ses_a") == [invite])
        try await store.sealInviteCode(invite: "inv_kenji", sealed: [0, 1, 2, 0xFF])
        #expect(try await store.invite(code: code)?.sealedCode == [0, 1, 2, 0xFF])

        // The investor's own answers, kept as given; none on a revoked invite.
        let answered = try await store.answerInvite(
            id: "inv_kenji", email: "kenji@sato.example", transcriptByMail: true, declinedAt: "2027-01-14T00:00:00.000Z")
        #expect(answered?.transcriptByMail == true && answered?.declinedAt == "2027-01-14T00:00:00.000Z")
        #expect(try await store.invite(code: code) == answered)
        #expect(try await store.answerInvite(id: "inv_nope", email: nil, transcriptByMail: false, declinedAt: nil) == nil)
        // The address the invite has stays: the first given wins.
        let kept = try await store.answerInvite(
            id: "inv_kenji", email: "other@example.com", transcriptByMail: true, declinedAt: "2027-01-14T00:00:00.000Z")
        #expect(kept?.email == "kenji@sato.example")
        #expect(try await store.revokeInvite(id: "inv_kenji", session: "ses_a"))
        #expect(try await store.answerInvite(id: "inv_kenji", email: nil, transcriptByMail: false, declinedAt: nil) == nil)
        #expect(try await store.invite(code: code)?.declinedAt == "2027-01-14T00:00:00.000Z")
    }

    static func mail(_ id: String, key: String, next: String = "2027-01-01T00:00:00Z") -> OutboxMail {
        OutboxMail(
            id: id, key: key, kind: "invitation", session: "ses_a", recipient: "kenji@sato.example",
            subject: "Lời mời — Vân Đồn", message: Array("Subject: x\r\n\r\nhello \u{0}\u{ff}".utf8) + [0xFF, 0x00],
            nextAttemptAt: next, createdAt: "2026-12-01T00:00:0\(id.suffix(1))Z")
    }

    @Test(arguments: StoreContractTests.backends) func outboxSendsEachMailOnceAtATime(_ backend: Backend) async throws {
        let store = try await backend.open()
        defer { backend.close(store) }
        let first = Self.mail("mail_1", key: "invitation:inv_kenji:0")
        #expect(try await store.enqueueMail(first))
        // The same decision again (another node, a restart) enqueues nothing.
        #expect(try await !store.enqueueMail(Self.mail("mail_9", key: "invitation:inv_kenji:0")))
        #expect(try await store.enqueueMail(Self.mail("mail_2", key: "reminder:inv_kenji:0", next: "2027-01-02T00:00:00Z")))

        // Only what is due, held by one node; the message bytes come back exactly.
        let taken = try await store.claimMail(
            node: "a", now: "2027-01-01T00:00:00Z", leaseUntil: "2027-01-01T00:01:00Z", limit: 10)
        #expect(taken.map(\.id) == ["mail_1"])
        #expect(taken.first?.message == first.message)
        #expect(taken.first?.attempts == 1)
        #expect(taken.first?.status == .sending)
        #expect(try await store.claimMail(
            node: "b", now: "2027-01-01T00:00:30Z", leaseUntil: "2027-01-01T00:01:30Z", limit: 10).isEmpty)

        // A holder that died: after its lease another node takes the mail again.
        let retaken = try await store.claimMail(
            node: "b", now: "2027-01-01T00:01:00Z", leaseUntil: "2027-01-01T00:02:00Z", limit: 10)
        #expect(retaken.map(\.id) == ["mail_1"])
        #expect(retaken.first?.attempts == 2)

        // The first holder, whose lease ran out, can no longer mark it (b holds it now).
        #expect(try await !store.markMailSent(id: "mail_1", by: "a", at: "2027-01-01T00:01:30Z"))
        #expect(try await !store.markMailFailed(id: "mail_1", by: "a", error: "timeout", retryAt: "2027-01-01T00:02:00Z"))
        #expect(try await store.outbox(status: .sending, limit: 10).map(\.id) == ["mail_1"])

        // A temporary refusal: queued again for later, with the reason.
        #expect(try await store.markMailFailed(
            id: "mail_1", by: "b", error: "451 4.3.0 try later", retryAt: "2027-01-01T00:05:00Z"))
        #expect(try await !store.markMailSent(id: "mail_1", by: "b", at: "2027-01-01T00:03:00Z"))  // not held now
        #expect(try await store.claimMail(
            node: "a", now: "2027-01-01T00:04:59Z", leaseUntil: "2027-01-01T00:06:00Z", limit: 10).isEmpty)
        let listed = try await store.outbox(status: .queued, limit: 10)
        #expect(listed.map(\.id) == ["mail_2", "mail_1"])
        #expect(listed.last?.lastError == "451 4.3.0 try later")
        #expect(listed.last?.message.isEmpty == true)  // lists leave the message out

        let again = try await store.claimMail(
            node: "a", now: "2027-01-02T00:00:00Z", leaseUntil: "2027-01-02T00:01:00Z", limit: 1)
        #expect(again.map(\.id) == ["mail_1"])  // the older due one first, at most `limit`
        #expect(try await store.markMailSent(id: "mail_1", by: "a", at: "2027-01-02T00:00:01Z"))
        let sent = try await store.outbox(status: .sent, limit: 10)
        #expect(sent.map(\.id) == ["mail_1"])
        #expect(sent.first?.sentAt == "2027-01-02T00:00:01Z")
        #expect(sent.first?.lastError == nil)

        // A permanent refusal: failed for good, never taken again.
        let last = try await store.claimMail(
            node: "a", now: "2027-01-02T00:00:02Z", leaseUntil: "2027-01-02T00:01:00Z", limit: 10)
        #expect(last.map(\.id) == ["mail_2"])
        #expect(try await store.markMailFailed(id: "mail_2", by: "a", error: "550 5.1.1 no such user", retryAt: nil))
        #expect(try await store.claimMail(
            node: "a", now: "2030-01-01T00:00:00Z", leaseUntil: "2030-01-01T00:01:00Z", limit: 10).isEmpty)
        #expect(try await store.outbox(status: .failed, limit: 10).map(\.lastError) == ["550 5.1.1 no such user"])
        #expect(try await store.outbox(status: nil, limit: 1).count == 1)
        #expect(try await store.mailKeys(prefix: "reminder:inv_kenji:") == ["reminder:inv_kenji:0"])
        #expect(try await store.mailKeys(prefix: "reminder:inv_") == ["reminder:inv_kenji:0"])
        #expect(try await store.mailKeys(prefix: "reminder:inv%").isEmpty)  // no wildcard
        #expect(try await store.mailKeys(prefix: "reminder:in_").isEmpty)
    }

    /// A later mail of the meeting replaces the earlier ones still queued, never those taken
    /// or sent, and never another invite's (`inv_kenji` is not `inv_kenji2`).
    @Test(arguments: StoreContractTests.backends) func laterMailsSupersedeQueuedOnes(_ backend: Backend) async throws {
        let store = try await backend.open()
        defer { backend.close(store) }
        let families = MailFamilies(["invitation:inv_kenji", "update:inv_kenji", "reminder:inv_kenji"])
        #expect(families.contains("update:inv_kenji:2") && families.contains("invitation:inv_kenji"))
        #expect(!families.contains("invitation:inv_kenji2") && !families.contains("update:inv_kenji2:1"))

        #expect(try await store.enqueueMail(Self.mail("mail_1", key: "invitation:inv_kenji")))
        #expect(try await store.enqueueMail(Self.mail("mail_2", key: "reminder:inv_kenji:0:0")))
        #expect(try await store.enqueueMail(Self.mail("mail_3", key: "invitation:inv_kenji2")))
        // An update replaces the queued reminder of the former time, not the invitation.
        #expect(try await store.enqueueMail(
            Self.mail("mail_4", key: "update:inv_kenji:1"),
            supersede: MailFamilies(["update:inv_kenji", "reminder:inv_kenji"]), unlessUnheard: false))
        var byId = Dictionary(uniqueKeysWithValues: try await store.outbox(status: nil, limit: 10).map { ($0.id, $0) })
        #expect(byId["mail_2"]?.status == .superseded)
        #expect(byId["mail_2"]?.lastError == "superseded by update:inv_kenji:1")
        #expect(byId["mail_1"]?.status == .queued && byId["mail_4"]?.status == .queued)

        // Nothing of the meeting reached the address: the cancellation replaces it all, itself too.
        #expect(try await store.enqueueMail(
            Self.mail("mail_5", key: "cancellation:inv_kenji"), supersede: families, unlessUnheard: true))
        byId = Dictionary(uniqueKeysWithValues: try await store.outbox(status: nil, limit: 10).map { ($0.id, $0) })
        #expect(["mail_1", "mail_2", "mail_4", "mail_5"].allSatisfy { byId[$0]?.status == .superseded })
        #expect(byId["mail_5"]?.lastError == "nothing earlier of this meeting reached kenji@sato.example")
        #expect(byId["mail_3"]?.status == .queued)  // another invite's
        #expect(try await store.claimMail(
            node: "a", now: "2030-01-01T00:00:00Z", leaseUntil: "2030-01-01T00:01:00Z", limit: 10).map(\.id) == ["mail_3"])

        // The second invite heard of it (its invitation is being sent): its cancellation goes.
        let families2 = MailFamilies(["invitation:inv_kenji2", "update:inv_kenji2", "reminder:inv_kenji2"])
        #expect(try await store.enqueueMail(Self.mail("mail_6", key: "reminder:inv_kenji2:0:1")))
        #expect(try await store.enqueueMail(
            Self.mail("mail_7", key: "cancellation:inv_kenji2"), supersede: families2, unlessUnheard: true))
        byId = Dictionary(uniqueKeysWithValues: try await store.outbox(status: nil, limit: 10).map { ($0.id, $0) })
        #expect(byId["mail_3"]?.status == .sending)  // taken: it may be on its way, it stays
        #expect(byId["mail_6"]?.status == .superseded)
        #expect(byId["mail_7"]?.status == .queued)
        // Stored once per key, as before: the same cancellation again changes nothing.
        #expect(try await !store.enqueueMail(
            Self.mail("mail_8", key: "cancellation:inv_kenji2"), supersede: families2, unlessUnheard: true))
        #expect(try await store.outbox(status: .superseded, limit: 10).count == 5)

        // The one being sent, replaced meanwhile, is not tried again when its attempt fails.
        #expect(try await store.markMailFailed(id: "mail_3", by: "a", error: "451 try later", retryAt: "2030-01-01T00:05:00Z"))
        byId = Dictionary(uniqueKeysWithValues: try await store.outbox(status: nil, limit: 10).map { ($0.id, $0) })
        #expect(byId["mail_3"]?.status == .superseded)
        #expect(byId["mail_3"]?.lastError == "superseded by cancellation:inv_kenji2 after: 451 try later")

        // Nor when its node stopped while sending it: once the lease has run out, it is
        // superseded rather than taken again; the others are taken as before.
        #expect(try await store.enqueueMail(Self.mail("mail_9", key: "invitation:inv_k3")))
        let first = try await store.claimMail(
            node: "b", now: "2030-01-02T00:00:00Z", leaseUntil: "2030-01-02T00:01:00Z", limit: 10)
        #expect(Set(first.map(\.id)) == ["mail_7", "mail_9"])
        #expect(try await store.enqueueMail(
            Self.mail("mail_10", key: "cancellation:inv_k3"),
            supersede: MailFamilies(["invitation:inv_k3", "update:inv_k3", "reminder:inv_k3"]), unlessUnheard: true))
        let second = try await store.claimMail(
            node: "c", now: "2030-01-02T00:02:00Z", leaseUntil: "2030-01-02T00:03:00Z", limit: 10)
        #expect(Set(second.map(\.id)) == ["mail_7", "mail_10"])
        byId = Dictionary(uniqueKeysWithValues: try await store.outbox(status: nil, limit: 20).map { ($0.id, $0) })
        #expect(byId["mail_9"]?.status == .superseded)
        #expect(byId["mail_9"]?.lastError == "superseded by cancellation:inv_k3 while its sender stopped")
    }

    /// Two nodes claiming at the same moment never take the same mail (PostgreSQL's SKIP
    /// LOCKED; SQLite's one writer).
    @Test(arguments: StoreContractTests.backends) func concurrentClaimsNeverOverlap(_ backend: Backend) async throws {
        let store = try await backend.open()
        defer { backend.close(store) }
        for index in 0..<40 {
            #expect(try await store.enqueueMail(Self.mail("mail_c\(index)", key: "k\(index)")))
        }
        let claims = try await withThrowingTaskGroup(of: [String].self) { group in
            for node in 0..<4 {
                group.addTask {
                    var taken: [String] = []
                    while true {
                        let batch = try await store.claimMail(
                            node: "n\(node)", now: "2027-01-01T00:00:00Z", leaseUntil: "2027-01-01T00:10:00Z", limit: 3)
                        if batch.isEmpty { return taken }
                        taken += batch.map(\.id)
                    }
                }
            }
            var all: [[String]] = []
            for try await taken in group { all.append(taken) }
            return all
        }
        let flat = claims.flatMap { $0 }
        #expect(flat.count == 40)
        #expect(Set(flat).count == 40, "a mail taken twice")
    }
}

/// Meeting requests, on both stores.
@Suite struct MeetingRequestContractTests {
    static func request(_ id: String, at: String) -> MeetingRequest {
        MeetingRequest(
            id: id, agent: "quang-ninh-ipa", name: "Lee Min-ho", organisation: "Hanbit Logistics", email: "lee@hanbit.example",
            language: "ko", timeZone: "Asia/Seoul", topic: "industrial-parks",
            slots: ["2027-02-01T02:00:00Z", "2027-02-02T02:00:00Z"], message: "물류 창고 부지를 찾고 있습니다.",
            createdAt: at)
    }

    @Test(arguments: StoreContractTests.backends) func requestsAreDecidedOnce(_ backend: Backend) async throws {
        let store = try await backend.open()
        defer { backend.close(store) }
        try await store.createRequest(Self.request("req_1", at: "2027-01-01T00:00:00Z"))
        try await store.createRequest(Self.request("req_2", at: "2027-01-02T00:00:00Z"))
        #expect(try await store.request(id: "req_1") == Self.request("req_1", at: "2027-01-01T00:00:00Z"))
        #expect(try await store.requests(status: nil, limit: 10).map(\.id) == ["req_2", "req_1"])
        _ = try await store.decideRequest(
            id: "req_1", status: .accepted, by: "stf_a", at: "2027-01-03T00:00:00Z", session: "ses_lost", reason: nil)
        // Its session could not be made: back to pending (another session id changes nothing).
        try await store.reopenRequest(id: "req_1", session: "ses_other")
        #expect(try await store.request(id: "req_1")?.status == .accepted)
        try await store.reopenRequest(id: "req_1", session: "ses_lost")
        #expect(try await store.request(id: "req_1") == Self.request("req_1", at: "2027-01-01T00:00:00Z"))
        let accepted = try await store.decideRequest(
            id: "req_1", status: .accepted, by: "stf_a", at: "2027-01-03T00:00:00Z", session: "ses_x", reason: nil)
        #expect(accepted.status == .accepted && accepted.session == "ses_x" && accepted.decidedBy == "stf_a")
        await #expect(throws: StoreError.conflict("request req_1 was accepted already")) {
            _ = try await store.decideRequest(
                id: "req_1", status: .declined, by: "stf_b", at: "2027-01-03T00:00:01Z", session: nil, reason: "full")
        }
        await #expect(throws: StoreError.notFound("request req_9")) {
            _ = try await store.decideRequest(
                id: "req_9", status: .declined, by: "stf_b", at: "2027-01-03T00:00:01Z", session: nil, reason: "full")
        }
        let declined = try await store.decideRequest(
            id: "req_2", status: .declined, by: "stf_b", at: "2027-01-04T00:00:00Z", session: nil, reason: "agenda-full")
        #expect(declined.declineReason == "agenda-full")
        #expect(try await store.requests(status: .pending, limit: 10).isEmpty)
        #expect(try await store.requests(status: .declined, limit: 10).map(\.id) == ["req_2"])
    }

    /// Erasing the investor of a session made from their request erases the request's
    /// personal fields and its mails too; another investor's request stays.
    @Test(arguments: StoreContractTests.backends) func erasureCoversTheRequest(_ backend: Backend) async throws {
        let store = try await backend.open()
        defer { backend.close(store) }
        try await store.createSession(
            ScheduleAndOutboxContractTests.scheduled("ses_r", starts: "2027-02-01T02:00:00Z", ends: "2027-02-01T03:00:00Z"))
        try await store.createRequest(Self.request("req_lee", at: "2027-01-01T00:00:00Z"))
        var other = Self.request("req_other", at: "2027-01-02T00:00:00Z")
        other.email = "park@other.example"
        try await store.createRequest(other)
        _ = try await store.decideRequest(
            id: "req_lee", status: .accepted, by: "stf_a", at: "2027-01-03T00:00:00Z", session: "ses_r", reason: nil)
        _ = try await store.createInvite(
            Invite(
                id: "inv_lee", session: "ses_r", name: "Lee Min-ho", language: "ko", organisation: "Hanbit Logistics",
                createdAt: "2027-01-03T00:00:00.000Z", expiresAt: "2027-02-02T00:00:00.000Z", revokedAt: nil,
                createdBy: "stf_a", email: "Lee@hanbit.example"))
        var ack = ScheduleAndOutboxContractTests.mail("mail_1", key: "request:req_lee")
        ack.session = nil
        ack.recipient = "lee@hanbit.example"
        #expect(try await store.enqueueMail(ack))
        var otherAck = ScheduleAndOutboxContractTests.mail("mail_2", key: "request:req_other")
        otherAck.session = nil
        #expect(try await store.enqueueMail(otherAck))

        _ = try await store.eraseParticipant(invite: "inv_lee", actor: "cli", reason: "asked")
        let erased = try #require(try await store.request(id: "req_lee"))
        #expect(erased.name != "Lee Min-ho" && erased.email.isEmpty && erased.organisation.isEmpty && erased.message.isEmpty)
        #expect(erased.status == .accepted && erased.session == "ses_r")
        #expect(try await store.request(id: "req_other") == other)
        #expect(try await store.outbox(status: nil, limit: 10).map(\.id) == ["mail_2"])
    }
}
