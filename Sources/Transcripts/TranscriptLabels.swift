import Dialogue

/// The fixed wording of rendered transcripts in one language (en, fr, vi, ja, ko, zh).
/// Templates hold `{name}` placeholders filled by `fill(_:_:)`.
package struct TranscriptLabels: Sendable {
    /// The language code these labels are in (the page's `lang`).
    package var code: String
    /// Heading word: "Transcript".
    package var transcript: String
    /// Metadata row labels.
    package var session, status, created, ended, languages, agent, assistantMode, participants: String
    /// Session status values.
    package var statusLive, statusEnded: String
    /// Assistant modes.
    package var modeAuto, modeReview, modeOff: String
    /// Shown for an empty value.
    package var none: String
    /// Role names.
    package var officer, reviewer, investor, assistant: String
    /// Events section heading, and the line shown when there are none.
    package var conversation, noEvents: String
    /// Tags before a question, an answer, a draft.
    package var question, answer, draft: String
    /// Shown instead of a redacted text.
    package var redacted: String
    /// Sentences for events without text; `{target}`, `{mode}`, `{action}`, `{about}`, `{state}` are filled in.
    package var joined, left, mute, unmute, remove, assistantSet, moderation, endedSession, statusAbout: String
    /// States of a question (`status` events).
    package var reviewing, answered, rejected, handedOver: String
    /// Labels under answers.
    package var sources, contact: String
    /// Notes.
    package var note, otherNotes: String
    /// Verification section.
    package var verification, lastEvent, chainHead, signature, publicKey, howToVerify, compareKey, exitCodes: String
    /// An investor's rating of answer `{about}`; a shared file's `{name}`, `{type}`, `{size}`, `{sha256}` (issue 19).
    package var ratedHelpful = "", ratedUnhelpful = "", sharedFile = ""
    /// The pack's reasons for an unhelpful rating in this language, by id (an unknown id is shown as it is).
    package var ratingReasons: [String: String] = [:]

    /// The labels with the sentences of ratings and shared files.
    func withFeedback(helpful: String, unhelpful: String, shared: String) -> TranscriptLabels {
        var labels = self
        (labels.ratedHelpful, labels.ratedUnhelpful, labels.sharedFile) = (helpful, unhelpful, shared)
        return labels
    }

    /// The labels for `language` (its primary subtag), English when there are none for it.
    package static func forLanguage(_ language: String?) -> TranscriptLabels {
        switch language.map({ LanguageTag.base($0).lowercased() }) {
        case "fr": return french
        case "vi": return vietnamese
        case "ja": return japanese
        case "ko": return korean
        case "zh": return chinese
        default: return english
        }
    }

    /// `template` with each `{key}` replaced by its value.
    package static func fill(_ template: String, _ values: [String: String]) -> String {
        // One pass, so a value that itself contains `{…}` is left as written.
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "}") else { return out + rest[open...] }
            let key = String(rest[afterOpen..<close])
            out += values[key] ?? "{\(key)}"
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// A role's name; unknown roles as written.
    package func role(_ role: String) -> String {
        switch role {
        case Role.officer.rawValue: return officer
        case Role.reviewer.rawValue: return reviewer
        case Role.investor.rawValue: return investor
        case Role.assistant.rawValue: return assistant
        case Role.interpreter.rawValue: return interpreter
        default: return role
        }
    }

    /// An assistant mode's name; unknown modes as written.
    package func mode(_ mode: String) -> String {
        switch mode {
        case AssistantMode.auto.rawValue: return modeAuto
        case AssistantMode.review.rawValue: return modeReview
        case AssistantMode.off.rawValue: return modeOff
        default: return mode
        }
    }

    /// A question state's name; unknown states as written.
    package func state(_ state: String) -> String {
        switch state {
        case "reviewing": return reviewing
        case "answered": return answered
        case "rejected": return rejected
        case "handed_over": return handedOver
        default: return state
        }
    }

    /// English.
    package static let english = TranscriptLabels(
        code: "en", transcript: "Transcript",
        session: "Session", status: "Status", created: "Created", ended: "Ended", languages: "Languages",
        agent: "Agent", assistantMode: "Assistant mode", participants: "Participants",
        statusLive: "live", statusEnded: "ended",
        modeAuto: "automatic", modeReview: "reviewed by an officer", modeOff: "off", none: "none",
        officer: "officer", reviewer: "reviewer", investor: "investor", assistant: "assistant",
        conversation: "Conversation", noEvents: "No events.",
        question: "Question", answer: "Answer", draft: "Draft (staff only)", redacted: "text redacted",
        joined: "joined the session", left: "left the session", mute: "muted {target}", unmute: "unmuted {target}",
        remove: "removed {target} from the session", assistantSet: "set the assistant to “{mode}”",
        moderation: "moderation: {action} {target}", endedSession: "ended the session",
        statusAbout: "question #{about}: {state}",
        reviewing: "being reviewed", answered: "answered", rejected: "draft answer rejected",
        handedOver: "handed over to a contact person",
        sources: "Sources", contact: "Contact", note: "Note", otherNotes: "Other notes",
        verification: "Verification", lastEvent: "Last event", chainHead: "Chain head",
        signature: "Signature (Ed25519)", publicKey: "Public key",
        howToVerify: "To check this transcript offline, verify its JSON export with:",
        compareKey:
            "Then compare the public key above with the one the server shows (GET /v1/sessions/{id}/verify, or its start-up log).",
        exitCodes: "Exit status 0: intact; 1: tampered (the first bad seq is printed); 2: unreadable file.")
        .withFeedback(
            helpful: "found answer #{about} helpful", unhelpful: "found answer #{about} not helpful",
            shared: "shared a file: {name} ({type}, {size} bytes, SHA-256 {sha256})")

    /// French.
    package static let french = TranscriptLabels(
        code: "fr", transcript: "Transcription",
        session: "Session", status: "Statut", created: "Créée le", ended: "Terminée le", languages: "Langues",
        agent: "Agent", assistantMode: "Mode de l’assistant", participants: "Participants",
        statusLive: "en cours", statusEnded: "terminée",
        modeAuto: "automatique", modeReview: "validé par un responsable", modeOff: "désactivé", none: "aucun",
        officer: "conseiller", reviewer: "relecteur", investor: "investisseur", assistant: "assistant",
        conversation: "Échanges", noEvents: "Aucun événement.",
        question: "Question", answer: "Réponse", draft: "Brouillon (personnel uniquement)", redacted: "texte retiré",
        joined: "a rejoint la session", left: "a quitté la session", mute: "a coupé la parole à {target}",
        unmute: "a rendu la parole à {target}", remove: "a exclu {target} de la session",
        assistantSet: "a réglé l’assistant sur « {mode} »", moderation: "modération : {action} {target}",
        endedSession: "a clos la session", statusAbout: "question n° {about} : {state}",
        reviewing: "en cours de relecture", answered: "répondue", rejected: "projet de réponse rejeté",
        handedOver: "transmise à un interlocuteur",
        sources: "Sources", contact: "Contact", note: "Note", otherNotes: "Autres notes",
        verification: "Vérification", lastEvent: "Dernier événement", chainHead: "Tête de chaîne",
        signature: "Signature (Ed25519)", publicKey: "Clé publique",
        howToVerify: "Pour vérifier cette transcription hors ligne, contrôlez son export JSON avec :",
        compareKey:
            "Comparez ensuite la clé publique ci-dessus avec celle qu’affiche le serveur (GET /v1/sessions/{id}/verify, ou son journal de démarrage).",
        exitCodes:
            "Code de sortie 0 : intacte ; 1 : altérée (le premier seq fautif est affiché) ; 2 : fichier illisible.")
        .withFeedback(
            helpful: "a jugé la réponse n° {about} utile", unhelpful: "a jugé que la réponse n° {about} n’était pas utile",
            shared: "a partagé un fichier : {name} ({type}, {size} octets, SHA-256 {sha256})")

    /// Vietnamese.
    package static let vietnamese = TranscriptLabels(
        code: "vi", transcript: "Biên bản",
        session: "Phiên", status: "Trạng thái", created: "Tạo lúc", ended: "Kết thúc lúc", languages: "Ngôn ngữ",
        agent: "Trợ lý (agent)", assistantMode: "Chế độ trợ lý", participants: "Người tham dự",
        statusLive: "đang diễn ra", statusEnded: "đã kết thúc",
        modeAuto: "tự động", modeReview: "cán bộ duyệt trước", modeOff: "tắt", none: "không có",
        officer: "cán bộ", reviewer: "người kiểm tra", investor: "nhà đầu tư", assistant: "trợ lý",
        conversation: "Nội dung trao đổi", noEvents: "Không có sự kiện nào.",
        question: "Câu hỏi", answer: "Trả lời", draft: "Bản nháp (chỉ cán bộ)", redacted: "nội dung đã bị xóa",
        joined: "đã tham gia phiên", left: "đã rời phiên", mute: "đã tắt tiếng {target}",
        unmute: "đã bật tiếng lại cho {target}", remove: "đã loại {target} khỏi phiên",
        assistantSet: "đã chuyển trợ lý sang chế độ “{mode}”", moderation: "điều hành: {action} {target}",
        endedSession: "đã kết thúc phiên", statusAbout: "câu hỏi #{about}: {state}",
        reviewing: "đang được xem xét", answered: "đã được trả lời", rejected: "bản trả lời nháp bị từ chối",
        handedOver: "đã chuyển cho người phụ trách",
        sources: "Nguồn", contact: "Đầu mối liên hệ", note: "Ghi chú", otherNotes: "Ghi chú khác",
        verification: "Xác minh", lastEvent: "Sự kiện cuối", chainHead: "Mã đầu chuỗi",
        signature: "Chữ ký (Ed25519)", publicKey: "Khóa công khai",
        howToVerify: "Để kiểm tra biên bản này mà không cần máy chủ, hãy xác minh bản xuất JSON bằng lệnh:",
        compareKey:
            "Sau đó so sánh khóa công khai ở trên với khóa do máy chủ hiển thị (GET /v1/sessions/{id}/verify, hoặc nhật ký khởi động).",
        exitCodes: "Mã thoát 0: nguyên vẹn; 1: đã bị sửa đổi (in ra seq sai đầu tiên); 2: không đọc được tệp.")
        .withFeedback(
            helpful: "đã đánh giá câu trả lời #{about} là hữu ích", unhelpful: "đã đánh giá câu trả lời #{about} là chưa hữu ích",
            shared: "đã chia sẻ tệp: {name} ({type}, {size} byte, SHA-256 {sha256})")

    /// Japanese.
    package static let japanese = TranscriptLabels(
        code: "ja", transcript: "議事録",
        session: "セッション", status: "状態", created: "作成日時", ended: "終了日時", languages: "言語",
        agent: "エージェント", assistantMode: "アシスタントのモード", participants: "参加者",
        statusLive: "進行中", statusEnded: "終了",
        modeAuto: "自動", modeReview: "担当者が確認", modeOff: "オフ", none: "なし",
        officer: "担当者", reviewer: "レビュー担当", investor: "投資家", assistant: "アシスタント",
        conversation: "やり取り", noEvents: "イベントはありません。",
        question: "質問", answer: "回答", draft: "下書き（職員のみ）", redacted: "本文は削除されました",
        joined: "セッションに参加しました", left: "セッションから退出しました", mute: "{target}をミュートしました",
        unmute: "{target}のミュートを解除しました", remove: "{target}をセッションから退出させました",
        assistantSet: "アシスタントを「{mode}」に設定しました", moderation: "モデレーション：{action} {target}",
        endedSession: "セッションを終了しました", statusAbout: "質問 #{about}：{state}",
        reviewing: "確認中", answered: "回答済み", rejected: "回答案は却下", handedOver: "担当者に引き継ぎ",
        sources: "出典", contact: "連絡先", note: "メモ", otherNotes: "その他のメモ",
        verification: "検証", lastEvent: "最後のイベント", chainHead: "チェーンの先頭",
        signature: "署名（Ed25519）", publicKey: "公開鍵",
        howToVerify: "この議事録をオフラインで検証するには、JSON エクスポートを次のコマンドで確認します：",
        compareKey:
            "次に、上の公開鍵がサーバーの表示する公開鍵（GET /v1/sessions/{id}/verify または起動時のログ）と一致することを確認してください。",
        exitCodes: "終了コード 0：改ざんなし、1：改ざんあり（最初の不正な seq を表示）、2：ファイルを読み取れない。")
        .withFeedback(
            helpful: "回答 #{about} を「役に立った」と評価しました", unhelpful: "回答 #{about} を「役に立たなかった」と評価しました",
            shared: "ファイルを共有しました：{name}（{type}、{size} バイト、SHA-256 {sha256}）")

    /// Korean.
    package static let korean = TranscriptLabels(
        code: "ko", transcript: "회의록",
        session: "세션", status: "상태", created: "생성 시각", ended: "종료 시각", languages: "언어",
        agent: "에이전트", assistantMode: "어시스턴트 모드", participants: "참가자",
        statusLive: "진행 중", statusEnded: "종료됨",
        modeAuto: "자동", modeReview: "담당자 검토", modeOff: "끔", none: "없음",
        officer: "담당자", reviewer: "검토자", investor: "투자자", assistant: "어시스턴트",
        conversation: "대화 내용", noEvents: "이벤트가 없습니다.",
        question: "질문", answer: "답변", draft: "초안(직원 전용)", redacted: "내용이 삭제됨",
        joined: "세션에 참가했습니다", left: "세션에서 나갔습니다", mute: "{target} 님을 음소거했습니다",
        unmute: "{target} 님의 음소거를 해제했습니다", remove: "{target} 님을 세션에서 내보냈습니다",
        assistantSet: "어시스턴트를 ‘{mode}’ 모드로 설정했습니다", moderation: "진행 조치: {action} {target}",
        endedSession: "세션을 종료했습니다", statusAbout: "질문 #{about}: {state}",
        reviewing: "검토 중", answered: "답변 완료", rejected: "답변 초안 거절", handedOver: "담당자에게 이관",
        sources: "출처", contact: "연락처", note: "메모", otherNotes: "기타 메모",
        verification: "검증", lastEvent: "마지막 이벤트", chainHead: "체인 헤드",
        signature: "서명(Ed25519)", publicKey: "공개 키",
        howToVerify: "이 회의록을 오프라인으로 검증하려면 JSON 내보내기 파일을 다음 명령으로 확인하십시오:",
        compareKey:
            "그런 다음 위의 공개 키가 서버가 표시하는 키(GET /v1/sessions/{id}/verify 또는 시작 로그)와 같은지 확인하십시오.",
        exitCodes: "종료 코드 0: 무결, 1: 변조됨(처음 잘못된 seq 표시), 2: 파일을 읽을 수 없음.")
        .withFeedback(
            helpful: "답변 #{about}에 대해 ‘도움이 됨’으로 평가했습니다", unhelpful: "답변 #{about}에 대해 ‘도움이 되지 않음’으로 평가했습니다",
            shared: "파일을 공유했습니다: {name} ({type}, {size}바이트, SHA-256 {sha256})")

    /// Chinese (simplified).
    package static let chinese = TranscriptLabels(
        code: "zh", transcript: "会议记录",
        session: "会话", status: "状态", created: "创建时间", ended: "结束时间", languages: "语言",
        agent: "智能体", assistantMode: "助理模式", participants: "参与者",
        statusLive: "进行中", statusEnded: "已结束",
        modeAuto: "自动", modeReview: "由工作人员审核", modeOff: "关闭", none: "无",
        officer: "工作人员", reviewer: "审阅人", investor: "投资者", assistant: "AI助理",
        conversation: "对话记录", noEvents: "没有事件。",
        question: "问题", answer: "回答", draft: "草稿（仅限工作人员）", redacted: "内容已删除",
        joined: "加入了会话", left: "离开了会话", mute: "将{target}设为静音", unmute: "取消了{target}的静音",
        remove: "将{target}移出了会话", assistantSet: "将助理设为“{mode}”", moderation: "管理操作：{action} {target}",
        endedSession: "结束了会话", statusAbout: "问题 #{about}：{state}",
        reviewing: "审核中", answered: "已回答", rejected: "答复草稿被拒绝", handedOver: "已转交联系人",
        sources: "来源", contact: "联系人", note: "备注", otherNotes: "其他备注",
        verification: "验证", lastEvent: "最后一个事件", chainHead: "链头",
        signature: "签名（Ed25519）", publicKey: "公钥",
        howToVerify: "如需离线验证本记录，请用以下命令检查其 JSON 导出文件：",
        compareKey: "然后将上面的公钥与服务器显示的公钥（GET /v1/sessions/{id}/verify 或启动日志）进行比对。",
        exitCodes: "退出码 0：完好；1：已被篡改（会显示第一个出错的 seq）；2：文件无法读取。")
        .withFeedback(
            helpful: "认为回答 #{about} 有帮助", unhelpful: "认为回答 #{about} 没有帮助",
            shared: "共享了文件：{name}（{type}，{size} 字节，SHA-256 {sha256}）")
}
