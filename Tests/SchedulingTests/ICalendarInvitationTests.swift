import Foundation
import Scheduling
import Testing

/// An invitation as the server writes them: tricky names, a multi-line description.
func sampleInvitation(
    method: ICalendarInvitation.Method = .request, sequence: Int = 0,
    summary: String = "Investment dialogue: Vân Đồn SEZ, logistics; Q&A",
    attendee: ICalendarInvitation.Person = .init(name: "Tanaka \"Ken\", Sato Corp", email: "ken.tanaka@example.jp"),
    start: String = "2027-01-15T09:00:00+07:00", end: String = "2027-01-15T10:00:00+07:00"
) -> ICalendarInvitation {
    ICalendarInvitation(
        method: method, uid: "ses_abc-inv_def@ipa.example.vn", sequence: sequence,
        dtstamp: instant("2027-01-10T08:30:15Z"),
        start: instant(start), end: instant(end), summary: summary,
        description: "Join: https://meet.example.vn/j/abc?t=1\nInterpreters: vi, ja; C:\\notes, room 2",
        location: "Online (Hạ Long, Quảng Ninh)", url: "https://meet.example.vn/j/abc?t=1&lang=ja",
        organizer: .init(name: "Ban Xúc tiến và Hỗ trợ đầu tư Quảng Ninh", email: "ipa@example.vn"), attendee: attendee)
}

/// The physical lines of an iCalendar text (split at CRLF), as bytes.
func physicalLines(_ text: String) -> [[UInt8]] {
    var lines: [[UInt8]] = [[]]
    let bytes = Array(text.utf8)
    var i = 0
    while i < bytes.count {
        if bytes[i] == 13, i + 1 < bytes.count, bytes[i + 1] == 10 {
            lines.append([])
            i += 2
        } else {
            lines[lines.count - 1].append(bytes[i])
            i += 1
        }
    }
    if lines.last == [] { lines.removeLast() }
    return lines
}

/// The content lines: physical lines with their continuations joined (RFC 5545 § 3.1).
func unfolded(_ text: String) -> [String] {
    text.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n").filter { !$0.isEmpty }
}

/// A TEXT value read back.
func unescapeText(_ value: String) -> String {
    var out = ""
    var escaped = false
    for c in value {
        if escaped {
            out.append(c == "n" || c == "N" ? "\n" : c)
            escaped = false
        } else if c == "\\" {
            escaped = true
        } else {
            out.append(c)
        }
    }
    return out
}

@Suite struct ICalendarInvitationTests {
    @Test func exactRequest() {
        let invitation = ICalendarInvitation(
            method: .request, uid: "ses_abc-inv_def@host", sequence: 2, dtstamp: instant("2027-01-10T08:30:15Z"),
            start: instant("2027-01-15T09:00:00+07:00"), end: instant("2027-01-15T10:00:00+07:00"), summary: "Dialogue",
            description: "Line one\nLine two", location: nil, url: "https://meet.example.vn/j/abc",
            organizer: .init(name: "IPA Quảng Ninh", email: "ipa@example.vn"),
            attendee: .init(name: "Ken Tanaka", email: "ken@example.jp"))
        let expected =
            [
                "BEGIN:VCALENDAR",
                "PRODID:-//Quang Ninh Investment Promotion Agency//dialogue-server//EN",
                "VERSION:2.0",
                "CALSCALE:GREGORIAN",
                "METHOD:REQUEST",
                "BEGIN:VEVENT",
                "UID:ses_abc-inv_def@host",
                "SEQUENCE:2",
                "DTSTAMP:20270110T083015Z",
                "DTSTART:20270115T020000Z",
                "DTEND:20270115T030000Z",
                "SUMMARY:Dialogue",
                "DESCRIPTION:Line one\\nLine two",
                "URL:https://meet.example.vn/j/abc",
                "ORGANIZER;CN=IPA Quảng Ninh:mailto:ipa@example.vn",
                "ATTENDEE;CN=Ken Tanaka;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE",  // 75 octets
                " :mailto:ken@example.jp",
                "STATUS:CONFIRMED",
                "TRANSP:OPAQUE",
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                "TRIGGER:-PT15M",
                "DESCRIPTION:Dialogue",
                "END:VALARM",
                "END:VEVENT",
                "END:VCALENDAR",
            ].joined(separator: "\r\n") + "\r\n"
        #expect(invitation.rendered() == expected)
        #expect(invitation.contentType == "text/calendar; charset=UTF-8; method=REQUEST")
    }

