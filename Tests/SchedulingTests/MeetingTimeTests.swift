import Foundation
import Scheduling
import Testing

@Suite struct RFC3339Tests {
    @Test(arguments: [
        ("2027-01-15T02:00:00Z", 1_799_978_400),
        ("2027-01-15T09:00:00+07:00", 1_799_978_400),
        ("2027-01-15T09:00:00.000+07:00", 1_799_978_400),
        ("2027-01-14T21:00:00-05:00", 1_799_978_400),
        ("2027-01-15T07:45:00+05:45", 1_799_978_400),
        ("2027-01-15t02:00:00z", 1_799_978_400),
        ("2027-01-15T02:00:00-00:00", 1_799_978_400),
        ("2027-01-15T02:00:00.5Z", 1_799_978_400.5),
        ("2027-01-15T02:00:00.123456789Z", 1_799_978_400.123456789),
        ("2028-02-29T00:00:00Z", 1_835_395_200),
        ("1970-01-01T00:00:00Z", 0),
        ("2000-03-01T00:00:00Z", 951_868_800),
    ])
    func valid(text: String, seconds: Double) throws {
        let date = try MeetingTime.parseInstant(text)
        #expect(abs(date.timeIntervalSince1970 - seconds) < 1e-6, "\(text)")
    }

    @Test func agreesWithFoundation() throws {
        let iso = ISO8601DateFormatter()
        for text in ["2027-01-15T09:00:00+07:00", "2026-12-31T23:59:59-10:00", "2028-02-29T12:30:00+05:45"] {
            #expect(try MeetingTime.parseInstant(text) == iso.date(from: text))
        }
    }

    @Test(arguments: [
        ("2027-02-29T09:00:00Z", "February 2027 has 28 days"),
        ("2027-04-31T09:00:00Z", "April 2027 has 30 days"),
        ("2027-13-01T09:00:00Z", "month 13"),
        ("2027-01-00T09:00:00Z", "day 00"),
        ("2027-01-15 09:00:00Z", "not a space"),
        ("2027-01-15T09:00:00", "UTC offset is missing"),
        ("2027-01-15T09:00Z", "seconds are required"),
        ("2027-01-15T09:00:00+0700", "±hh:mm"),
        ("2027-01-15T09:00:00 07:00", "%2B"),
        ("2027-01-15T24:00:00Z", "hour 24"),
        ("2027-01-15T09:60:00Z", "minute 60"),
        ("2027-12-31T23:59:60Z", "leap seconds"),
        ("2027-01-15T09:00:00.Z", "digits after the decimal point"),
        ("2027-01-15T09:00:00+24:00", "out of range"),
        ("2027-01-15T09:00:00ZZ", "unexpected text"),
        ("2027-01-15", "a time and a UTC offset are required"),
        ("15/01/2027 09:00", "four-digit year"),
        ("", "empty"),
        ("tomorrow", "four-digit year"),
        ("2027-01-15T09:00:00+07:00[Asia/Ho_Chi_Minh]", "unexpected text"),
        ("２０２７-01-15T09:00:00Z", "four-digit year"),
    ])
    func invalid(text: String, reason: String) {
        guard
            let error = scheduleError({ () throws(ScheduleError) in
                try MeetingTime.parseInstant(text, field: "startsAt")
            })
        else { return }
        #expect(error.field == "startsAt")
        #expect(error.description.contains(reason), "\(error)")
        #expect(error.description.hasPrefix("startsAt '\(text)' is not a valid RFC 3339 date-time"))
    }

    @Test func longTextIsCutInTheMessage() {
        let text = "2027-01-15T09:00:00Z" + String(repeating: "x", count: 500)
        let error = scheduleError { () throws(ScheduleError) in try MeetingTime.parseInstant(text) }
        #expect(error?.description.count ?? 1000 < 200)
        #expect(error?.description.contains("…") == true)
    }

    @Test func controlCharactersAreShownEscaped() {
        let error = scheduleError { () throws(ScheduleError) in try MeetingTime.parseInstant("2027-01-15\n") }
        #expect(error?.description.contains("\n") == false)
        #expect(error?.description.contains("\\u{a}") == true)
    }

