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
    /// The same as Markdown (the text part, for mail programs that show no HTML).
    package var markdown: String
    /// The signed export.
    package var json: [UInt8]
    /// Its file name, without extension: the archive's (the transcript's footer names it).
    package var fileName: String

    package init(
        sessionId: String, title: String, name: String, language: String, email: MailAddress, sender: MailAddress,
        organisation: String, html: String, markdown: String, json: [UInt8], fileName: String
    ) {
        self.sessionId = sessionId
        self.title = title
        self.name = name
        self.language = language
        self.email = email
        self.sender = sender
        self.organisation = organisation
        self.html = html
        self.markdown = markdown
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
            body: "Thank you for taking part in the online meeting “{title}”. Its transcript in English follows; it is also attached as a signed file (JSON), which anyone can verify with the agency’s public key.",
            closing: "Kind regards,"),
        "vi": Texts(
            subject: "Biên bản: {title}", greeting: "Kính gửi Ông/Bà {name},",
            body: "Trân trọng cảm ơn Quý vị đã tham dự cuộc họp trực tuyến “{title}”. Biên bản cuộc họp bằng tiếng Việt được trình bày dưới đây. Kèm theo thư này là tệp biên bản có chữ ký số (định dạng JSON); bất kỳ ai cũng có thể xác minh tệp này bằng khóa công khai của Ban.",
            closing: "Trân trọng,"),
        "fr": Texts(
            subject: "Transcription\u{00A0}: {title}", greeting: "Bonjour {name},",
            body: "Nous vous remercions d’avoir participé à la réunion en ligne «\u{00A0}{title}\u{00A0}». Vous en trouverez ci-dessous la transcription en français. Elle est également jointe sous forme de fichier signé (JSON), dont chacun peut vérifier l’authenticité avec la clé publique de l’agence.",
            closing: "Cordialement,"),
        "ja": Texts(
            subject: "【面談記録】{title}", greeting: "{name} 様",
            body: "オンライン面談「{title}」にご参加いただき、誠にありがとうございました。本面談の記録（日本語版）を以下のとおりお送りいたします。あわせて、同じ記録の署名付きファイル（JSON）を添付しております。このファイルは、当局の公開鍵を用いて、どなたでも改ざんの有無をご確認いただけます。",
            closing: "何卒よろしくお願い申し上げます。"),
        "ko": Texts(
            subject: "[회의록] {title}", greeting: "{name} 님께",
            body: "온라인 회의 ‘{title}’에 참석해 주셔서 감사합니다. 회의록(한국어)을 아래와 같이 보내 드립니다. 아울러 같은 회의록을 전자 서명된 파일(JSON)로 첨부해 드리며, 이 파일은 누구나 저희 기관의 공개 키로 검증할 수 있습니다.",
            closing: "감사합니다."),
        "zh": Texts(
            subject: "会议记录：{title}", greeting: "尊敬的{name}：",
            body: "感谢您参加线上会谈“{title}”。本次会谈的中文会议记录见下文；另附带有数字签名的记录文件（JSON格式），任何人均可使用本局公钥验证其真实性。",
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

    /// The note, then the transcript (Markdown): for mail programs that show no HTML.
    package func textBody() -> String {
        let texts = Self.texts[primary]!
        return [fill(texts.greeting), "", fill(texts.body), "", texts.closing, organisation, "", "---", "", markdown]
            .joined(separator: "\n")
    }

    /// The transcript's HTML with the note at the top of its body, escaped.
    package func htmlBody() -> String {
        let texts = Self.texts[primary]!
        let note = [fill(texts.greeting), fill(texts.body), texts.closing + " " + organisation]
            .map { "<p>" + Self.escape($0) + "</p>" }.joined(separator: "\n")
        let block = "<section class=\"mail-note\">\n\(note)\n</section>\n"
        guard let body = html.range(of: "<body"), let end = html[body.upperBound...].firstIndex(of: ">") else {
            return block + html
        }
        var out = html
        out.insert(contentsOf: "\n" + block, at: out.index(after: end))
        return out
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "\n", with: "<br>")
    }

    package func message(messageID: String, date: Date) throws(MailMessageError) -> MailMessage {
        try MailMessage(
            from: sender, fromName: MeetingMail.oneLine(organisation), to: [email],
            toNames: [email: MeetingMail.oneLine(name)], subject: subject, messageID: messageID, date: date,
            textBody: textBody(), htmlBody: htmlBody(),
            attachments: [
                MailAttachment(filename: fileName + ".json", contentType: "application/json", data: json)
            ],
            extraHeaders: [("Content-Language", primary)])
    }
}
