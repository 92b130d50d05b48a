import Foundation

/// One meeting invitation or its cancellation as an iCalendar object (RFC 5545) with an iTIP
/// method (RFC 5546), for a `text/calendar; method=…` part of a mail: what Outlook, Google
/// Calendar and Apple Calendar add to, update (same `uid`, higher `sequence`) or remove.
///
/// The times are written in UTC (`DTSTART:20270115T020000Z`), so no VTIMEZONE is needed and
/// every client shows them in its own user's zone.
package struct ICalendarInvitation: Sendable, Equatable {
    /// The iTIP method; the mail part's `method=` parameter must be the same (`contentType`).
    package enum Method: String, Sendable, Equatable {
        /// A new or updated invitation.
        case request = "REQUEST"
        /// The meeting is called off.
        case cancel = "CANCEL"
    }

    /// A calendar user: a display name and a mail address.
    package struct Person: Sendable, Equatable {
        package var name: String
        package var email: String
        package init(name: String, email: String) {
            self.name = name
            self.email = email
        }
    }

    package var method: Method
    /// Stable across updates and the cancellation of one invitation, e.g. "ses_abc-inv_def@host".
    package var uid: String
    /// 0 for the first invitation; one more for each change and for the cancellation.
    package var sequence: Int
    /// When this version was made.
    package var dtstamp: Date
    package var start: Date
    package var end: Date
    package var summary: String
    package var description: String
    package var location: String?
    /// The join link.
    package var url: String?
    package var organizer: Person
    package var attendee: Person
    /// The reminder the calendar shows before the start (requests only); nil for none.
    package var alarm: Duration? = .seconds(15 * 60)
    /// The PRODID: who made the file.
    package var productId = "-//Quang Ninh Investment Promotion Agency//dialogue-server//EN"

    package init(
        method: Method, uid: String, sequence: Int, dtstamp: Date, start: Date, end: Date, summary: String,
        description: String, location: String? = nil, url: String?, organizer: Person, attendee: Person
    ) {
        self.method = method
        self.uid = uid
        self.sequence = sequence
        self.dtstamp = dtstamp
        self.start = start
        self.end = end
        self.summary = summary
        self.description = description
        self.location = location
        self.url = url
        self.organizer = organizer
        self.attendee = attendee
    }

    /// The event's STATUS: CONFIRMED for a request, CANCELLED for a cancellation.
    package var status: String { method == .request ? "CONFIRMED" : "CANCELLED" }

    /// The Content-Type of the mail part (and of an attachment) that carries it.
    package var contentType: String { "text/calendar; charset=UTF-8; method=\(method.rawValue)" }

    /// The iCalendar text: CRLF line endings, lines folded at 75 octets.
    package func rendered() -> String {
        var lines = [
            "BEGIN:VCALENDAR",
            "PRODID:\(Self.clean(productId))",
            "VERSION:2.0",
            "CALSCALE:GREGORIAN",
            "METHOD:\(method.rawValue)",
            "BEGIN:VEVENT",
            "UID:\(Self.clean(uid))",
            "SEQUENCE:\(max(0, sequence))",
            "DTSTAMP:\(RFC3339.basic(dtstamp))",
            "DTSTART:\(RFC3339.basic(start))",
            "DTEND:\(RFC3339.basic(end))",
            "SUMMARY:\(Self.escapeText(summary))",
            "DESCRIPTION:\(Self.escapeText(description))",
        ]
        if let location, !location.isEmpty { lines.append("LOCATION:\(Self.escapeText(location))") }
        if let url, !url.isEmpty { lines.append("URL:\(Self.clean(url))") }
        lines.append("ORGANIZER;CN=\(Self.parameterValue(organizer.name)):\(Self.mailto(organizer.email))")
        lines.append(
            "ATTENDEE;CN=\(Self.parameterValue(attendee.name));ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:"
                + Self.mailto(attendee.email))
        lines.append("STATUS:\(status)")
        lines.append("TRANSP:OPAQUE")
        if method == .request, let alarm, alarm > .zero {
            lines += [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                "TRIGGER:\(Self.trigger(alarm))",
                "DESCRIPTION:\(Self.escapeText(summary))",
                "END:VALARM",
            ]
        }
        lines += ["END:VEVENT", "END:VCALENDAR"]
        return lines.map(Self.fold).joined(separator: "\r\n") + "\r\n"
    }

    /// A content line folded at 75 octets (RFC 5545 § 3.1): the first physical line holds at most
    /// 75 octets, each continuation line a space and at most 74 more, and a line never breaks
    /// inside a UTF-8 sequence. Lines are joined with CRLF.
    package static func fold(_ line: String) -> String {
        var out = ""
        var used = 0
        for scalar in line.unicodeScalars {
            let size = UTF8.width(scalar)
            if used + size > 75 {
                out += "\r\n "
                used = 1
            }
            out.unicodeScalars.append(scalar)
            used += size
        }
        return out
    }

    /// A TEXT value (RFC 5545 § 3.3.11): `\` `;` `,` escaped, line breaks as `\n`, other control
    /// characters (not allowed in TEXT) dropped, tabs kept.
    package static func escapeText(_ text: String) -> String {
        var out = ""
        var previousCR = false
        for scalar in text.unicodeScalars {
            defer { previousCR = scalar == "\r" }
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r": out += "\\n"
            case "\n": if !previousCR { out += "\\n" }
            case "\t": out.unicodeScalars.append(scalar)
            default:
                if scalar.properties.generalCategory != .control { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// A parameter value such as CN (RFC 5545 § 3.1): `"` (never allowed) becomes `'`, control
    /// characters become spaces, and the value is quoted when it holds `:` `;` or `,`.
    package static func parameterValue(_ text: String) -> String {
        var value = ""
        for scalar in text.unicodeScalars {
            if scalar == "\"" {
                value += "'"
            } else if scalar.properties.generalCategory == .control {
                value += " "
            } else {
                value.unicodeScalars.append(scalar)
            }
        }
        value = value.trimmingCharacters(in: .whitespaces)
        return value.contains(where: { ":;,".contains($0) }) ? "\"\(value)\"" : value
    }

    /// `mailto:` and the address without control characters or spaces.
    static func mailto(_ email: String) -> String {
        "mailto:" + String(String.UnicodeScalarView(email.unicodeScalars.filter { !isControlOrSpace($0) }))
    }

    /// A value written as is (UID, URL, PRODID) without control characters.
    static func clean(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.properties.generalCategory != .control }))
    }

    /// `-PT15M`, or in seconds when not whole minutes.
    static func trigger(_ before: Duration) -> String {
        let seconds = before.components.seconds
        return seconds % 60 == 0 ? "-PT\(seconds / 60)M" : "-PT\(seconds)S"
    }

    private static func isControlOrSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || scalar.properties.isWhitespace
    }
}
