import Dialogue

/// The person behind a human translation: the `by` member of translations.
package struct TranslationAuthor: Sendable, Equatable {
    /// Participant id: the staff account id.
    package var id: String
    /// The name they signed in with.
    package var name: String
    /// `officer` or `interpreter`.
    package var role: String

    package init(id: String, name: String, role: String) {
        self.id = id
        self.name = name
        self.role = role
    }

    /// `{"id","name","role"}`, like an event's `from`.
    package var json: JSONValue { ["id": .string(id), "name": .string(name), "role": .string(role)] }
}
