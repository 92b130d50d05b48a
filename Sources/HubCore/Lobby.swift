import Dialogue

/// Who waits in the lobbies of this node's sessions (docs/protocol.md, "Lobby"): an
/// investor whose session has its lobby on, and whom no officer has admitted yet, is held
/// here, signed in but reading nothing, until an officer's `admit` or `decline` commits.
/// Connection by connection (an investor may wait on two devices), with what the officers
/// are shown: name, organisation, language and since when.
package struct Lobby: Sendable {
    /// One waiting connection.
    package struct Waiting: Sendable, Equatable {
        package var invite: String
        package var name: String
        package var organisation: String?
        package var language: String
        /// RFC 3339: when it came in.
        package var since: String

        package init(invite: String, name: String, organisation: String?, language: String, since: String) {
            self.invite = invite
            self.name = name
            self.organisation = organisation
            self.language = language
            self.since = since
        }
    }

    private var bySession: [String: [ConnectionKey: Waiting]] = [:]
    private var sessionOf: [ConnectionKey: String] = [:]

    package init() {}

    /// Holds `key` in the lobby of `session` (moving it there from another lobby).
    package mutating func wait(_ key: ConnectionKey, in session: String, _ waiting: Waiting) {
        leave(key)
        bySession[session, default: [:]][key] = waiting
        sessionOf[key] = session
    }

    /// `key` is gone (closed, or let in): the session whose lobby changed, if any.
    @discardableResult package mutating func leave(_ key: ConnectionKey) -> String? {
        guard let session = sessionOf.removeValue(forKey: key) else { return nil }
        bySession[session]?[key] = nil
        if bySession[session]?.isEmpty == true { bySession[session] = nil }
        return session
    }

    /// Takes every connection of `invite` out of the lobby of `session` (admitted or
    /// declined), in no particular order.
    package mutating func take(invite: String, in session: String) -> [ConnectionKey] {
        let keys = (bySession[session] ?? [:]).filter { $0.value.invite == invite }.map(\.key)
        for key in keys { leave(key) }
        return keys
    }

    /// Takes everyone out of the lobby of `session` (it ended).
    package mutating func takeAll(in session: String) -> [ConnectionKey] {
        let keys = Array((bySession[session] ?? [:]).keys)
        for key in keys { leave(key) }
        return keys
    }

    /// Whether `key` waits in a lobby.
    package func isWaiting(_ key: ConnectionKey) -> Bool { sessionOf[key] != nil }

    /// Who waits in `session`: one entry per invite (its earliest connection), oldest first.
    package func waiting(in session: String) -> [Waiting] {
        var first: [String: Waiting] = [:]
        for waiting in (bySession[session] ?? [:]).values {
            if let known = first[waiting.invite], known.since <= waiting.since { continue }
            first[waiting.invite] = waiting
        }
        return first.values.sorted { ($0.since, $0.invite) < ($1.since, $1.invite) }
    }

    /// The `lobby` frame officers are sent whenever who waits changes.
    package func frame(session: String) -> JSONValue {
        .object([
            "type": .string("lobby"), "session": .string(session),
            "waiting": .array(
                waiting(in: session).map { waiting in
                    .object([
                        "invite": .string(waiting.invite), "name": .string(waiting.name),
                        "organisation": waiting.organisation.map(JSONValue.string) ?? .null,
                        "language": .string(waiting.language), "since": .string(waiting.since),
                    ])
                }),
        ])
    }
}
