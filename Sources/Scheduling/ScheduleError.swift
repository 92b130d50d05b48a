import Foundation

/// Why a schedule, a time zone, a calendar window or a reminder plan was refused, and which
/// field it was about. `description` is the sentence to show the user (an HTTP 400's reason).
package enum ScheduleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `text` is not an RFC 3339 date-time (or, for calendar windows, a plain date).
    case invalidDateTime(field: String, text: String, reason: String)
    /// Not a time zone this machine knows; `suggestion` is a name differing only in case.
    case unknownTimeZone(field: String, name: String, suggestion: String?)
    /// An abbreviation ("EST", "ICT") or a fixed offset, not an IANA region name.
    case timeZoneAbbreviation(field: String, name: String, suggestion: String?)
    /// The end is at or before the start (`startField`/`endField`: "startsAt"/"endsAt", "from"/"to").
    case endNotAfterStart(startField: String, endField: String)
    /// The meeting lasts longer than `MeetingTime.maximumDuration`.
    case durationTooLong(seconds: Int)
    /// The start is more than `MeetingTime.pastTolerance` before now.
    case startInPast(startsAt: Date, now: Date)
    /// The start is more than `MeetingTime.maximumLeadYears` ahead of now.
    case startTooFarAhead(startsAt: Date, latest: Date)
    /// A calendar window longer than `CalendarWindow.maximumSpanDays`.
    case windowTooLong(seconds: Int)
    /// A reminder plan option ("24h,15m") that does not read.
    case invalidReminderPlan(text: String, reason: String)

    /// The request field the error is about.
    package var field: String {
        switch self {
        case .invalidDateTime(let field, _, _), .unknownTimeZone(let field, _, _),
            .timeZoneAbbreviation(let field, _, _):
            field
        case .endNotAfterStart(_, let endField): endField
        case .durationTooLong: "endsAt"
        case .startInPast, .startTooFarAhead: "startsAt"
        case .windowTooLong: "to"
        case .invalidReminderPlan: "reminders"
        }
    }

    package var description: String {
        switch self {
        case .invalidDateTime(let field, let text, let reason):
            "\(field) \(Self.quoted(text)) is not a valid RFC 3339 date-time "
                + "(e.g. 2027-01-15T09:00:00+07:00): \(reason)"
        case .unknownTimeZone(_, let name, let suggestion):
            if name.isEmpty {
                "the time zone is empty; an IANA name such as 'Asia/Ho_Chi_Minh' is expected"
            } else if let suggestion {
                "unknown time zone \(Self.quoted(name)); did you mean '\(suggestion)'?"
            } else {
                "unknown time zone \(Self.quoted(name)); an IANA name such as 'Asia/Ho_Chi_Minh' "
                    + "or 'Europe/Paris' is expected"
            }
        case .timeZoneAbbreviation(_, let name, let suggestion):
            "time zone \(Self.quoted(name)) is an abbreviation or a fixed offset, not an IANA time zone name "
                + "(offsets change with daylight saving time); use a region name such as "
                + (suggestion.map { "'\($0)'" } ?? "'Asia/Ho_Chi_Minh' or 'Europe/Paris'")
        case .endNotAfterStart(let startField, let endField):
            "\(endField) must be after \(startField)"
        case .durationTooLong(let seconds):
            "endsAt is \(Self.hoursAndMinutes(seconds)) after startsAt; a meeting lasts at most 24 hours"
        case .startInPast(let startsAt, let now):
            "startsAt \(RFC3339.format(startsAt)) is in the past (now is \(RFC3339.format(now))); "
                + "a meeting may start at most 5 minutes ago"
        case .startTooFarAhead(let startsAt, let latest):
            "startsAt \(RFC3339.format(startsAt)) is more than 2 years ahead (at the latest \(RFC3339.format(latest)))"
        case .windowTooLong(let seconds):
            "the window from 'from' to 'to' spans \(Self.days(seconds)) days; at most 366 days may be asked at once"
        case .invalidReminderPlan(let text, let reason):
            "reminders \(Self.quoted(text)): \(reason) (expected e.g. '24h,15m' with units d, h, m, or 'none')"
        }
    }

    /// The user's text in quotes, cut at 64 characters and with control characters shown as `\u{…}`
    /// so that a message never carries a raw newline or a whole request body.
    static func quoted(_ text: String) -> String {
        var shown = ""
        for (count, scalar) in text.unicodeScalars.enumerated() {
            if count == 64 {
                shown += "…"
                break
            }
            if scalar.properties.generalCategory == .control {
                shown += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
        return "'\(shown)'"
    }

    private static func hoursAndMinutes(_ seconds: Int) -> String {
        let minutes = seconds / 60
        return minutes % 60 == 0 ? "\(minutes / 60) h" : "\(minutes / 60) h \(minutes % 60) min"
    }

    private static func days(_ seconds: Int) -> String {
        seconds % 86_400 == 0 ? "\(seconds / 86_400)" : String(format: "%.1f", Double(seconds) / 86_400)
    }
}
