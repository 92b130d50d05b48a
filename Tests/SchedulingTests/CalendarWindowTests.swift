import Foundation
import Scheduling
import Testing

@Suite struct CalendarWindowTests {
    @Test func plainDatesAreMidnightUTC() throws {
        let window = try CalendarWindow.parse(from: "2027-01-01", to: "2027-02-01")
        #expect(window.from == instant("2027-01-01T00:00:00Z"))
        #expect(window.to == instant("2027-02-01T00:00:00Z"))
    }

    @Test func dateTimesAndMixed() throws {
        let window = try CalendarWindow.parse(from: "2027-01-01T09:00:00+07:00", to: "2027-01-03")
        #expect(window.from == instant("2027-01-01T02:00:00Z"))
        #expect(window.to == instant("2027-01-03T00:00:00Z"))
    }

    @Test func toMustBeAfterFrom() {
        let error = scheduleError { () throws(ScheduleError) in
            try CalendarWindow.parse(from: "2027-01-02", to: "2027-01-02")
        }
        #expect(error?.description == "to must be after from")
        #expect(error?.field == "to")
    }

    @Test func atMost366Days() throws {
        _ = try CalendarWindow.parse(from: "2028-01-01", to: "2029-01-01")  // 366 days, a leap year
        let error = scheduleError { () throws(ScheduleError) in
            try CalendarWindow.parse(from: "2027-01-01", to: "2028-01-03")
        }
        #expect(error == .windowTooLong(seconds: 367 * 86_400))
        #expect(error?.description.contains("367 days") == true)
    }

    @Test(arguments: ["2027-02-29", "2027-1-5", "2027/01/05", "20270105", "2027-01-05T00:00", "yesterday", ""])
    func badValues(text: String) {
        let error = scheduleError { () throws(ScheduleError) in try CalendarWindow.parse(from: text, to: "2027-06-01") }
        #expect(error?.field == "from")
        if text == "2027-02-29" { #expect(error?.description.contains("February 2027 has 28 days") == true) }
    }

    @Test func overlaps() throws {
        let window = try CalendarWindow.parse(from: "2027-01-10", to: "2027-01-11")
        func meeting(_ a: String, _ b: String) -> Bool { window.overlaps(start: instant(a), end: instant(b)) }
        #expect(meeting("2027-01-10T09:00:00Z", "2027-01-10T10:00:00Z"))
        #expect(meeting("2027-01-09T23:00:00Z", "2027-01-10T00:30:00Z"))  // starts before, ends inside
        #expect(meeting("2027-01-10T23:30:00Z", "2027-01-11T01:00:00Z"))  // starts inside, ends after
        #expect(meeting("2027-01-09T00:00:00Z", "2027-01-12T00:00:00Z"))  // covers it
        #expect(!meeting("2027-01-09T23:00:00Z", "2027-01-10T00:00:00Z"))  // ends as it opens
        #expect(!meeting("2027-01-11T00:00:00Z", "2027-01-11T01:00:00Z"))  // starts as it closes
        #expect(!meeting("2027-01-12T00:00:00Z", "2027-01-12T01:00:00Z"))
    }
}
