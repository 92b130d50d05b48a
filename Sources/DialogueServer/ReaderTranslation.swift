import Dialogue
import Store

/// Which whole-text translation a reader gets with an event: a person's first, then the
/// phrasebook's (the agency's own wording of a phrase), then a machine's.
enum ReaderTranslation {
    /// The phrasebook text of a phrase event for a reader of `language`, when the reader
    /// reads another language than the event's and the phrase has theirs.
    static func phrasebook(_ body: JSONValue, for language: String) -> JSONValue? {
        guard case .object(let texts)? = body["phraseTexts"], let eventLanguage = body["language"]?.stringValue else {
            return nil
        }
        let reader = LanguageTag.primary(language)
        guard reader != LanguageTag.primary(eventLanguage),
            let text = texts[language]?.stringValue ?? texts[reader]?.stringValue
        else { return nil }
        return [
            "text": .string(text), "language": .string(reader), "engine": .string(TranslationPreference.phrasebookEngine),
            "glossaryOk": true,
        ]
    }

    /// The `translation` member for a reader: `stored` is what the store holds for the
    /// reader's language (a machine's or a person's), if anything.
    static func choose(body: JSONValue, stored: StoredTranslation?, for language: String) -> JSONValue? {
        let phraseRank = TranslationPreference.rank(TranslationPreference.phrasebookEngine)
        if let stored, TranslationPreference.rank(stored.engine) > phraseRank { return stored.json }
        if let phrase = phrasebook(body, for: language) { return phrase }
        return stored?.json
    }

    /// The same as bytes to splice into an event frame.
    static func bytes(body: JSONValue, stored: StoredTranslation?, for language: String) -> [UInt8]? {
        choose(body: body, stored: stored, for: language).map { JSONWriter.bytes($0) }
    }
}
