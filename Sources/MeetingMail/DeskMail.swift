import Foundation
import Mail

/// The mail a desk of the agency gets when the assistant hands an investor's question over
/// to it: the question in the investor's words, who asked, in which meeting, why it came to
/// this desk, and a link to the officers' console. Written for the agency's staff, in the
/// pack's default language (Vietnamese for Quảng Ninh), English for any language without
/// texts here.
package struct DeskMail: Sendable {
    package var language: String
    package var desk: String
    package var deskAddress: MailAddress
    package var sender: MailAddress
    package var senderName: String
    package var sessionId: String
    package var title: String
    package var question: String
    package var questionLanguage: String
    package var investor: String
    package var organisation: String?
    package var reason: String
    package var consoleURL: String

    package init(
        language: String, desk: String, deskAddress: MailAddress, sender: MailAddress, senderName: String,
        sessionId: String, title: String, question: String, questionLanguage: String, investor: String,
        organisation: String?, reason: String, consoleURL: String
    ) {
        self.language = language
        self.desk = desk
        self.deskAddress = deskAddress
        self.sender = sender
        self.senderName = senderName
        self.sessionId = sessionId
        self.title = title
        self.question = question
        self.questionLanguage = questionLanguage
        self.investor = investor
        self.organisation = organisation
        self.reason = reason
        self.consoleURL = consoleURL
    }

    struct Texts {
        var subject, greeting, intro, investorLabel, questionLabel, reasonLabel, meetingLabel, consoleLabel, told: String
    }

    static let texts: [String: Texts] = [
        "vi": Texts(
            subject: "Câu hỏi chuyển đến {desk}: {title}",
            greeting: "Kính gửi {desk},",
            intro: "Trợ lý ảo đã chuyển đến Quý bộ phận một câu hỏi của nhà đầu tư trong buổi làm việc “{title}”.",
            investorLabel: "Nhà đầu tư", questionLabel: "Câu hỏi", reasonLabel: "Lý do chuyển",
            meetingLabel: "Buổi làm việc", consoleLabel: "Mở trên Bàn làm việc của cán bộ",
            told: "Nhà đầu tư đã được thông báo rằng Quý bộ phận sẽ liên hệ lại."),
        "en": Texts(
            subject: "Question for the {desk}: {title}",
            greeting: "Dear colleagues of the {desk},",
            intro: "The virtual assistant has passed an investor's question from the meeting “{title}” to your desk.",
            investorLabel: "Investor", questionLabel: "Question", reasonLabel: "Why it came to you",
            meetingLabel: "Meeting", consoleLabel: "Open in the console",
            told: "The investor was told that your desk will contact them."),
    ]

    private var chosen: Texts {
        let primary = language.split(separator: "-").first.map { String($0).lowercased() } ?? "en"
        return Self.texts[primary] ?? Self.texts["en"]!
    }

    private func fill(_ template: String) -> String {
        template.replacingOccurrences(of: "{desk}", with: MeetingMail.oneLine(desk))
            .replacingOccurrences(of: "{title}", with: MeetingMail.oneLine(title))
    }

    /// The subject line.
    package var subject: String { fill(chosen.subject) }

    /// The plain-text body.
    package func textBody() -> String {
        let texts = chosen
        var who = investor
        if let organisation, !organisation.isEmpty { who += " (\(organisation))" }
        // The language's name in the mail's language ("tiếng Nhật"), not its code.
        let spoken =
            Locale(identifier: language).localizedString(forLanguageCode: questionLanguage) ?? questionLanguage
        return [
            fill(texts.greeting), "", fill(texts.intro), "",
            "\(texts.investorLabel): \(who)",
            "\(texts.questionLabel) (\(spoken)):", question, "",
            "\(texts.reasonLabel): \(reason)",
            "\(texts.meetingLabel): \(MeetingMail.oneLine(title)) (\(sessionId))",
            "\(texts.consoleLabel): \(consoleURL)", "",
            texts.told, "", senderName,
        ].joined(separator: "\n")
    }

    /// The whole message.
    package func message(messageID: String, date: Date) throws(MailMessageError) -> MailMessage {
        try MailMessage(
            from: sender, fromName: MeetingMail.oneLine(senderName), to: [deskAddress],
            toNames: [deskAddress: MeetingMail.oneLine(desk)], subject: subject, messageID: messageID, date: date,
            textBody: textBody(), extraHeaders: [("Content-Language", Self.texts[language] == nil ? "en" : language)])
    }
}
