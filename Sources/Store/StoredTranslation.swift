import Dialogue

/// A translation of one event's text into one language, as stored: made by a machine
/// provider, or typed by an officer or interpreter (`engine` `human`, with `by`).
package struct StoredTranslation: Sendable, Equatable {
    /// The `engine` of translations people make.
    package static let humanEngine = "human"

    package var session: String
    package var seq: Int64
    /// The reader language (primary subtag).
    package var language: String
    package var text: String
    /// `human`, or the provider: `libretranslate`, `llm:MODEL`.
    package var engine: String
    /// The glossary version of the event (whose terms were protected or checked).
    package var glossaryVersion: Int?
    /// Whether every glossary term came through as its approved form.
    package var glossaryOk: Bool
    /// Who translated, for human translations.
    package var by: TranslationAuthor?
    /// When it was made (RFC 3339).
    package var at: String

    package init(
        session: String, seq: Int64, language: String, text: String, engine: String, glossaryVersion: Int?,
        glossaryOk: Bool, by: TranslationAuthor? = nil, at: String = Timestamp.now()
    ) {
        self.session = session
        self.seq = seq
        self.language = language
        self.text = text
        self.engine = engine
        self.glossaryVersion = glossaryVersion
        self.glossaryOk = glossaryOk
        self.by = by
        self.at = at
    }

    /// Whether a person made it.
    package var isHuman: Bool { engine == Self.humanEngine }

    /// The event's `translation` member: `{"text","language","engine","glossaryOk"}`, and
    /// for a human one `by` and `at` too.
    package var json: JSONValue {
        var members: [String: JSONValue] = [
            "text": .string(text), "language": .string(language), "engine": .string(engine),
            "glossaryOk": .bool(glossaryOk),
        ]
        if isHuman {
            members["by"] = by?.json ?? .null
            members["at"] = .string(at)
        }
        return .object(members)
    }

    /// The `translation` frame: the session and seq, the member's fields, and `at` always.
    package var frame: JSONValue {
        guard case .object(var members) = json else { return json }
        members["type"] = "translation"
        members["session"] = .string(session)
        members["seq"] = .int(seq)
        members["at"] = .string(at)
        return .object(members)
    }
}
