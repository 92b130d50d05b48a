import Foundation
import Mail

/// The mails an investor who asked for a meeting on the public page gets: the
/// acknowledgement, and the answer when it is declined (an acceptance is the invitation
/// itself, `MeetingMail`). In the investor's language; the proposed times in their zone.
package struct RequestMail: Sendable {
    package enum Kind: String, Sendable { case acknowledgement, declined }

    package var kind: Kind
    package var name: String
    package var language: String
    package var email: MailAddress
    package var sender: MailAddress
    package var organisation: String
    /// The desk's name in the investor's language.
    package var topic: String
    /// The proposed times, written for the investor (`MeetingDateText`).
    package var slots: [String]
    /// For a decline: the reason, a phrase of the pack in the investor's language.
    package var reason: String?

    package init(
        kind: Kind, name: String, language: String, email: MailAddress, sender: MailAddress, organisation: String,
        topic: String, slots: [String], reason: String?
    ) {
        self.kind = kind
        self.name = name
        self.language = language
        self.email = email
        self.sender = sender
        self.organisation = organisation
        self.topic = topic
        self.slots = slots
        self.reason = reason
    }

    struct Texts {
        var ackSubject, ackBody, declineSubject, declineBody: String
    }

    static let texts: [String: Texts] = [
        "en": Texts(
            ackSubject: "We have received your meeting request",
            ackBody: "Thank you for requesting a meeting with {organisation} (desk: {topic}). An officer will reply shortly and, where possible, send an invitation for one of the times you proposed:",
            declineSubject: "Your meeting request",
            declineBody: "Thank you for your meeting request (desk: {topic}). Unfortunately we are unable to accept it, for the following reason:"),
        "vi": Texts(
            ackSubject: "Chúng tôi đã nhận được yêu cầu đặt lịch họp của Quý vị",
            ackBody: "Xin cảm ơn Quý vị đã gửi tới {organisation} yêu cầu đặt lịch họp với {topic}. Cán bộ của Ban sẽ sớm phản hồi và gửi thư mời họp vào một trong các thời điểm Quý vị đã đề xuất dưới đây:",
            declineSubject: "Phản hồi yêu cầu đặt lịch họp của Quý vị",
            declineBody: "Xin cảm ơn Quý vị đã gửi yêu cầu đặt lịch họp với {topic}. Rất tiếc, chúng tôi chưa thể sắp xếp cuộc họp này:"),
        "fr": Texts(
            ackSubject: "Nous avons bien reçu votre demande d’entretien",
            ackBody: "Nous vous remercions de votre demande d’entretien avec l’agence (sujet\u{00A0}: «\u{00A0}{topic}\u{00A0}»). Un conseiller vous répondra prochainement et, dans la mesure du possible, vous adressera une invitation pour l’un des créneaux que vous avez proposés\u{00A0}:",
            declineSubject: "Votre demande d’entretien",
            declineBody: "Nous vous remercions de votre demande d’entretien (sujet\u{00A0}: «\u{00A0}{topic}\u{00A0}»). Nous ne sommes malheureusement pas en mesure d’y donner suite, pour la raison suivante\u{00A0}:"),
        "ja": Texts(
            ackSubject: "【受付完了】面談のお申し込みを受け付けました",
            ackBody: "このたびは、{organisation}との面談（ご相談窓口：「{topic}」）をお申し込みいただき、誠にありがとうございます。担当職員より追ってご連絡いたします。下記のご希望日時のいずれかで面談が可能な場合は、ご招待をお送りいたします。",
            declineSubject: "面談のお申し込みについて",
            declineBody: "このたびは、面談（ご相談窓口：「{topic}」）をお申し込みいただき、誠にありがとうございました。大変申し訳ございませんが、下記の理由により、今回はご希望に沿いかねます。",
        ),
        "ko": Texts(
            ackSubject: "[접수 완료] 상담 신청이 접수되었습니다",
            ackBody: "{organisation}에 ‘{topic}’ 관련 상담을 신청해 주셔서 감사합니다. 담당 직원이 곧 회신드리며, 가능하면 제안해 주신 아래 일시 중 하나로 초대장을 보내 드리겠습니다.",
            declineSubject: "상담 신청에 대한 안내",
            declineBody: "‘{topic}’ 관련 상담을 신청해 주셔서 감사합니다. 안타깝게도 이번 신청은 받아들이기 어렵게 되었습니다."),
        "zh": Texts(
            ackSubject: "已收到您的会谈申请",
            ackBody: "感谢您申请与{organisation}会谈（咨询窗口：{topic}）。工作人员将尽快回复，并从您提出的以下时间中选定其一，向您发出会谈邀请：",
            declineSubject: "关于您的会谈申请",
            declineBody: "感谢您提出会谈申请（咨询窗口：{topic}）。很遗憾，我们无法安排此次会谈，原因如下："),
    ]

    private var primary: String {
        let code = language.split(separator: "-").first.map { String($0).lowercased() } ?? "en"
        return Self.texts[code] == nil ? "en" : code
    }

    private var meetingTexts: MeetingMailTexts { MeetingMailTexts.of(primary) }

    private func fill(_ template: String) -> String {
        template.replacingOccurrences(of: "{topic}", with: MeetingMail.oneLine(topic))
            .replacingOccurrences(of: "{organisation}", with: MeetingMail.oneLine(organisation))
    }

    package var subject: String {
        let texts = Self.texts[primary]!
        return kind == .acknowledgement ? texts.ackSubject : texts.declineSubject
    }

    package func textBody() -> String {
        let texts = Self.texts[primary]!
        var lines = [meetingTexts.greeting.replacingOccurrences(of: "{name}", with: MeetingMail.oneLine(name)), ""]
        switch kind {
        case .acknowledgement:
            lines.append(fill(texts.ackBody))
            lines += slots.map { "- " + $0 }
        case .declined:
            lines.append(fill(texts.declineBody))
            if let reason { lines.append(reason) }
        }
        lines += ["", meetingTexts.closing, organisation]
        return lines.joined(separator: "\n")
    }

    package func message(messageID: String, date: Date) throws(MailMessageError) -> MailMessage {
        try MailMessage(
            from: sender, fromName: MeetingMail.oneLine(organisation), to: [email],
            toNames: [email: MeetingMail.oneLine(name)], subject: subject, messageID: messageID, date: date,
            textBody: textBody(), extraHeaders: [("Content-Language", primary)])
    }
}
