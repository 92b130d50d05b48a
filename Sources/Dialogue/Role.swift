/// Who someone is in the dialogue; decides what they may do (contract section 2).
package enum Role: String, Sendable, Codable, CaseIterable {
    case officer
    case reviewer
    case investor
    case assistant
    /// Staff who join sessions to read them (drafts included) and translate what was said.
    case interpreter

    /// Staff roles authenticate with a staff token; the others do not.
    package var isStaff: Bool { self == .officer || self == .reviewer || self == .interpreter }

    /// Observers join sessions without becoming participants: no `joined` event, no presence.
    package var isObserver: Bool { self == .reviewer || self == .interpreter }

    /// Drafts are for the staff who decide or translate them, not for investors or reviewers.
    package var seesDrafts: Bool { self == .officer || self == .interpreter }

    /// The role's name with its article, for messages: "an interpreter", "a reviewer".
    package var withArticle: String { ("aeiou".contains(rawValue.prefix(1)) ? "an " : "a ") + rawValue }

    /// Whether this role may perform `action` at all (session-level rules come on top).
    package func may(_ action: Action) -> Bool {
        switch (self, action) {
        // A rating is the investor's verdict on an answer to their own question.
        case (.officer, .rate): return false
        case (.officer, _): return true
        case (.reviewer, .join), (.reviewer, .leave): return true
        case (.interpreter, .join), (.interpreter, .leave), (.interpreter, .translate): return true
        case (.investor, .say), (.investor, .ask), (.investor, .leave), (.investor, .rate): return true
        default: return false
        }
    }
}

/// Every client-initiated action of the WebSocket protocol that the role table governs.
package enum Action: String, Sendable, CaseIterable {
    case join, say, ask, approve, reject, moderate, end, leave, translate
    /// Rate an answer (the session's rules admit only the investor who asked).
    case rate
    /// `say` with `phrase`: the agency's own wording, sent by officers only.
    case sayPhrase = "send phrasebook phrases"
}
