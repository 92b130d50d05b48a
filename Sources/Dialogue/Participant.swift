/// Someone taking part in a session: an officer or an investor (reviewers only observe).
package struct Participant: Sendable, Equatable {
    /// Stable id: the staff account id or the invite id.
    package var id: String
    /// `officer`, `investor` or `assistant`.
    package var role: Role
    /// Display name.
    package var name: String
    /// The language the participant reads in.
    package var language: String
    /// Investor's organisation, when the invite gave one.
    package var organisation: String?
    /// Muted participants may not speak.
    package var muted: Bool = false
    /// Removed participants may not come back.
    package var removed: Bool = false

    package init(
        id: String, role: Role, name: String, language: String, organisation: String? = nil,
        muted: Bool = false, removed: Bool = false
    ) {
        self.id = id
        self.role = role
        self.name = name
        self.language = language
        self.organisation = organisation
        self.muted = muted
        self.removed = removed
    }

    /// The contract's participant object; `online` is known only to the live hub.
    package func json(online: Bool) -> JSONValue {
        [
            "id": .string(id), "role": .string(role.rawValue), "name": .string(name),
            "language": .string(language), "online": .bool(online), "muted": .bool(muted),
            "removed": .bool(removed),
        ]
    }

    /// The `from` object of events this participant authors.
    package var author: JSONValue { ["id": .string(id), "role": .string(role.rawValue), "name": .string(name)] }
}
