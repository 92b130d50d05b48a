import Foundation
import Testing

@testable import Mail

@Suite("MailMessage")
struct MailMessageTests {
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { $0 }
    }

    @Test("CRLF only, 7-bit, every line within 78 characters")
    func lineDiscipline() throws {
        for message in [try Samples.plain(), try Samples.full()]
            + (try Samples.subjects.map { try Samples.full(subject: $0.text) })
        {
            let bytes = message.rendered()
            #expect(bytes.suffix(2) == [0x0D, 0x0A])
            #expect(bytes.allSatisfy { $0 < 0x80 && $0 != 0 }, "8-bit or NUL byte in the message")
            for (index, byte) in bytes.enumerated() {
                if byte == 0x0A { #expect(index > 0 && bytes[index - 1] == 0x0D, "bare LF at \(index)") }
                if byte == 0x0D { #expect(index + 1 < bytes.count && bytes[index + 1] == 0x0A, "bare CR at \(index)") }
            }
            for line in Self.lines(bytes) {
                #expect(line.count - 1 <= 78, "line of \(line.count - 1): \(String(decoding: line, as: UTF8.self))")
            }
        }
    }

    @Test("text only: a single text/plain part")
    func textOnly() throws {
        let text = String(decoding: try Samples.plain().rendered(), as: UTF8.self)
        #expect(
            text.hasPrefix(
                "Date: Thu, 01 Jan 2026 09:00:00 +0000\r\nFrom: host@dialogue.example\r\nTo: guest@example.com\r\n"))
        #expect(
            text.contains(
                "\r\nSubject: Your meeting tomorrow\r\nMessage-ID: <out_plain123@dialogue.example>\r\nMIME-Version: 1.0\r\n"
            ))
        #expect(
            text.contains(
                "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHello,\r\n\r\nSee you tomorrow.\r\n"
            ))
        #expect(!text.contains("multipart"))
    }

    @Test("everything: mixed(alternative(text, html, calendar), calendar file, files), boundaries apart")
    func structure() throws {
        let bytes = try Samples.full().rendered()
        let text = String(decoding: bytes, as: UTF8.self)
        let boundaries = text.components(separatedBy: "boundary=\"").dropFirst().map {
            String($0.prefix(while: { $0 != "\"" }))
        }
        #expect(boundaries.count == 2)
        #expect(Set(boundaries).count == 2)
        for boundary in boundaries {
            #expect(boundary.hasPrefix("=_") && boundary.count == 30)
            // Used only as delimiter lines: "--b" at a line start, closed once with "--b--".
            let occurrences = text.components(separatedBy: boundary).count - 1
            let delimiters = text.components(separatedBy: "\r\n--" + boundary).count - 1
            #expect(occurrences == delimiters + 1)  // + the Content-Type parameter
            #expect(text.components(separatedBy: "\r\n--\(boundary)--\r\n").count == 2)
        }
        let mixed = try #require(text.range(of: "multipart/mixed"))
        let alternative = try #require(text.range(of: "multipart/alternative"))
        #expect(mixed.lowerBound < alternative.lowerBound)
        let order = [
            "text/plain", "text/html", "text/calendar; method=REQUEST", "application/ics", "application/json",
            "application/octet-stream",
        ]
        let positions = order.map { text.range(of: "Content-Type: " + $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(text.contains("Content-Disposition: attachment; filename=\"invite.ics\""))
        #expect(text.contains("Reply-To: replies@dialogue.example"))
        #expect(text.contains("X-Dialogue-Meeting: 42"))
    }

    @Test("boundaries are checked against the content")
    func boundaryAvoidsContent() {
        for _ in 0..<100 {
            let part = Array("--=_".utf8) + (0..<2000).map { _ in UInt8.random(in: 0x41...0x5A) }
            let boundary = MIMEEntity.boundary(notIn: [part])
            #expect(!part.contains(Array(boundary.utf8)))
        }
    }

    @Test("header injection through any caller text is refused")
    func injection() throws {
        let from = try MailAddress(parsing: "host@dialogue.example")
        let to = [try MailAddress(parsing: "guest@example.com")]
        func make(subject: String = "s", fromName: String? = nil, headers: [(name: String, value: String)] = []) throws
        {
            _ = try MailMessage(
                from: from, fromName: fromName, to: to, subject: subject, messageID: "<a@b>", date: Samples.date,
                textBody: "",
                extraHeaders: headers)
        }
        #expect(throws: MailMessageError.lineBreakInHeader(field: "Subject")) {
            try make(subject: "Hi\r\nBcc: victim@example.com")
        }
        #expect(throws: MailMessageError.lineBreakInHeader(field: "Subject")) { try make(subject: "Hi\nthere") }
        #expect(throws: MailMessageError.lineBreakInHeader(field: "From")) { try make(fromName: "Bob\r\nX: y") }
        #expect(throws: MailMessageError.lineBreakInHeader(field: "X-A")) {
            try make(headers: [("X-A", "1\r\nBcc: v@example.com")])
        }
        #expect(throws: MailMessageError.invalidHeaderName("X A")) { try make(headers: [("X A", "1")]) }
        #expect(throws: MailMessageError.invalidHeaderName("X:A")) { try make(headers: [("X:A", "1")]) }
        #expect(throws: MailMessageError.reservedHeader("BCC")) { try make(headers: [("BCC", "v@example.com")]) }
        #expect(throws: MailMessageError.reservedHeader("Subject")) { try make(headers: [("Subject", "again")]) }
        #expect(throws: MailMessageError.noRecipients) {
            _ = try MailMessage(from: from, to: [], subject: "s", messageID: "<a@b>", date: Samples.date, textBody: "")
        }
        #expect(throws: MailMessageError.invalidContentType("text")) {
            _ = try MailMessage(
                from: from, to: to, subject: "s", messageID: "<a@b>", date: Samples.date, textBody: "",
                attachments: [MailAttachment(filename: "a", contentType: "text", data: [])])
        }
        #expect(throws: MailMessageError.invalidAttachmentFilename("a\r\nb")) {
            _ = try MailMessage(
                from: from, to: to, subject: "s", messageID: "<a@b>", date: Samples.date, textBody: "",
                attachments: [MailAttachment(filename: "a\r\nb", contentType: "text/plain", data: [])])
        }
    }

    @Test(
        "Message-ID must be <left@right>",
        arguments: [
            ("<out_abc123@dialogue.example>", true),
            ("<a.b.c@d>", true),
            ("<x+y=z@host-1.example>", true),
            ("out_abc123@dialogue.example", false),
            ("<out_abc123@dialogue.example", false),
            ("<>", false),
            ("<@example>", false),
            ("<abc@>", false),
            ("<a@b@c>", false),
            ("<abc>", false),
            ("<a b@c>", false),
            ("<a..b@c>", false),
            ("<.a@c>", false),
            ("<a@c>\r\nBcc: x@y.z", false),
            ("<ça@c>", false),
            ("<" + String(repeating: "a", count: 250) + "@c>", false),
        ])
    func messageID(_ id: String, _ valid: Bool) {
        let result = Result { () throws(MailMessageError) in try MailMessage.checkMessageID(id) }
        if valid {
            #expect(throws: Never.self) { try result.get() }
        } else {
            #expect(throws: MailMessageError.self) { try result.get() }
            if case .failure(let error) = result { #expect(error.description.contains(id)) }
        }
    }

    @Test("every line stays within 998 octets even with a long unbreakable header word")
    func longHeaderWord() throws {
        let url = "<https://dialogue.example/unsubscribe/" + String(repeating: "x", count: 800) + ">"
        let message = try MailMessage(
            from: MailAddress(parsing: "a@example.com"), to: [MailAddress(parsing: "b@example.com")], subject: "s",
            messageID: "<a@b>", date: Samples.date, textBody: String(repeating: "y", count: 5000),
            extraHeaders: [("List-Unsubscribe", url)])
        let bytes = message.rendered()
        #expect(Self.lines(bytes).allSatisfy { $0.count - 1 <= 998 })
        #expect(String(decoding: bytes, as: UTF8.self).contains("List-Unsubscribe: " + url + "\r\n"))
        #expect(throws: MailMessageError.headerWordTooLong("X-Long")) {
            _ = try MailMessage(
                from: MailAddress(parsing: "a@example.com"), to: [MailAddress(parsing: "b@example.com")], subject: "s",
                messageID: "<a@b>", date: Samples.date, textBody: "",
                extraHeaders: [("X-Long", String(repeating: "z", count: 901))])
        }
    }
}

