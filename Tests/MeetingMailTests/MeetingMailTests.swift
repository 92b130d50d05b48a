import Foundation
import Mail
import MeetingMail
import Scheduling
import Testing

@Suite struct MeetingMailTests {
    static let start = Date(timeIntervalSince1970: 1_799_978_400)  // 2027-01-15T02:00:00Z
    static let time = MeetingTime(
        startsAt: start, endsAt: start.addingTimeInterval(3600), timeZone: "Asia/Ho_Chi_Minh")

    static func mail(
        _ kind: MeetingMailKind, language: String = "ja", zone: String? = "Asia/Tokyo", title: String = "Vân Đồn briefing",
        previous: MeetingTime? = nil, link: String? = "https://meet.example/join#ABCD-EFGH"
    ) throws -> MeetingMail {
        MeetingMail(
            kind: kind, sessionId: "ses_1", title: title, agenda: "Land & labour", time: time, sequence: 3,
            previousTime: previous,
            invitee: .init(
                inviteId: "inv_1", name: "Sato Haruki", language: language,
                email: try MailAddress(parsing: "sato@investor.example"), timeZone: zone),
            sender: .init(
                address: try MailAddress(parsing: "meetings@meet.example"), organisation: "IPA Quảng Ninh",
                notice: "This conversation is recorded."),
            joinURL: link, host: "meet.example")
    }

    @Test func anInvitationSaysWhenInBothZonesWithTheLinkAndACalendarRequest() throws {
        let invitation = try Self.mail(.invitation)
        #expect(invitation.subject == "【ご招待】Vân Đồn briefing")
        let text = invitation.textBody()
        #expect(text.hasPrefix("Sato Haruki 様"))
        #expect(text.contains("UTC+9"))  // the investor's zone
        #expect(text.contains("UTC+7"))  // and Quảng Ninh's
        #expect(text.contains("11:00"))  // 02:00 UTC in Tokyo
        #expect(text.contains("https://meet.example/join#ABCD-EFGH"))
        // The page the link opens is where the investor answers (cannot attend, transcript).
        #expect(text.contains("https://meet.example/join#ABCD-EFGH\n" + MeetingMailTexts.of("ja").answers))
        #expect(invitation.htmlBody().contains(MeetingMailTexts.of("ja").answers))
        #expect(text.contains("This conversation is recorded."))
        #expect(text.contains("Land & labour"))
        let calendar = try #require(invitation.calendar(stamp: Self.start))
        #expect(calendar.method == .request)
        #expect(calendar.uid == "ses_1-inv_1@meet.example")
        #expect(calendar.sequence == 3)
        #expect(calendar.url == "https://meet.example/join#ABCD-EFGH")
        #expect(calendar.attendee.email == "sato@investor.example")
        let rendered = String(decoding: try invitation.message(messageID: "<mail_1@meet.example>", date: Self.start).rendered(), as: UTF8.self)
        #expect(rendered.contains("Message-ID: <mail_1@meet.example>"))
        #expect(rendered.contains("method=REQUEST"))
        #expect(rendered.contains("Content-Language: ja"))
    }

    @Test func theAgencyZoneIsShownOnceToAReaderInIt() throws {
        let text = try Self.mail(.invitation, language: "vi", zone: "Asia/Ho_Chi_Minh").textBody()
        #expect(text.components(separatedBy: "UTC+7").count == 2)
        #expect(!text.contains("Giờ Quảng Ninh"))
        #expect(text.contains("Giờ địa phương của Quý vị"))
    }

    @Test func aCancellationHasNoLinkAndACalendarCancel() throws {
        let cancellation = try Self.mail(.cancellation)
        #expect(!cancellation.textBody().contains("/join#"))
        #expect(!cancellation.textBody().contains(MeetingMailTexts.of("ja").answers))
        #expect(!cancellation.htmlBody().contains("/join#"))
        let calendar = try #require(cancellation.calendar(stamp: Self.start))
        #expect(calendar.method == .cancel)
        #expect(calendar.url == nil)
        #expect(calendar.uid == "ses_1-inv_1@meet.example")
    }

    @Test func anUpdateShowsTheOldTimeAndAReminderHasNoCalendar() throws {
        let earlier = MeetingTime(
            startsAt: Self.start.addingTimeInterval(-86400), endsAt: Self.start.addingTimeInterval(-82800),
            timeZone: "Asia/Ho_Chi_Minh")
        let update = try Self.mail(.update, language: "en", zone: "America/New_York", previous: earlier)
        #expect(update.subject == "New time: Vân Đồn briefing")
        #expect(update.textBody().contains("Previously planned: Wednesday, 13 January 2027"))
        #expect(update.textBody().contains("UTC\u{2212}5"))
        let reminder = try Self.mail(.reminder, language: "ko")
        #expect(reminder.calendar(stamp: Self.start) == nil)
        #expect(reminder.subject == "[알림] Vân Đồn briefing")
        #expect(reminder.textBody().contains("https://meet.example/join#ABCD-EFGH"))
    }

    @Test func anUpdateWithoutARepeatableLinkSaysNothingOfOne() throws {
        let update = try Self.mail(.update, language: "fr", link: nil)
        #expect(!update.textBody().contains("Rejoignez"))
        #expect(update.calendar(stamp: Self.start)?.url == nil)
    }

    @Test func htmlEscapesWhatPeopleTyped() throws {
        let mail = try Self.mail(.invitation, title: "<script>alert(1)</script> & \"co\"")
        let html = mail.htmlBody()
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;"))
        #expect(html.contains("<a href=\"https://meet.example/join#ABCD-EFGH\">"))
    }

    @Test func anUnknownLanguageReadsEnglish() throws {
        let mail = try Self.mail(.invitation, language: "de")
        #expect(mail.subject == "Invitation: Vân Đồn briefing")
        #expect(mail.textBody().hasPrefix("Dear Sato Haruki,"))
    }

    @Test(arguments: MeetingMailTexts.languages) func everyLanguageHasEveryText(_ language: String) {
        let texts = MeetingMailTexts.of(language)
        for subject in [texts.invitationSubject, texts.updateSubject, texts.cancellationSubject, texts.reminderSubject] {
            #expect(subject.contains("{title}"), "\(language): \(subject)")
        }
        #expect(texts.greeting.contains("{name}"))
        for intro in [texts.invitationIntro, texts.updateIntro, texts.cancellationIntro, texts.reminderIntro] {
            #expect(intro.contains("{title}"), "\(language): \(intro)")
            #expect(!intro.contains("{name}"))
        }
        let all = [texts.yourTime, texts.agencyTime, texts.agenda, texts.join, texts.wasPlanned, texts.calendarAdds,
                   texts.calendarRemoves, texts.closing]
        #expect(all.allSatisfy { !$0.isEmpty && !$0.contains("{") })
        if language != "en" { #expect(texts.invitationIntro != MeetingMailTexts.of("en").invitationIntro) }
    }
}
