/// Who someone is in the dialogue; decides what they may do (contract section 2).
package enum Role: String, Sendable, Codable, CaseIterable {
    case officer
    case reviewer
    case investor
    case assistant

    /// Staff roles authenticate with a staff token; the others do not.
    package var isStaff: Bool { self == .officer || self == .reviewer }

    /// Whether this role may perform `action` at all (session-level rules come on top).
    package func may(_ action: Action) -> Bool {
        switch (self, action) {
        case (.officer, _): return true
        case (.reviewer, .join), (.reviewer, .leave): return true
        case (.investor, .say), (.investor, .ask), (.investor, .leave): return true
        default: return false
        }
    }
}

/// Every client-initiated action of the WebSocket protocol that the role table governs.
package enum Action: String, Sendable, CaseIterable {
    case join, say, ask, approve, reject, moderate, end, leave
}
