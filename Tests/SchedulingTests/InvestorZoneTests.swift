import Foundation
import Scheduling
import Testing

/// A meeting set in Hạ Long for investors in other zones: each reads it at their own wall time
/// with their own offset, and every invitation carries the same UTC instants.
@Suite struct InvestorZoneTests {
    struct Investor: Sendable, CustomStringConvertible {
        var zone: String
        var start: String  // the same instant as RFC 3339 in the investor's offset
        var end: String
        var local: String  // "HH:mm–HH:mm" there, 24-hour
        var day: String  // the English date there
        var offset: String
        var description: String { zone }
    }

    static let january = [
        Investor(
            zone: "Asia/Tokyo", start: "2027-01-15T11:00:00+09:00", end: "2027-01-15T12:00:00+09:00",
            local: "11:00–12:00", day: "Friday, 15 January 2027", offset: "UTC+9"),
        Investor(
            zone: "America/New_York", start: "2027-01-14T21:00:00-05:00", end: "2027-01-14T22:00:00-05:00",
            local: "21:00–22:00", day: "Thursday, 14 January 2027", offset: "UTC\u{2212}5"),
        Investor(
            zone: "Asia/Kathmandu", start: "2027-01-15T07:45:00+05:45", end: "2027-01-15T08:45:00+05:45",
            local: "07:45–08:45", day: "Friday, 15 January 2027", offset: "UTC+5:45"),
        Investor(
            zone: "Asia/Ho_Chi_Minh", start: "2027-01-15T09:00:00+07:00", end: "2027-01-15T10:00:00+07:00",
            local: "09:00–10:00", day: "Friday, 15 January 2027", offset: "UTC+7"),
    ]
    /// 09:00–10:00 in Hạ Long on 15 January 2027.
    let start = instant("2027-01-15T02:00:00Z")
    let end = instant("2027-01-15T03:00:00Z")
    let now = instant("2027-01-01T00:00:00Z")

    @Test(arguments: january)
    func wallTimeAndOffset(investor: Investor) throws {
        let zone = try MeetingTime.zone(named: investor.zone)
        let english = MeetingDateText.text(start: start, end: end, zone: zone, language: "en")
        #expect(english == "\(investor.day), \(investor.local) (\(investor.zone), \(investor.offset))")
        for language in MeetingDateText.languages {
            let written = MeetingDateText.text(start: start, end: end, zone: zone, language: language)
            print("MeetingDateText \(language) for \(investor.zone): \(written)")
            // Vietnamese names its own country's zone ("giờ Việt Nam"), every other zone by its id.
            let zoneName = language == "vi" && investor.zone == "Asia/Ho_Chi_Minh" ? "giờ Việt Nam" : investor.zone
            #expect(written.contains(zoneName) && written.contains(investor.offset), "\(written)")
            #expect(!written.contains("UTC-"), "ASCII minus in \(written)")
        }
        // The wall time agrees with Foundation's calendar in that zone.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.hour, .minute], from: start)
        #expect(english.contains(String(format: "%02d:%02d–", parts.hour!, parts.minute!)))
    }

    @Test(arguments: january)
    func investorsOffsetNamesTheSameInstants(investor: Investor) throws {
        let meeting = try MeetingTime.parse(
            startsAt: investor.start, endsAt: investor.end, timeZone: investor.zone, now: now)
        #expect(meeting.startsAt == start)
        #expect(meeting.endsAt == end)
        #expect(MeetingTime.rfc3339(meeting.startsAt) == "2027-01-15T02:00:00Z")
    }

    @Test func newYorkInJulyIsUTCMinus4() throws {
        let zone = try MeetingTime.zone(named: "America/New_York")
        let july = MeetingDateText.text(
            start: instant("2027-07-15T09:00:00+07:00"), end: instant("2027-07-15T10:00:00+07:00"), zone: zone,
            language: "en")
        #expect(july == "Wednesday, 14 July 2027, 22:00–23:00 (America/New_York, UTC\u{2212}4)")
        let meeting = try MeetingTime.parse(
            startsAt: "2027-07-14T22:00:00-04:00", endsAt: "2027-07-14T23:00:00-04:00", timeZone: "America/New_York",
            now: now)
        #expect(MeetingTime.rfc3339(meeting.startsAt) == "2027-07-15T02:00:00Z")
    }

    @Test func crossingMidnightOnlyForTheInvestor() throws {
        // 10:30–12:30 in Hạ Long is 22:30–00:30 in New York.
        let written = MeetingDateText.text(
            start: instant("2027-01-15T10:30:00+07:00"), end: instant("2027-01-15T12:30:00+07:00"),
            zone: try MeetingTime.zone(named: "America/New_York"), language: "en")
        #expect(
            written.contains("Thursday, 14 January 2027 at 22:30")
                && written.contains("Friday, 15 January 2027 at 00:30"))
        let hanoi = MeetingDateText.text(
            start: instant("2027-01-15T10:30:00+07:00"), end: instant("2027-01-15T12:30:00+07:00"),
            zone: try MeetingTime.zone(named: "Asia/Ho_Chi_Minh"), language: "en")
        #expect(hanoi == "Friday, 15 January 2027, 10:30–12:30 (Asia/Ho_Chi_Minh, UTC+7)")
    }

    @Test(arguments: january)
    func invitationInstantsAreUTC(investor: Investor) throws {
        // Built from the instants the investor's own offset names: the same lines for everyone.
        let invitation = sampleInvitation(
            attendee: .init(name: "Investor in \(investor.zone)", email: "investor@example.com"),
            start: investor.start, end: investor.end)
        let lines = unfolded(invitation.rendered())
        #expect(lines.contains("DTSTART:20270115T020000Z"))
        #expect(lines.contains("DTEND:20270115T030000Z"))
        #expect(!lines.contains { $0.hasPrefix("DTSTART;TZID") || $0.contains("VTIMEZONE") })
        let parsed = try parseWithPythonICalendar(invitation.rendered())
        #expect(parsed.dtstart == "2027-01-15T02:00:00Z")
        #expect(parsed.dtend == "2027-01-15T03:00:00Z")
        #expect(parsed.attendee.cn == "Investor in \(investor.zone)")
    }
}
