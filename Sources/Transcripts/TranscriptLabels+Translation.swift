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
        case "ko": "{name}({role}) 님의 번역"
        case "zh": "{name}（{role}）的人工翻译"
        default: "Translation by {name} ({role})"
        }
    }

    /// The heading shown before a translation: who made it, or that a machine did.
    package func translationHeading(by: (name: String, role: String)?) -> String {
        guard let by else { return machineTranslation }
        return Self.fill(humanTranslation, ["name": by.name, "role": by.role])
    }
}
