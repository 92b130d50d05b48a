import Foundation

/// The span of a calendar query (`?from=…&to=…`): `[from, to)`, `to` after `from`, at most
/// 366 days.
package struct CalendarWindow: Sendable, Equatable {
    /// The first instant in the window.
    package let from: Date
    /// The first instant after the window (exclusive).
    package let to: Date

    /// The longest window: 366 days (a leap year).
    package static let maximumSpanDays = 366

    package init(from: Date, to: Date) throws(ScheduleError) {
        guard to > from else { throw .endNotAfterStart(startField: "from", endField: "to") }
        let span = to.timeIntervalSince(from)
        guard span <= Double(Self.maximumSpanDays * 86_400) else { throw .windowTooLong(seconds: Int(span)) }
        self.from = from
        self.to = to
    }

    /// The window of two query values, each an RFC 3339 date-time or a plain date `YYYY-MM-DD`
    /// meaning midnight UTC at its start (so `to=2027-02-01` ends with the last moment of January).
    package static func parse(from: String, to: String) throws(ScheduleError) -> CalendarWindow {
        try CalendarWindow(from: instant(from, field: "from"), to: instant(to, field: "to"))
    }

    /// An RFC 3339 date-time or a plain date (midnight UTC).
    package static func instant(_ text: String, field: String) throws(ScheduleError) -> Date {
        if text.utf8.count == 10, case .success(let date) = RFC3339.parseDate(text) { return date }
        if text.utf8.count == 10, case .failure(let reason) = RFC3339.parseDate(text),
            text.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        {
            throw .invalidDateTime(field: field, text: text, reason: reason.text)
        }
        return try MeetingTime.parseInstant(text, field: field)
    }

    /// Whether a meeting `[start, end)` shares any moment with the window.
    package func overlaps(start: Date, end: Date) -> Bool { start < to && end > from }
}
