import Dialogue

/// The investors an officer put out of a session: removed from it, or declined in its lobby.
/// Neither is mailed about the meeting, answers for it on their page, nor gets its transcript.
package struct ShutOutInvestors: Sendable, Equatable {
    /// Removed from the session (`moderation` `remove`; the participants table says so).
    package var removed: Set<String> = []
    /// Declined in the lobby and not admitted since.
    package var declined: Set<String> = []

    package func contains(_ invite: String) -> Bool { removed.contains(invite) || declined.contains(invite) }
}

extension DialogueStore {
    /// Who is shut out of `session`. The lobby's decisions live only in its events, so they
    /// are replayed, and only for a session with a lobby.
    package func shutOutInvestors(of session: SessionInfo) async throws -> ShutOutInvestors {
        var out = ShutOutInvestors(removed: Set(try await participants(session: session.id).filter(\.removed).map(\.id)))
        if session.lobby, let state = try await loadState(session: session.id) {
            out.declined = Set(state.lobbyDecisions.keys.filter(state.isDeclined))
        }
        return out
    }
}
