import Foundation

@testable import Mail

/// Messages the tests send, render and parse.
enum Samples {
    static let subjects: [(language: String, text: String)] = [
        (
            "Vietnamese",
            "Lời mời họp: Thảo luận về kế hoạch phát triển sản phẩm cho quý tới và phân công nhiệm vụ cụ thể cho từng thành viên"
        ),
        ("Japanese", "会議への招待：来四半期の製品開発計画と各メンバーへの具体的な作業分担についての打ち合わせ（オンライン参加も可能です）"),
        ("Chinese", "会议邀请：讨论下一季度的产品开发计划以及为每位成员分配具体任务，请准时参加并提前阅读附件中的资料"),
        ("Korean", "회의 초대: 다음 분기의 제품 개발 계획과 각 구성원에 대한 구체적인 업무 분담에 대해 논의합니다. 참석 여부를 알려 주세요"),
        (
            "French",
            "Invitation à la réunion : discussion du plan de développement du produit pour le trimestre prochain, répartition des tâches"
        ),
        ("Emoji", "Réunion 👩‍👩‍👧‍👦 famille 🇻🇳 🇯🇵 — ça va? "),
    ]

    static let calendar = Array(
        """
        BEGIN:VCALENDAR\r
        VERSION:2.0\r
        PRODID:-//Dialogue//Mail tests//EN\r
        METHOD:REQUEST\r
        BEGIN:VEVENT\r
        UID:meeting-42@dialogue.example\r
        DTSTAMP:20260101T090000Z\r
        DTSTART:20260102T090000Z\r
        DTEND:20260102T100000Z\r
        SUMMARY:Réunion de suivi\r
        ORGANIZER:mailto:host@dialogue.example\r
        ATTENDEE;RSVP=TRUE:mailto:guest@example.com\r
        END:VEVENT\r
        END:VCALENDAR\r

        """.utf8)

    static let date = Date(timeIntervalSince1970: 1_767_258_000)  // Thu, 01 Jan 2026 09:00:00 +0000

    static func plain(subject: String = "Your meeting tomorrow", text: String = "Hello,\n\nSee you tomorrow.\n") throws
        -> MailMessage
    {
        try MailMessage(
            from: MailAddress(parsing: "host@dialogue.example"), to: [MailAddress(parsing: "guest@example.com")],
            subject: subject, messageID: "<out_plain123@dialogue.example>", date: date, textBody: text)
    }

    /// Everything at once: names, Reply-To, HTML, an invitation, a JSON file and a file with a
    /// Japanese name, an extra header.
    static func full(subject: String = samplesSubject) throws -> MailMessage {
        let guest = try MailAddress(parsing: "guest@example.com")
        let other = try MailAddress(parsing: "Other.Person@Example.ORG")
        return try MailMessage(
            from: MailAddress(parsing: "host@dialogue.example"), fromName: "Nguyễn Thị Minh Khai",
            to: [guest, other], toNames: [guest: "Smith, Bob \"the guest\"", other: "山田 太郎"],
            replyTo: MailAddress(parsing: "replies@dialogue.example"),
            subject: subject, messageID: "<out_abc123@dialogue.example>", date: date,
            textBody: "Bonjour,\n.a line starting with a dot\n..two dots\n=equals= and trailing space \n"
                + String(repeating: "long line ", count: 30) + "\nFin.",
            htmlBody: "<p>Bonjour — <b>à demain</b></p>\n<p>.dot</p>",
            attachments: [
                MailAttachment(
                    filename: "invite.ics", contentType: "text/calendar; method=REQUEST; charset=UTF-8", data: calendar,
                    inline: true),
                MailAttachment(
                    filename: "agenda.json", contentType: "application/json", data: Array(#"{"items":["a","b"]}"#.utf8)),
                MailAttachment(
                    filename: "議事録・最終版（2026年1月）の確認用コピー.bin", contentType: "application/octet-stream",
                    data: (0..<2000).map { UInt8($0 % 256) }),
            ],
            extraHeaders: [(name: "X-Dialogue-Meeting", value: "42"), (name: "X-Note", value: "Ghi chú: tiếng Việt")])
    }

    static let samplesSubject = "Lời mời họp — 会議 — réunion"
}
