/// The rules of a `translate` (an officer's or interpreter's translation of one event's
/// text), checked before anything is stored. Translations are not events: they change no
/// state, so these only judge.
extension SessionState {
    /// Longest translation accepted, in characters (Unicode scalars).
    package static let maxTranslationLength = 8_000

    /// Kinds of event whose text may be translated.
    package static let translatableKinds: Set<EventKind> = [.message, .question, .answer, .draft]

    /// Checks a `translate` before its event is read: the text, the language (one of the
    /// session's) and the seq. Returns the language the translation is kept under: its
    /// primary subtag, as readers and machine translations are matched.
    package func checkTranslation(seq: Int64, language: String, text: String) throws(DialogueError) -> String {
        guard text.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else {
            throw DialogueError(.badRequest, "field \"text\" is empty: send the translation's text")
        }
        let length = text.unicodeScalars.count
        guard length <= Self.maxTranslationLength else {
            throw DialogueError(
                .badRequest,
                "field \"text\" has \(length) characters; a translation may have at most \(Self.maxTranslationLength)")
        }
        let target = LanguageTag.primary(language)
        guard info.languages.contains(where: { LanguageTag.primary($0) == target }) else {
            throw DialogueError(
                .badRequest,
                "\(language) is not a language of session \(info.id) (\(info.languages.joined(separator: ", ")))")
        }
        guard seq >= 1, seq <= lastSeq else { throw DialogueError(.notFound, "no event at seq \(seq) in session \(info.id)") }
        return target
    }

    /// Checks the event a `translate` names, once read (nil: not stored): a kind with text,
    /// not redacted, not already in `language`.
    package func checkTranslationTarget(_ event: Event?, seq: Int64, into language: String? = nil) throws(DialogueError) {
        guard let event else { throw DialogueError(.notFound, "no event at seq \(seq) in session \(info.id)") }
        guard Self.translatableKinds.contains(event.kind) else {
            throw DialogueError(
                .badRequest, "seq \(seq) is a \(event.kind.rawValue) event; only a message, question, answer or draft has text to translate")
        }
        // A redacted event keeps `textHash` where its text was: nothing to translate, and a
        // translation would put the words back.
        guard event.body["text"] != nil else {
            throw DialogueError(.conflict, "seq \(seq) was redacted; it has no text left to translate")
        }
        if let language, let own = event.body["language"]?.stringValue, LanguageTag.primary(own) == LanguageTag.primary(language) {
            throw DialogueError(.badRequest, "seq \(seq) is written in \(own) already; translate it into another language")
        }
    }
}