    @Test func formatsInUTCWithSeconds() {
        #expect(MeetingTime.rfc3339(instant("2027-01-15T09:00:00.900+07:00")) == "2027-01-15T02:00:00Z")
        #expect(MeetingTime.rfc3339(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(MeetingTime.rfc3339(instant("2028-02-29T23:59:59Z")) == "2028-02-29T23:59:59Z")
        #expect(MeetingTime.rfc3339(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
    }

    @Test func formatThenParseIsTheSameInstant() throws {
        var t = 1_700_000_000.0
        while t < 1_900_000_000 {
            let date = Date(timeIntervalSince1970: t)
            #expect(try MeetingTime.parseInstant(MeetingTime.rfc3339(date)) == date)
            t += 86_400 * 17 + 3_607
        }
    }
}

@Suite struct MeetingTimeTests {
    let now = instant("2027-01-10T00:00:00Z")

    func parse(_ start: String, _ end: String, _ zone: String = "Asia/Ho_Chi_Minh") throws(ScheduleError) -> MeetingTime
    {
        try MeetingTime.parse(startsAt: start, endsAt: end, timeZone: zone, now: now)
    }

    @Test func validMeeting() throws {
        let meeting = try parse("2027-01-15T09:00:00+07:00", "2027-01-15T10:30:00+07:00")
        #expect(meeting.startsAt == instant("2027-01-15T02:00:00Z"))
        #expect(meeting.endsAt == instant("2027-01-15T03:30:00Z"))
        #expect(meeting.timeZone == "Asia/Ho_Chi_Minh")
        #expect(meeting.duration == 5_400)
        #expect(meeting.zone.identifier == "Asia/Ho_Chi_Minh")
    }

    @Test func offsetsOfTheTwoEndsMayDiffer() throws {
        let meeting = try parse("2027-01-15T09:00:00+09:00", "2027-01-15T03:00:00Z", "Asia/Tokyo")
        #expect(meeting.duration == 3 * 3600)
    }

    @Test func endMustBeAfterStart() {
        let before = scheduleError { () throws(ScheduleError) in
            try parse("2027-01-15T10:00:00+07:00", "2027-01-15T09:00:00+07:00")
        }
        #expect(before?.description == "endsAt must be after startsAt")
        #expect(before?.field == "endsAt")
        let same = scheduleError { () throws(ScheduleError) in
            try parse("2027-01-15T09:00:00+07:00", "2027-01-15T02:00:00Z")
        }
        #expect(same == .endNotAfterStart(startField: "startsAt", endField: "endsAt"))
    }

    @Test func atMostTwentyFourHours() throws {
        _ = try parse("2027-01-15T09:00:00+07:00", "2027-01-16T09:00:00+07:00")
        let error = scheduleError { () throws(ScheduleError) in
            try parse("2027-01-15T09:00:00+07:00", "2027-01-16T09:00:01+07:00")
        }
        #expect(error == .durationTooLong(seconds: 86_401))
        #expect(error?.description.contains("at most 24 hours") == true)
        let long = scheduleError { () throws(ScheduleError) in
            try parse("2027-01-15T09:00:00+07:00", "2027-01-16T11:30:00+07:00")
        }
        #expect(long?.description == "endsAt is 26 h 30 min after startsAt; a meeting lasts at most 24 hours")
    }