    @Test func cancelKeepsTheEventAndHasNoAlarm() {
        let request = unfolded(sampleInvitation(method: .request, sequence: 0).rendered())
        let cancel = unfolded(sampleInvitation(method: .cancel, sequence: 1).rendered())
        #expect(request.contains("METHOD:REQUEST"))
        #expect(request.contains("STATUS:CONFIRMED"))
        #expect(request.contains("BEGIN:VALARM"))
        #expect(request.contains("SEQUENCE:0"))
        #expect(cancel.contains("METHOD:CANCEL"))
        #expect(cancel.contains("STATUS:CANCELLED"))
        #expect(cancel.contains("SEQUENCE:1"))
        #expect(!cancel.contains { $0.contains("VALARM") || $0.hasPrefix("TRIGGER") })
        #expect(!cancel.contains("STATUS:CONFIRMED") && !cancel.contains("METHOD:REQUEST"))
        // The same event: uid, times, organizer and attendee as in the request.
        for prefix in ["UID:", "DTSTART:", "DTEND:", "ORGANIZER", "ATTENDEE", "SUMMARY:"] {
            #expect(request.filter { $0.hasPrefix(prefix) } == cancel.filter { $0.hasPrefix(prefix) }, "\(prefix)")
        }
        #expect(sampleInvitation(method: .cancel).contentType == "text/calendar; charset=UTF-8; method=CANCEL")
        // Exactly one METHOD, before the event.
        #expect(cancel.filter { $0.hasPrefix("METHOD:") }.count == 1)
        #expect(cancel.firstIndex(of: "METHOD:CANCEL")! < cancel.firstIndex(of: "BEGIN:VEVENT")!)
    }

    @Test func crlfOnly() {
        for method in [ICalendarInvitation.Method.request, .cancel] {
            let bytes = Array(sampleInvitation(method: method).rendered().utf8)
            #expect(bytes.suffix(2) == [13, 10])
            for (i, b) in bytes.enumerated() {
                if b == 10 { #expect(i > 0 && bytes[i - 1] == 13, "bare LF at \(i)") }
                if b == 13 { #expect(i + 1 < bytes.count && bytes[i + 1] == 10, "bare CR at \(i)") }
            }
            #expect(!bytes.contains(0))
        }
    }

    @Test func longVietnameseSummaryFoldsOnCharacterBoundaries() throws {
        let words = "Hội nghị xúc tiến đầu tư tỉnh Quảng Ninh với các nhà đầu tư Nhật Bản về khu kinh tế Vân Đồn, "
        var summary = ""
        while summary.count < 200 { summary += words }
        summary = String(summary.prefix(200))
        #expect(summary.count == 200)
        #expect(summary.utf8.count > 250)  // many 2- and 3-byte characters
        let text = sampleInvitation(summary: summary).rendered()
        let lines = physicalLines(text)
        for (n, line) in lines.enumerated() {
            #expect(line.count <= 75, "line \(n) has \(line.count) octets")
            // Each physical line on its own is whole UTF-8: no character was split.
            #expect(String(validating: line, as: UTF8.self) != nil, "line \(n) splits a character")
        }
        // The summary's continuation lines start with one space, then no further space was added.
        let summaryStart = try #require(lines.firstIndex { $0.starts(with: Array("SUMMARY:".utf8)) })
        #expect(lines[summaryStart + 1].first == 32)
        #expect(lines.filter { $0.first == 32 }.count >= 4)
        // Folding is lossless: unfolding gives the line, unescaping the summary.
        let line = try #require(unfolded(text).first { $0.hasPrefix("SUMMARY:") })
        #expect(line == "SUMMARY:" + ICalendarInvitation.escapeText(summary))
        #expect(unescapeText(String(line.dropFirst("SUMMARY:".count))) == summary)
        // The lines before folding were long: the limit is exercised.
        #expect(line.utf8.count > 150)
    }

    @Test func foldingLimits() {
        let exact = String(repeating: "a", count: 75)
        #expect(ICalendarInvitation.fold(exact) == exact)
        #expect(ICalendarInvitation.fold(exact + "b") == exact + "\r\n b")
        // 74 ASCII octets then a 3-octet character: it moves to the next line whole.
        let line = String(repeating: "a", count: 74) + "ệ" + "z"
        #expect(ICalendarInvitation.fold(line) == String(repeating: "a", count: 74) + "\r\n ệz")
        // Continuation lines carry 74 octets after their space.
        let long = String(repeating: "x", count: 75 + 74 + 10)
        let folded = ICalendarInvitation.fold(long).components(separatedBy: "\r\n")
        #expect(folded.map(\.utf8.count) == [75, 75, 11])
        // A 4-octet emoji is never split either.
        let emoji = String(repeating: "b", count: 73) + "🇻🇳"
        #expect(
            ICalendarInvitation.fold(emoji).components(separatedBy: "\r\n").map(\.utf8.count).allSatisfy { $0 <= 75 })
        #expect(ICalendarInvitation.fold(emoji).replacingOccurrences(of: "\r\n ", with: "") == emoji)
    }

    @Test func textEscaping() {
        #expect(ICalendarInvitation.escapeText("a\\b;c,d\ne\r\nf\rg") == "a\\\\b\\;c\\,d\\ne\\nf\\ng")
        #expect(ICalendarInvitation.escapeText("tab\there\u{7}bell\u{0}") == "tab\therebell")
        #expect(ICalendarInvitation.escapeText("Quảng Ninh: 2027") == "Quảng Ninh: 2027")  // ':' is not escaped in TEXT
        let text = sampleInvitation().rendered()
        let description = unfolded(text).first { $0.hasPrefix("DESCRIPTION:J") }
        #expect(
            description
                == "DESCRIPTION:Join: https://meet.example.vn/j/abc?t=1\\nInterpreters: vi\\, ja\\; C:\\\\notes\\, room 2"
        )
        #expect(unfolded(text).contains("SUMMARY:Investment dialogue: Vân Đồn SEZ\\, logistics\\; Q&A"))
        #expect(unfolded(text).contains("LOCATION:Online (Hạ Long\\, Quảng Ninh)"))
    }

