import Dialogue

/// Wording for translations people made (officers and interpreters), in the labels' language.
extension TranscriptLabels {
    /// The interpreter role's name.
    package var interpreter: String {
        switch code {
        case "fr": "interprète"
        case "vi": "phiên dịch viên"
        case "ja": "通訳者"
        case "ko": "통역사"
        case "zh": "译员"
        default: "interpreter"
        }
    }

    /// Heading of a person's translation; `{name}` and `{role}` are filled in.
    package var humanTranslation: String {
        switch code {
        case "fr": "Traduction de {name} ({role})"
        case "vi": "Bản dịch của {name} ({role})"
        case "ja": "{name}（{role}）による翻訳"
        case "ko": "{name} 님({role})의 번역"
        case "zh": "由{name}（{role}）翻译"
        default: "Translation by {name} ({role})"
        }
    }

    /// The line under an answer an officer changed before approving it; `{name}` filled in.
    package var editedByLine: String {
        switch code {
        case "fr": "Réponse modifiée par {name} avant approbation"
        case "vi": "Đã được {name} chỉnh sửa trước khi duyệt"
        case "ja": "{name}が承認前に編集"
        case "ko": "{name} 님이 승인 전에 수정함"
        case "zh": "经{name}修改后批准"
        default: "Edited by {name} before approval"
        }
    }

    /// Heading of a phrasebook text: the agency's own wording of a phrase in this language.
    package var phrasebookTranslation: String {
        switch code {
        case "fr": "Formule type du recueil de l’agence"
        case "vi": "Mẫu câu chuẩn của Ban"
        case "ja": "当局の定型文"
        case "ko": "기관 표준 문구"
        case "zh": "本局标准用语"
        default: "Standard phrase from the agency’s phrasebook"
        }
    }

    /// The heading shown before a translation: who made it, the phrasebook, or a machine.
    package func translationHeading(engine: String, by: (name: String, role: String)?) -> String {
        if let by { return Self.fill(humanTranslation, ["name": by.name, "role": by.role]) }
        return engine == "phrasebook" ? phrasebookTranslation : machineTranslation
    }
}
