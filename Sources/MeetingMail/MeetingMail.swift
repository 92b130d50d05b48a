import Dialogue
import Foundation
import Mail
import Scheduling

/// What a meeting mail is about: the four moments an invited investor hears of.
package enum MeetingMailKind: String, Sendable, CaseIterable {
    /// The first mail: the link, the time and a calendar request.
    case invitation
    /// The meeting moved: the new time and a calendar request with a higher sequence.
    case update
    /// The meeting is called off: a calendar cancellation.
    case cancellation
    /// Before the start: the time and the link again, no calendar file.
    case reminder
}

/// One investor's mail about one meeting, composed with no I/O: the texts in the investor's
/// language, the time in their zone and in Quảng Ninh's, and the iCalendar part (RFC 5545)
/// whose UID stays the same for the whole life of the invitation, so calendars update or
/// remove the one entry.
package struct MeetingMail: Sendable {
    /// The investor as invited.
    package struct Invitee: Sendable {
        package var inviteId: String
        package var name: String
        package var language: String
        package var email: MailAddress
        /// IANA zone; the meeting's own zone when nil.
        package var timeZone: String?

        package init(inviteId: String, name: String, language: String, email: MailAddress, timeZone: String?) {
            self.inviteId = inviteId
            self.name = name
            self.language = language
            self.email = email
            self.timeZone = timeZone
        }
    }

    /// The agency as the agent pack names it, in the invitee's language.
    package struct Sender: Sendable {
        package var address: MailAddress
        /// `agent.json`'s `organisation`.
        package var organisation: String
        /// `agent.json`'s `notice`: the recording and the assistant, as the conversation says them.
        package var notice: String

        package init(address: MailAddress, organisation: String, notice: String) {
            self.address = address
            self.organisation = organisation
            self.notice = notice
        }
    }

    package var kind: MeetingMailKind
    package var sessionId: String
    package var title: String
    package var agenda: String?
    package var time: MeetingTime
    /// The calendar sequence of this version of the meeting (`SessionInfo.Schedule.sequence`).
    package var sequence: Int
    /// For an update: when it was before.
    package var previousTime: MeetingTime?
    package var invitee: Invitee
    package var sender: Sender
    /// The personal join link; nil when it cannot be repeated (a cancellation needs none).
    package var joinURL: String?
    /// The host part of Message-IDs and UIDs (the sender address's domain).
    package var host: String

    package init(
        kind: MeetingMailKind, sessionId: String, title: String, agenda: String?, time: MeetingTime, sequence: Int,
        previousTime: MeetingTime? = nil, invitee: Invitee, sender: Sender, joinURL: String?, host: String
    ) {
        self.kind = kind
        self.sessionId = sessionId
        self.title = title
        self.agenda = agenda
        self.time = time
        self.sequence = sequence
        self.previousTime = previousTime
        self.invitee = invitee
        self.sender = sender
        self.joinURL = joinURL
        self.host = host
    }

    /// The Quảng Ninh zone every mail shows beside the investor's.
    package static let agencyZone = "Asia/Ho_Chi_Minh"

    /// The calendar UID of this invitation: one per investor and session, whatever changes.
    package var calendarUID: String { "\(sessionId)-\(invitee.inviteId)@\(host)" }

    package var texts: MeetingMailTexts { MeetingMailTexts.of(invitee.language) }

    /// The subject line.
    package var subject: String {
        let template: String
        switch kind {
        case .invitation: template = texts.invitationSubject
        case .update: template = texts.updateSubject
        case .cancellation: template = texts.cancellationSubject
        case .reminder: template = texts.reminderSubject
        }
        return fill(template)
    }

    /// The iCalendar part: a request for an invitation or an update, a cancellation for a
    /// cancellation, none for a reminder.
    package func calendar(stamp: Date) -> ICalendarInvitation? {
        let method: ICalendarInvitation.Method
        switch kind {
        case .invitation, .update: method = .request
        case .cancellation: method = .cancel
        case .reminder: return nil
        }
        var description = fill(kind == .cancellation ? texts.cancellationIntro : texts.invitationIntro)
        if let agenda, !agenda.isEmpty { description += "\n\n" + texts.agenda + texts.separator + agenda }
        if let joinURL, kind != .cancellation { description += "\n\n\(texts.join)\n\(joinURL)" }
        description += "\n\n\(sender.notice)"
        return ICalendarInvitation(
            method: method, uid: calendarUID, sequence: sequence, dtstamp: stamp, start: time.startsAt,
            end: time.endsAt, summary: title, description: description,
            url: kind == .cancellation ? nil : joinURL,
            organizer: .init(name: Self.oneLine(sender.organisation), email: sender.address.address),
            attendee: .init(name: invitee.name, email: invitee.email.address))
    }

    /// The plain-text body.
    package func textBody() -> String {
        var lines = [fill(texts.greeting), ""]
        lines.append(fill(intro))
        lines.append("")
        lines.append(contentsOf: rows().map { $0.label + texts.separator + $0.value })
        if kind != .cancellation, let joinURL {
            lines += ["", texts.join, joinURL, texts.answers]
        }
        if kind != .cancellation { lines += ["", sender.notice] }
        if let calendarNote { lines += ["", calendarNote] }
        lines += ["", texts.closing, sender.organisation]
        return lines.joined(separator: "\n")
    }

    /// The HTML body: the same content, every value escaped.
    package func htmlBody() -> String {
        var html = "<!DOCTYPE html>\n<html lang=\"\(escape(primaryLanguage))\"><head><meta charset=\"utf-8\">"
        html += "<title>\(escape(subject))</title></head>\n<body style=\"font-family:sans-serif;line-height:1.5\">\n"
        html += "<p>\(escape(fill(texts.greeting)))</p>\n<p>\(escape(fill(intro)))</p>\n<table>\n"
        for row in rows() {
            html += "<tr><th style=\"text-align:left;padding-right:1em\">\(escape(row.label))</th>"
            html += "<td>\(escape(row.value))</td></tr>\n"
        }
        html += "</table>\n"
        if kind != .cancellation, let joinURL {
            html += "<p>\(escape(texts.join))<br><a href=\"\(escape(joinURL))\">\(escape(joinURL))</a><br>"
            html += "\(escape(texts.answers))</p>\n"
        }
        if kind != .cancellation { html += "<p style=\"color:#555\">\(escape(sender.notice))</p>\n" }
        if let calendarNote { html += "<p>\(escape(calendarNote))</p>\n" }
        let closing = texts.closing.split(separator: "\n").map { escape(String($0)) }.joined(separator: "<br>")
        html += "<p>\(closing)<br>\(escape(sender.organisation))</p>\n</body></html>\n"
        return html
    }

    /// The whole message, with `messageID` (the outbox's, so a repeat is recognisable).
    package func message(messageID: String, date: Date) throws(MailMessageError) -> MailMessage {
        var attachments: [MailAttachment] = []
        if let calendar = calendar(stamp: date) {
            // Inline as the last alternative (the Accept/Decline buttons of Outlook and Gmail)
            // and as invite.ics for the clients that show attachments only.
            attachments.append(
                MailAttachment(
                    filename: "invite.ics", contentType: calendar.contentType, data: Array(calendar.rendered().utf8),
                    inline: true))
        }
        return try MailMessage(
            from: sender.address, fromName: Self.oneLine(sender.organisation), to: [invitee.email],
            toNames: [invitee.email: Self.oneLine(invitee.name)], subject: subject, messageID: messageID, date: date,
            textBody: textBody(), htmlBody: htmlBody(), attachments: attachments,
            extraHeaders: [("Content-Language", primaryLanguage)])
    }

    // MARK: Pieces

    private var intro: String {
        switch kind {
        case .invitation: texts.invitationIntro
        case .update: texts.updateIntro
        case .cancellation: texts.cancellationIntro
        case .reminder: texts.reminderIntro
        }
    }

    private var calendarNote: String? {
        switch kind {
        case .invitation, .update: texts.calendarAdds
        case .cancellation: texts.calendarRemoves
        case .reminder: nil
        }
    }

    private var primaryLanguage: String {
        let primary = invitee.language.split(separator: "-").first.map { String($0).lowercased() } ?? "en"
        return MeetingMailTexts.languages.contains(primary) ? primary : "en"
    }

    private var investorZone: TimeZone {
        invitee.timeZone.flatMap(TimeZone.init(identifier:)) ?? time.zone
    }

    /// The labelled lines under the introduction: when (a cancellation: when it was to be),
    /// when it was before a move, and the agenda.
    private func rows() -> [(label: String, value: String)] {
        var rows: [(label: String, value: String)]
        if kind == .cancellation {
            rows = [(texts.wasPlanned, dateText(time, zone: investorZone))]
        } else {
            rows = timeLines(time)
            if kind == .update, let previousTime {
                rows.append((texts.wasPlanned, dateText(previousTime, zone: investorZone)))
            }
        }
        if let agenda, !agenda.isEmpty { rows.append((texts.agenda, agenda)) }
        return rows
    }

    /// The time in the investor's zone, then in Quảng Ninh's (once when they are the same).
    private func timeLines(_ meeting: MeetingTime) -> [(label: String, value: String)] {
        let agency = TimeZone(identifier: Self.agencyZone) ?? time.zone
        var lines = [(texts.yourTime, dateText(meeting, zone: investorZone))]
        if investorZone.secondsFromGMT(for: meeting.startsAt) != agency.secondsFromGMT(for: meeting.startsAt)
            || investorZone.identifier != agency.identifier
        {
            lines.append((texts.agencyTime, dateText(meeting, zone: agency)))
        }
        return lines
    }

    private func dateText(_ meeting: MeetingTime, zone: TimeZone) -> String {
        MeetingDateText.text(start: meeting.startsAt, end: meeting.endsAt, zone: zone, language: primaryLanguage)
    }

    private func fill(_ template: String) -> String {
        template.replacingOccurrences(of: "{name}", with: Self.oneLine(invitee.name))
            .replacingOccurrences(of: "{title}", with: Self.oneLine(title))
            .replacingOccurrences(of: "{organisation}", with: Self.oneLine(sender.organisation))
    }

    /// `text` with line breaks and other control characters as spaces: a subject or a name
    /// in a header must stay on one line (the API refuses them already; this is the second
    /// guard, so that no stored value can make a mail impossible to write).
    static func oneLine(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map {
                    $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}" ? " " : $0
                }))
    }

    private func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