    @Test func parameterNames() {
        #expect(ICalendarInvitation.parameterValue("Nguyễn Văn An") == "Nguyễn Văn An")
        #expect(ICalendarInvitation.parameterValue("Tanaka \"Ken\", Sato Corp") == "\"Tanaka 'Ken', Sato Corp\"")
        #expect(ICalendarInvitation.parameterValue("A;B") == "\"A;B\"")
        #expect(ICalendarInvitation.parameterValue("Dr. Who: CEO") == "\"Dr. Who: CEO\"")
        #expect(ICalendarInvitation.parameterValue("Line\r\nBreak") == "Line  Break")
        let text = unfolded(sampleInvitation().rendered())
        #expect(
            text.contains {
                $0.hasPrefix(
                    "ATTENDEE;CN=\"Tanaka 'Ken', Sato Corp\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:ken.tanaka@example.jp"
                )
            })
        #expect(text.contains("ORGANIZER;CN=Ban Xúc tiến và Hỗ trợ đầu tư Quảng Ninh:mailto:ipa@example.vn"))
    }

    @Test func noLineCanBeInjected() {
        var invitation = sampleInvitation(
            summary: "Hi\r\nATTENDEE:mailto:evil@example.com",
            attendee: .init(
                name: "X\nATTENDEE:mailto:evil@example.com", email: "ken@example.jp\r\nATTENDEE:mailto:evil@example.com"
            ))
        invitation.uid = "u1\r\nMETHOD:CANCEL"
        invitation.url = "https://x\r\nSTATUS:CANCELLED"
        let lines = unfolded(invitation.rendered())
        #expect(lines.filter { $0.hasPrefix("ATTENDEE") }.count == 1)
        #expect(!lines.contains { $0.hasPrefix("ATTENDEE:") })
        #expect(lines.filter { $0.hasPrefix("METHOD") } == ["METHOD:REQUEST"])
        #expect(!lines.contains("STATUS:CANCELLED"))
    }

    @Test func sequenceAndAlarmChoices() {
        var invitation = sampleInvitation(sequence: 7)
        #expect(unfolded(invitation.rendered()).contains("SEQUENCE:7"))
        invitation.sequence = -1
        #expect(unfolded(invitation.rendered()).contains("SEQUENCE:0"))
        invitation.alarm = .seconds(3_600)
        #expect(unfolded(invitation.rendered()).contains("TRIGGER:-PT60M"))
        invitation.alarm = .seconds(90)
        #expect(unfolded(invitation.rendered()).contains("TRIGGER:-PT90S"))
        invitation.alarm = nil
        #expect(!invitation.rendered().contains("VALARM"))
        invitation.location = nil
        invitation.url = nil
        #expect(!invitation.rendered().contains("LOCATION") && !invitation.rendered().contains("\r\nURL"))
    }
}
