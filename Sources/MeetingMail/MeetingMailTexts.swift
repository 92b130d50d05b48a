/// The words of the meeting mails in the six languages investors read (vi, en, fr, ja, ko,
/// zh). Placeholders: `{name}` (the investor), `{title}` (the meeting), `{organisation}`
/// (the agency, from the agent pack). The agency's name and the recording and AI notice
/// come from the agent pack too (`agent.json`'s `organisation` and `notice`), so that the
/// mails say what the conversation itself says.
package struct MeetingMailTexts: Sendable {
    package var invitationSubject: String
    package var updateSubject: String
    package var cancellationSubject: String
    package var reminderSubject: String
    package var greeting: String
    package var invitationIntro: String
    package var updateIntro: String
    package var cancellationIntro: String
    package var reminderIntro: String
    /// The meeting's time in the investor's zone.
    package var yourTime: String
    /// The same time in Quảng Ninh (Asia/Ho_Chi_Minh).
    package var agencyTime: String
    package var agenda: String
    /// Before the personal join link.
    package var join: String
    /// After the link: the page it opens is where the investor says they cannot attend, or
    /// asks for the transcript (docs/protocol.md, "The investor's answers").
    package var answers: String
    /// For a cancellation and an update: the time it had.
    package var wasPlanned: String
    package var calendarAdds: String
    package var calendarRemoves: String
    package var closing: String
    /// Between a label and its value: ": ", French "\u{00A0}: ", the full-width "：".
    package var separator = ": "

    /// The texts of `language` (its primary subtag); English for any other.
    package static func of(_ language: String) -> MeetingMailTexts {
        let primary = language.split(separator: "-").first.map { String($0).lowercased() } ?? "en"
        return all[primary] ?? all["en"]!
    }

    package static let languages = ["vi", "en", "fr", "ja", "ko", "zh"]

    static let all: [String: MeetingMailTexts] = [
        "en": MeetingMailTexts(
            invitationSubject: "Invitation: {title}",
            updateSubject: "New time: {title}",
            cancellationSubject: "Cancelled: {title}",
            reminderSubject: "Reminder: {title}",
            greeting: "Dear {name},",
            invitationIntro: "{organisation} invites you to an online meeting: {title}.",
            updateIntro: "The meeting “{title}” has been moved. Please note the new time below; your link stays the same.",
            cancellationIntro:
                "The meeting “{title}” has been cancelled, and your link no longer works. We will contact you to arrange another date.",
            reminderIntro: "A reminder of your online meeting with {organisation}: {title}.",
            yourTime: "Your time",
            agencyTime: "Time in Viet Nam",
            agenda: "Agenda",
            join: "Join from your browser with your personal link (please do not share it):",
            answers:
                "On the same page you can tell us if you cannot attend, and ask for the transcript by e-mail.",
            wasPlanned: "Previously planned",
            calendarAdds: "The attached calendar file adds the meeting to your calendar.",
            calendarRemoves: "The attached calendar file removes the meeting from your calendar.",
            closing: "Kind regards,"),
        "vi": MeetingMailTexts(
            invitationSubject: "Thư mời: {title}",
            updateSubject: "Thay đổi thời gian: {title}",
            cancellationSubject: "Hủy cuộc họp: {title}",
            reminderSubject: "Nhắc lịch: {title}",
            greeting: "Kính gửi Ông/Bà {name},",
            invitationIntro: "{organisation} trân trọng kính mời Quý vị tham dự cuộc họp trực tuyến “{title}”.",
            updateIntro:
                "Cuộc họp “{title}” đã được dời sang thời gian mới như dưới đây; đường liên kết của Quý vị vẫn giữ nguyên.",
            cancellationIntro:
                "Cuộc họp “{title}” đã bị hủy và đường liên kết của Quý vị không còn sử dụng được. Chúng tôi sẽ liên hệ lại để sắp xếp thời gian khác. Rất mong Quý vị thông cảm.",
            reminderIntro: "Xin trân trọng nhắc Quý vị về cuộc họp trực tuyến “{title}” với {organisation}.",
            yourTime: "Giờ địa phương của Quý vị",
            agencyTime: "Giờ Việt Nam",
            agenda: "Nội dung",
            join:
                "Quý vị có thể tham gia trực tiếp trên trình duyệt bằng đường liên kết dành riêng cho Quý vị (vui lòng không chia sẻ):",
            answers:
                "Cũng trên trang này, Quý vị có thể thông báo cho chúng tôi nếu không thể tham dự, và đăng ký nhận biên bản cuộc họp qua thư điện tử.",
            wasPlanned: "Thời gian dự kiến trước đây",
            calendarAdds: "Tệp lịch đính kèm giúp Quý vị thêm cuộc họp vào lịch của mình.",
            calendarRemoves: "Tệp lịch đính kèm giúp Quý vị xóa cuộc họp khỏi lịch của mình.",
            closing: "Trân trọng,"),
        "fr": MeetingMailTexts(
            invitationSubject: "Invitation\u{00A0}: {title}",
            updateSubject: "Nouvel horaire\u{00A0}: {title}",
            cancellationSubject: "Annulation\u{00A0}: {title}",
            reminderSubject: "Rappel\u{00A0}: {title}",
            greeting: "Bonjour {name},",
            invitationIntro: "Nous avons le plaisir de vous inviter à la réunion en ligne «\u{00A0}{title}\u{00A0}».",
            updateIntro:
                "La réunion «\u{00A0}{title}\u{00A0}» a été déplacée. Veuillez noter le nouvel horaire ci-dessous\u{00A0}; votre lien reste le même.",
            cancellationIntro:
                "La réunion «\u{00A0}{title}\u{00A0}» est annulée et votre lien n’est plus valide. Nous reprendrons contact avec vous pour convenir d’une autre date.",
            reminderIntro:
                "Nous vous rappelons que votre réunion en ligne «\u{00A0}{title}\u{00A0}» aura lieu à l’horaire indiqué ci-dessous.",
            yourTime: "Votre heure locale",
            agencyTime: "Heure du Viêt Nam",
            agenda: "Ordre du jour",
            join: "Rejoignez la réunion depuis votre navigateur avec votre lien personnel (merci de ne pas le partager)\u{00A0}:",
            answers:
                "Sur la même page, vous pouvez nous indiquer que vous ne pourrez pas participer et demander à recevoir la transcription par e-mail.",
            wasPlanned: "Horaire initialement prévu",
            calendarAdds: "Le fichier de calendrier joint vous permet d’ajouter la réunion à votre agenda.",
            calendarRemoves: "Le fichier de calendrier joint vous permet de retirer la réunion de votre agenda.",
            closing: "Cordialement,", separator: "\u{00A0}: "),
        "ja": MeetingMailTexts(
            invitationSubject: "【ご招待】{title}",
            updateSubject: "【日時変更】{title}",
            cancellationSubject: "【中止】{title}",
            reminderSubject: "【リマインド】{title}",
            greeting: "{name} 様",
            invitationIntro: "{organisation}より、オンライン面談「{title}」にご招待申し上げます。",
            updateIntro: "オンライン面談「{title}」の日時が下記のとおり変更となりました。参加用リンクに変更はございません。",
            cancellationIntro:
                "誠に恐縮ながら、オンライン面談「{title}」は中止となり、参加用リンクも無効となりました。改めて日程調整のご連絡を差し上げます。",
            reminderIntro: "{organisation}とのオンライン面談「{title}」の開催が近づいてまいりましたので、改めてご案内申し上げます。",
            yourTime: "お客様の現地時間",
            agencyTime: "ベトナム時間",
            agenda: "議題",
            join: "下記のお客様専用リンクから、ブラウザでご参加いただけます（第三者への共有はお控えください）。",
            answers:
                "同じページから、ご出席いただけない場合のご連絡や、面談記録のメール送付のお申し込みができます。",
            wasPlanned: "予定していた日時",
            calendarAdds: "添付のカレンダーファイルから、本面談をお使いのカレンダーに追加いただけます。",
            calendarRemoves: "添付のカレンダーファイルで、お使いのカレンダーから本面談を削除いただけます。",
            closing: "何卒よろしくお願い申し上げます。", separator: "："),
        "ko": MeetingMailTexts(
            invitationSubject: "[초대] {title}",
            updateSubject: "[일정 변경] {title}",
            cancellationSubject: "[취소] {title}",
            reminderSubject: "[알림] {title}",
            greeting: "{name} 님께",
            invitationIntro: "{organisation}에서 온라인 회의 ‘{title}’에 귀하를 초대합니다.",
            updateIntro: "온라인 회의 ‘{title}’의 일정이 변경되었습니다. 변경된 일시는 아래와 같으며, 참가 링크는 기존과 동일합니다.",
            cancellationIntro:
                "온라인 회의 ‘{title}’ 일정이 취소되어 참가 링크는 더 이상 사용하실 수 없습니다. 양해 부탁드리며, 새 일정을 조율하여 다시 연락드리겠습니다.",
            reminderIntro: "곧 열리는 온라인 회의 ‘{title}’ 일정을 다시 안내해 드립니다.",
            yourTime: "귀하의 현지 시간",
            agencyTime: "베트남 시간",
            agenda: "안건",
            join: "아래 귀하 전용 링크로 브라우저에서 참가하실 수 있습니다(타인과 공유하지 말아 주십시오).",
            answers:
                "같은 페이지에서 참석이 어려우신 경우 알려 주시거나, 회의록을 이메일로 받도록 신청하실 수 있습니다.",
            wasPlanned: "기존 일정",
            calendarAdds: "첨부된 캘린더 파일로 회의를 캘린더에 추가하실 수 있습니다.",
            calendarRemoves: "첨부된 캘린더 파일로 캘린더에서 회의를 삭제하실 수 있습니다.",
            closing: "감사합니다."),
        "zh": MeetingMailTexts(
            invitationSubject: "会议邀请：{title}",
            updateSubject: "会议时间变更：{title}",
            cancellationSubject: "会议取消：{title}",
            reminderSubject: "会议提醒：{title}",
            greeting: "尊敬的{name}：",
            invitationIntro: "{organisation}诚挚邀请您参加线上会议“{title}”。",
            updateIntro: "线上会议“{title}”的时间已变更，新的时间如下；您的参会链接保持不变。",
            cancellationIntro: "线上会议“{title}”已取消，您的参会链接已失效。我们将另行与您联系，商定新的时间。",
            reminderIntro: "您与{organisation}的线上会议“{title}”即将举行，特此提醒。",
            yourTime: "您的当地时间",
            agencyTime: "越南时间",
            agenda: "议程",
            join: "请通过浏览器使用您的专属链接参会（请勿转发给他人）：",
            answers:
                "您也可以在同一页面告知我们您无法出席，或申请通过电子邮件接收会议记录。",
            wasPlanned: "原定时间",
            calendarAdds: "您可通过附件中的日历文件将会议添加到日历。",
            calendarRemoves: "您可通过附件中的日历文件将会议从日历中删除。",
            closing: "此致\n敬礼！", separator: "："),
    ]
}
