import Dialogue

/// One stored translation of an event, as an export lists it (`translations`): a machine's
/// or a person's, with who translated. Beside the chain, never hashed: a translation made
/// after the export does not change what verifies.
package struct TranscriptTranslation: Sendable, Equatable {
    /// The event it translates.
    package var seq: Int64
    /// The reader language.
    package var language: String
    package var text: String
    /// `human` or the machine provider.
    package var engine: String
    /// Whether the glossary's approved forms came through.
    package var glossaryOk: Bool
    /// `{"id","name","role"}` of the person, for human translations.
    package var by: JSONValue?
    /// When it was made (RFC 3339).
    package var at: String

    package init(
        seq: Int64, language: String, text: String, engine: String, glossaryOk: Bool, by: JSONValue?, at: String
    ) {
        self.seq = seq
        self.language = language
        self.text = text
        self.engine = engine
        self.glossaryOk = glossaryOk
        self.by = by
        self.at = at
    }

    /// `{"seq","language","text","engine","glossaryOk","by"?,"at"}`.
    package func json() -> JSONValue {
        var members: [String: JSONValue] = [
            "seq": .int(seq), "language": .string(language), "text": .string(text), "engine": .string(engine),
            "glossaryOk": .bool(glossaryOk), "at": .string(at),
        ]
        if let by { members["by"] = by }
        return .object(members)
    }

    /// Reads one listed translation (`path` names it in errors).
    package init(json: JSONValue, path: String) throws(TranscriptError) {
        let fields = try JSONFields(json, path: path)
        let by = fields.members["by"].flatMap { $0 == .null ? nil : $0 }
        if let by, by.objectValue == nil { throw .unreadable("\(path).by is not an object") }
        self.init(
            seq: try fields.int("seq"), language: try fields.string("language"), text: try fields.string("text"),
            engine: try fields.string("engine"), glossaryOk: try fields.optionalBool("glossaryOk") ?? false, by: by,
            at: try fields.string("at"))
    }
}