    @Test func startMayBeAtMostFiveMinutesPast() throws {
        _ = try parse("2027-01-09T23:55:00Z", "2027-01-10T01:00:00Z")
        _ = try parse("2027-01-10T06:58:00+07:00", "2027-01-10T08:00:00+07:00")
        let error = scheduleError { () throws(ScheduleError) in
            try parse("2027-01-09T23:54:59Z", "2027-01-10T01:00:00Z")
        }
        #expect(error?.field == "startsAt")
        #expect(
            error?.description
                == "startsAt 2027-01-09T23:54:59Z is in the past (now is 2027-01-10T00:00:00Z); a meeting may start at most 5 minutes ago"
        )
    }

    @Test func startAtMostTwoYearsAhead() throws {
        _ = try parse("2029-01-10T00:00:00Z", "2029-01-10T01:00:00Z")
        let error = scheduleError { () throws(ScheduleError) in
            try parse("2029-01-10T00:00:01Z", "2029-01-10T01:00:00Z")
        }
        #expect(error?.description.contains("more than 2 years ahead") == true)
        // From 29 February, two years on is 28 February.
        let leapNow = instant("2028-02-29T12:00:00Z")
        #expect(MeetingTime.latestStart(now: leapNow) == instant("2030-02-28T12:00:00Z"))
    }

    @Test func leapDay() throws {
        let meeting = try MeetingTime.parse(
            startsAt: "2028-02-29T09:00:00+07:00", endsAt: "2028-02-29T10:00:00+07:00", timeZone: "Asia/Ho_Chi_Minh",
            now: now)
        #expect(MeetingTime.rfc3339(meeting.startsAt) == "2028-02-29T02:00:00Z")
        let error = scheduleError { () throws(ScheduleError) in
            try parse("2027-02-29T09:00:00+07:00", "2027-02-29T10:00:00+07:00")
        }
        #expect(error?.description.contains("February 2027 has 28 days") == true)
        #expect(error?.field == "startsAt")
    }

    @Test func fieldOfABadEnd() {
        let error = scheduleError { () throws(ScheduleError) in try parse("2027-01-15T09:00:00+07:00", "10:00") }
        #expect(error?.field == "endsAt")
        #expect(error?.description.hasPrefix("endsAt '10:00' is not a valid RFC 3339 date-time") == true)
    }

    @Test(arguments: [
        "Asia/Ho_Chi_Minh", "Asia/Tokyo", "America/New_York", "Asia/Kathmandu", "Europe/Paris", "UTC", "Etc/UTC",
        "Asia/Saigon",
    ])
    func knownZones(zone: String) throws {
        let meeting = try parse("2027-01-15T09:00:00+07:00", "2027-01-15T10:00:00+07:00", zone)
        #expect(meeting.timeZone == zone)
    }

    @Test func unknownZone() {
        let error = scheduleError { () throws(ScheduleError) in
            try parse("2027-01-15T09:00:00+07:00", "2027-01-15T10:00:00+07:00", "Mars/Olympus")
        }
        #expect(error?.field == "timeZone")
        #expect(error?.description.hasPrefix("unknown time zone 'Mars/Olympus'") == true)
        let empty = scheduleError { () throws(ScheduleError) in try MeetingTime.zone(named: "") }
        #expect(empty?.description.contains("empty") == true)
    }

    @Test func wrongCaseSuggestsTheName() {
        let error = scheduleError { () throws(ScheduleError) in try MeetingTime.zone(named: "asia/ho_chi_minh") }
        #expect(error == .unknownTimeZone(field: "timeZone", name: "asia/ho_chi_minh", suggestion: "Asia/Ho_Chi_Minh"))
        #expect(error?.description.contains("did you mean 'Asia/Ho_Chi_Minh'?") == true)
        let utc = scheduleError { () throws(ScheduleError) in try MeetingTime.zone(named: "utc") }
        #expect(utc?.description.contains("did you mean 'UTC'?") == true)
    }

    @Test(arguments: [
        ("EST", "America/New_York"), ("ICT", "Asia/Ho_Chi_Minh"), ("JST", "Asia/Tokyo"), ("GMT", "UTC"),
        ("CST", "Asia/Ho_Chi_Minh"), ("GMT+7", "Asia/Ho_Chi_Minh"), ("UTC+07:00", "Asia/Ho_Chi_Minh"),
    ])
    func abbreviationsAreRefused(name: String, suggested: String) {
        let error = scheduleError { () throws(ScheduleError) in
            try parse("2027-01-15T09:00:00+07:00", "2027-01-15T10:00:00+07:00", name)
        }
        #expect(error?.field == "timeZone")
        guard case .timeZoneAbbreviation = error else {
            Issue.record("\(name): \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("'\(name)' is an abbreviation") == true)
        #expect(error?.description.contains("'\(suggested)'") == true, "\(error!)")
    }
}