@Suite("Python's email package reads what we write")
struct PythonRoundTripTests {
    @Test(
        "no defects; the same subject, names, bodies, files and invitation",
        .enabled(if: Support.python3 != nil, "python3 is not installed"))
    func roundTrip() async throws {
        var messages = [try Samples.plain(), try Samples.full()]
        messages += try Samples.subjects.map { try Samples.full(subject: $0.text) }
        messages.append(try Samples.plain(subject: "Empty body", text: ""))
        messages.append(try Samples.plain(subject: "", text: "Empty subject"))
        messages.append(try Samples.plain(subject: "CR and LF", text: "one\rtwo\r\nthree\nfour"))
        let parsed = try await ParsedMessage.parse(messages.map { $0.rendered() })
        for (message, result) in zip(messages, parsed) {
            #expect(result.defects.isEmpty, "\(message.subject): \(result.defects)")
            #expect(result.subject == message.subject)
            #expect(result.messageID == message.messageID)
            #expect(result.date == "2026-01-01T09:00:00+00:00")
            #expect(result.text == expectedText(message.textBody))
            #expect(result.html == message.htmlBody.map(expectedText))
            let files = message.attachments
            #expect(result.attachments.map(\.filename) == files.map(\.filename))
            #expect(result.attachments.map(\.bytes) == files.map(\.data))
        }
        let full = parsed[1]
        #expect(full.from == "Nguyễn Thị Minh Khai <host@dialogue.example>")
        #expect(full.to == [#""Smith, Bob \"the guest\"" <guest@example.com>"#, "山田 太郎 <Other.Person@example.org>"])
        #expect(full.headers["Reply-To"] == "replies@dialogue.example")
        #expect(full.headers["X-Note"] == "Ghi chú: tiếng Việt")
        #expect(
            full.structure
                == "multipart/mixed(multipart/alternative(text/plain,text/html,text/calendar),application/ics,application/json,application/octet-stream)"
        )
        #expect(
            full.attachments.map(\.contentType) == ["application/ics", "application/json", "application/octet-stream"])
        // The invitation, read by icalendar from the alternative part (what Gmail and Outlook act on).
        #expect(
            full.calendars == [
                ParsedMessage.Calendar(
                    method: "REQUEST", summary: "Réunion de suivi", uid: "meeting-42@dialogue.example")
            ])
        #expect(parsed[0].structure == "text/plain")
    }
}
