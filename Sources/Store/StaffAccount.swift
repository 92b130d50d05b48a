import Dialogue

/// A staff member who signs in with a bearer token.
package struct StaffAccount: Sendable, Equatable {
    /// `stf_…`, also the participant id.
    package var id: String
    /// Unique name, as given to `staff add`.
    package var name: String
    /// `officer` or `reviewer`.
    package var role: Role
    /// RFC 3339.
    package var createdAt: String
    /// Number of tokens not revoked.
    package var activeTokens: Int

    package init(id: String, name: String, role: Role, createdAt: String, activeTokens: Int) {
        self.id = id
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.activeTokens = activeTokens
    }
}
