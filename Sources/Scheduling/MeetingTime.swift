import Foundation

/// When a meeting takes place: two instants and the organiser's IANA time zone (which the
/// invitation's date text and the organiser's calendar read; the instants do not depend on it).
package struct MeetingTime: Sendable, Equatable {
    /// The start, an instant.
    package var startsAt: Date
    /// The end, an instant after `startsAt`.
    package var endsAt: Date
    /// The organiser's IANA time zone name, e.g. "Asia/Ho_Chi_Minh".
    package var timeZone: String

    /// The longest meeting: 24 hours.
    package static let maximumDuration: TimeInterval = 24 * 3600
    /// How far in the past a new or moved meeting may start: 5 minutes (a meeting set up "now").
    package static let pastTolerance: TimeInterval = 5 * 60
    /// How far ahead a meeting may start: 2 calendar years.
    package static let maximumLeadYears = 2
    /// The zone of the agency (Quảng Ninh): the default organiser's zone.
    package static let agencyTimeZone = "Asia/Ho_Chi_Minh"

    /// A time read back from storage, as it was validated when it was written (no checks).
    package init(startsAt: Date, endsAt: Date, timeZone: String) {
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.timeZone = timeZone
    }

    /// The organiser's zone; UTC if the stored name is no longer known to this machine.
    package var zone: TimeZone { TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")! }

    /// How long the meeting lasts.
    package var duration: TimeInterval { endsAt.timeIntervalSince(startsAt) }

    /// The meeting of a create or move request: both instants in RFC 3339, the zone an IANA name;
    /// the end after the start, at most 24 hours later, the start not more than 5 minutes before
    /// `now` and not more than 2 years after it.
    package static func parse(startsAt: String, endsAt: String, timeZone: String, now: Date) throws(ScheduleError)
        -> MeetingTime
    {
        let start = try parseInstant(startsAt, field: "startsAt")
        let end = try parseInstant(endsAt, field: "endsAt")
        return try validate(startsAt: start, endsAt: end, timeZone: timeZone, now: now)
    }

    /// The same checks as `parse`, on instants already read.
    package static func validate(startsAt: Date, endsAt: Date, timeZone: String, now: Date) throws(ScheduleError)
        -> MeetingTime
    {
        _ = try zone(named: timeZone)
        guard endsAt > startsAt else { throw .endNotAfterStart(startField: "startsAt", endField: "endsAt") }
        let duration = endsAt.timeIntervalSince(startsAt)
        guard duration <= maximumDuration else { throw .durationTooLong(seconds: Int(duration)) }
        guard startsAt >= now.addingTimeInterval(-pastTolerance) else {
            throw .startInPast(startsAt: startsAt, now: now)
        }
        let latest = latestStart(now: now)
        guard startsAt <= latest else { throw .startTooFarAhead(startsAt: startsAt, latest: latest) }
        return MeetingTime(startsAt: startsAt, endsAt: endsAt, timeZone: timeZone)
    }

    /// `now` plus 2 calendar years in UTC (29 February becomes 28 February).
    package static func latestStart(now: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(byAdding: .year, value: maximumLeadYears, to: now)
            ?? now.addingTimeInterval(Double(maximumLeadYears) * 365 * 86_400)
    }

    /// The zone an IANA name names: known to `TimeZone(identifier:)` and either "UTC" or a
    /// region name with a "/" ("Asia/Ho_Chi_Minh", "Etc/GMT-7"). Abbreviations ("EST", "ICT")
    /// are refused with a region to use instead, since their offsets ignore daylight saving time
    /// or are ambiguous.
    package static func zone(named name: String, field: String = "timeZone") throws(ScheduleError) -> TimeZone {
        if name == "UTC" { return TimeZone(identifier: "UTC")! }
        if name.contains("/"), let zone = TimeZone(identifier: name) { return zone }
        let letters = name.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("a"..."z").contains($0) }
        let upper = name.uppercased()
        let fixedOffset = ["GMT+", "GMT-", "UTC+", "UTC-"].contains { upper.hasPrefix($0) }
        if !name.contains("/"),
            (letters && (1...5).contains(name.count)) || fixedOffset
                || TimeZone(identifier: name) != nil
        {
            if upper == "UTC" { throw .unknownTimeZone(field: field, name: name, suggestion: "UTC") }
            throw .timeZoneAbbreviation(field: field, name: name, suggestion: abbreviations[upper])
        }
        let trimmed = name.trimmingCharacters(in: .whitespaces).lowercased()
        let suggestion = TimeZone.knownTimeZoneIdentifiers.first { $0.lowercased() == trimmed }
        throw .unknownTimeZone(field: field, name: name, suggestion: suggestion)
    }

    /// `2027-01-15T02:00:00Z`: UTC, whole seconds.
    package static func rfc3339(_ date: Date) -> String { RFC3339.format(date) }

    /// An RFC 3339 date-time with `Z` or a numeric offset and optional fractional seconds
    /// (calendar windows, proposed slots); `field` names it in the error.
    package static func parseInstant(_ text: String, field: String = "time") throws(ScheduleError) -> Date {
        switch RFC3339.parse(text) {
        case .success(let date): return date
        case .failure(let reason): throw .invalidDateTime(field: field, text: text, reason: reason.text)
        }
    }

    /// Regions to suggest for abbreviations people write; none for the ambiguous (CST, IST).
    private static let abbreviations: [String: String] = [
        "ICT": "Asia/Ho_Chi_Minh", "GMT": "UTC", "Z": "UTC", "JST": "Asia/Tokyo", "KST": "Asia/Seoul",
        "HKT": "Asia/Hong_Kong", "SGT": "Asia/Singapore", "NPT": "Asia/Kathmandu", "EST": "America/New_York",
        "EDT": "America/New_York", "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
        "CET": "Europe/Paris", "CEST": "Europe/Paris", "BST": "Europe/London", "AEST": "Australia/Sydney",
        "AEDT": "Australia/Sydney", "WIB": "Asia/Jakarta", "PHT": "Asia/Manila", "MYT": "Asia/Kuala_Lumpur",
    ]
}
