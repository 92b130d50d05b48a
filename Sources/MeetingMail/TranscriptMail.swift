import Foundation
import Mail

/// The mail an investor who asked for it gets once their meeting is over: a note in their
/// language, the transcript itself as the HTML part (rendered in their language), and the
/// signed export (JSON) attached, which anyone can verify against the agency's public key.
package struct TranscriptMail: Sendable {
    package var sessionId: String
    package var title: String
    package var name: String
    package var language: String
    package var email: MailAddress
    package var sender: MailAddress
    package var organisation: String
    /// The transcript as HTML, in the investor's language.
    package var html: String
    /// The signed export.
    package var json: [UInt8]
    /// Its file name, without extension: the archive's (the transcript's footer names it).
    package var fileName: String

    package init(
        sessionId: String, title: String, name: String, language: String, email: MailAddress, sender: MailAddress,
        organisation: String, html: String, json: [UInt8], fileName: String
    ) {
        self.sessionId = sessionId
        self.title = title
        self.name = name
        self.language = language
        self.email = email
        self.sender = sender
        self.organisation = organisation
        self.html = html
        self.json = json
        self.fileName = fileName
    }

    struct Texts {
        var subject, greeting, body, closing: String
        var separator = ": "
    }

    static let texts: [String: Texts] = [
        "en": Texts(
            subject: "Transcript: {title}", greeting: "Dear {name},",
            body: "Thank you for taking part in the meeting “{title}”. Its transcript follows, in your language, and is attached as a signed file (JSON) that anyone can check against the agency’s published key.",
            closing: "Kind regards,"),
        "vi": Texts(
            subject: "Biên bản: {title}", greeting: "Kính gửi Ông/Bà {name},",
            body: "Cảm ơn Quý vị đã tham dự cuộc họp “{title}”. Biên bản cuộc họp bằng ngôn ngữ của Quý vị được gửi kèm dưới đây, cùng với tệp biên bản có chữ ký số (JSON) để bất kỳ ai cũng có thể đối chiếu với khóa công khai của Ban.",
            closing: "Trân trọng,"),
        "fr": Texts(
            subject: "Transcription\u{00A0}: {title}", greeting: "Bonjour {name},",
            body: "Merci d’avoir participé à la réunion «\u{00A0}{title}\u{00A0}». Vous en trouverez ci-dessous la transcription dans votre langue, ainsi qu’en pièce jointe un fichier signé (JSON) que chacun peut vérifier avec la clé publique de l’agence.",
            closing: "Cordialement,"),
        "ja": Texts(
            subject: "【議事録】{title}", greeting: "{name} 様",
            body: "オンライン会議「{title}」にご参加いただき、誠にありがとうございました。会議の記録をお客様の言語で下記にお送りいたします。あわせて、当局の公開鍵で検証できる署名付きファイル（JSON）を添付しております。",
            closing: "何卒よろしくお願い申し上げます。"),
        "ko": Texts(
            subject: "[회의록] {title}", greeting: "{name} 님께",
            body: "온라인 회의 ‘{title}’에 참석해 주셔서 감사합니다. 회의록을 귀하의 언어로 아래에 보내 드리며, 기관의 공개 키로 검증할 수 있는 서명된 파일(JSON)을 첨부합니다.",
            closing: "감사합니다."),
        "zh": Texts(
            subject: "会议记录：{title}", greeting: "尊敬的{name}：",
            body: "感谢您参加线上会议“{title}”。会议记录（您的语言版本）附于下方，另附可通过本局公钥验证的签名文件（JSON）。",
            closing: "此致\n敬礼！"),
    ]

    private var primary: String {
        let code = language.split(separator: "-").first.map { String($0).lowercased() } ?? "en"
        return Self.texts[code] == nil ? "en" : code
    }

    private func fill(_ template: String) -> String {
        template.replacingOccurrences(of: "{name}", with: MeetingMail.oneLine(name))
            .replacingOccurrences(of: "{title}", with: MeetingMail.oneLine(title))
    }

    package var subject: String { fill(Self.texts[primary]!.subject) }

    /// The note for mail programs that show no HTML.
    package func textBody() -> String {
        let texts = Self.texts[primary]!
        return [fill(texts.greeting), "", fill(texts.body), "", texts.closing, organisation].joined(separator: "\n")
    }

    package func message(messageID: String, date: Date) throws(MailMessageError) -> MailMessage {
        try MailMessage(
            from: sender, fromName: MeetingMail.oneLine(organisation), to: [email],
            toNames: [email: MeetingMail.oneLine(name)], subject: subject, messageID: messageID, date: date,
            textBody: textBody(), htmlBody: html,
            attachments: [
                MailAttachment(filename: fileName + ".json", contentType: "application/json", data: json)
            ],
            extraHeaders: [("Content-Language", primary)])
    }
}
