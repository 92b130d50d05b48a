import Dialogue

/// A glossary term of an event's text as shown to a reader of one language: rendered into a
/// transcript on request (`?lang=xx`), never part of what is hashed.
package struct TranscriptTerm: Sendable, Equatable {
    /// The term as written.
    package var text: String
    /// UTF-16 offsets in the event's text.
    package var start: Int
    package var end: Int
    /// The concept's id.
    package var concept: String
    /// The approved form in the transcript's language.
    package var translation: String

    package init(text: String, start: Int, end: Int, concept: String, translation: String) {
        self.text = text
        self.start = start
        self.end = end
        self.concept = concept
        self.translation = translation
    }

    /// The contract's term object.
    package var json: JSONValue {
        [
            "text": .string(text), "start": .int(Int64(start)), "end": .int(Int64(end)), "concept": .string(concept),
            "translation": .string(translation),
        ]
    }
}

extension TranscriptLabels {
    /// Label of the terms line under a message.
    package var terms: String {
        switch code {
        case "fr": "Termes du glossaire"
        case "vi": "Thuật ngữ"
        case "ja": "用語"
        case "ko": "용어"
        case "zh": "术语"
        default: "Glossary terms"
        }
    }

    /// Label of a machine translation under a message.
    package var machineTranslation: String {
        switch code {
        case "fr": "Traduction automatique"
        case "vi": "Bản dịch máy"
        case "ja": "機械翻訳"
        case "ko": "기계 번역"
        case "zh": "机器翻译"
        default: "Machine translation"
        }
    }

    /// Shown when a translation did not keep the glossary's approved terms.
    package var glossaryNotKept: String {
        switch code {
        case "fr": "glossaire non respecté"
        case "vi": "không giữ đúng thuật ngữ"
        case "ja": "用語集に不一致"
        case "ko": "용어집 불일치"
        case "zh": "未遵守术语表"
        default: "glossary not kept"
        }
    }

    /// Label of the glossary version a message was matched with.
    package var glossaryVersion: String {
        switch code {
        case "fr": "glossaire v"
        case "vi": "bảng thuật ngữ phiên bản "
        case "ja": "用語集 v"
        case "ko": "용어집 v"
        case "zh": "术语表 v"
        default: "glossary v"
        }
    }
}
