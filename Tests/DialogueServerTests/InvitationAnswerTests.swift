import Dialogue
import Store
import Testing

@testable import DialogueServer

/// The rules of `PATCH /v1/invitation`, without a server.
@Suite struct InvitationAnswerTests {
    static let scheduled = SessionInfo(
        id: "ses_a", title: "Vân Đồn", status: .scheduled, languages: ["vi", "ja"], agent: "quang-ninh-ipa",
        assistant: .review, createdAt: "2026-12-01T00:00:00.000Z", createdBy: "stf_officer",
        schedule: .init(
            startsAt: "2027-01-15T02:00:00Z", endsAt: "2027-01-15T03:00:00Z", timeZone: "Asia/Ho_Chi_Minh",
            plannedAt: "2027-01-10T00:00:00Z"))
    static func invite(email: String? = nil, declinedAt: String? = nil) -> Invite {
        Invite(
            id: "inv_kenji", session: "ses_a", name: "Kenji Sato", language: "ja", organisation: nil,
            createdAt: "2026-12-01T00:00:00.000Z", expiresAt: "2027-01-20T00:00:00.000Z", revokedAt: nil,
            createdBy: "stf_officer", email: email, declinedAt: declinedAt)
    }
    static let now = "2027-01-12T00:00:00.000Z"

    func decide(_ invite: Invite, _ fields: [String: JSONValue], in session: SessionInfo = Self.scheduled) throws
        -> InvitationAnswer
    {
        try InvitationAnswer.decide(
            invite: invite, session: session, email: fields["email"], transcriptByMail: fields["transcriptByMail"],
            attending: fields["attending"], now: Self.now)
    }

    @Test func aDeclineBeforeTheLastMoveIsAboutAFormerTime() {
        #expect(!Self.invite().declines(Self.scheduled.schedule))
        #expect(Self.invite(declinedAt: "2027-01-11T00:00:00.000Z").declines(Self.scheduled.schedule))
        #expect(!Self.invite(declinedAt: "2027-01-09T23:59:59.999Z").declines(Self.scheduled.schedule))
        #expect(Self.invite(declinedAt: "2027-01-09T00:00:00.000Z").declines(nil))
    }

    @Test func theInvestorGivesAnAddressOnlyWhereThereIsNone() throws {
        let given = try decide(Self.invite(), ["email": " kenji@sato.example ", "transcriptByMail": true])
        #expect(given == InvitationAnswer(email: "kenji@sato.example", transcriptByMail: true, declinedAt: nil))
        #expect(throws: InvitationAnswer.Refusal.self) {
            _ = try decide(Self.invite(email: "kenji@sato.example"), ["email": "other@example.com"])
        }
        let same = try decide(Self.invite(email: "kenji@sato.example"), ["email": "KENJI@sato.example"])
        #expect(same.email == "kenji@sato.example")
        #expect(throws: InvitationAnswer.Refusal.self) { _ = try decide(Self.invite(), ["transcriptByMail": true]) }
        #expect(throws: InvitationAnswer.Refusal.self) { _ = try decide(Self.invite(), ["email": "a@b\r\nBcc: c@d"]) }
    }

    @Test func attendanceIsAnsweredWhileTheMeetingIsScheduled() throws {
        let no = try decide(Self.invite(), ["attending": false])
        #expect(no.declinedAt == Self.now)
        // Saying no again keeps the first time; yes clears it.
        let again = try decide(Self.invite(declinedAt: "2027-01-11T00:00:00.000Z"), ["attending": false])
        #expect(again.declinedAt == "2027-01-11T00:00:00.000Z")
        #expect(try decide(Self.invite(declinedAt: "2027-01-11T00:00:00.000Z"), ["attending": true]).declinedAt == nil)
        var live = Self.scheduled
        live.status = .live
        #expect(throws: InvitationAnswer.Refusal(
            reason: "the meeting is live: attendance is answered before it starts", conflict: true)) {
            _ = try decide(Self.invite(), ["attending": false], in: live)
        }
        var ended = Self.scheduled
        ended.status = .ended
        #expect(throws: InvitationAnswer.Refusal.self) {
            _ = try decide(Self.invite(email: "kenji@sato.example"), ["transcriptByMail": true], in: ended)
        }
        #expect(throws: InvitationAnswer.Refusal.self) { _ = try decide(Self.invite(), ["attending": "no"]) }
    }
}

/// Which queued mails a later one replaces (`MeetingMailer`), without a store.
@Suite struct MailReplacementTests {
    static let invite = InvitationAnswerTests.invite()

    @Test func anUpdateReplacesOnlyTheFormerTimesMails() {
        let families = MeetingMailer.replacedByUpdate(Self.invite, sequence: 2)
        #expect(families.contains("update:inv_kenji:1") && families.contains("reminder:inv_kenji:0:1"))
        #expect(families.contains("reminder:inv_kenji:1:0"))
        #expect(!families.contains("reminder:inv_kenji:2:0"), "a reminder of the new time stays")
        #expect(!families.contains("update:inv_kenji:2"))
        #expect(!families.contains("invitation:inv_kenji"))
        #expect(!families.contains("reminder:inv_kenji2:0:0"))
        #expect(MeetingMailer.replacedByUpdate(Self.invite, sequence: 0).families.isEmpty)
    }

    @Test func aCancellationReplacesEveryMailOfTheMeeting() {
        let families = MeetingMailer.replacedByCancellation(Self.invite)
        for key in ["invitation:inv_kenji", "update:inv_kenji:3", "reminder:inv_kenji:3:1"] {
            #expect(families.contains(key))
        }
        #expect(!families.contains("transcript:inv_kenji") && !families.contains("invitation:inv_kenji2"))
    }
}
