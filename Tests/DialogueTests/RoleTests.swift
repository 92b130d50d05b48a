import Testing

@testable import Dialogue

@Suite struct RoleTests {
    /// Contract sections 2 and 4: who may send which frame.
    static let allowed: [Role: Set<Action>] = [
        .officer: Set(Action.allCases).subtracting([.rate]),
        .reviewer: [.join, .leave],
        .investor: [.say, .ask, .leave, .rate],
        .assistant: [],
        .interpreter: [.join, .leave, .translate],
    ]

    @Test(arguments: Role.allCases, Action.allCases)
    func roleTable(role: Role, action: Action) {
        #expect(role.may(action) == Self.allowed[role]!.contains(action))
    }

    @Test func tableCoversEveryActionOfTheProtocol() {
        #expect(
            Set(Action.allCases.map(\.rawValue)) == [
                "join", "say", "ask", "approve", "reject", "moderate", "end", "leave", "translate",
                "send phrasebook phrases", "rate",
            ])
    }

    @Test func staffRoles() {
        #expect(Role.officer.isStaff)
        #expect(Role.reviewer.isStaff)
        #expect(Role.interpreter.isStaff)
        #expect(!Role.investor.isStaff)
        #expect(!Role.assistant.isStaff)
    }

    /// Reviewers and interpreters observe (no `joined`, no presence); interpreters and
    /// officers see drafts, since both may translate them.
    @Test func namesWithTheirArticle() {
        #expect(Role.allCases.map(\.withArticle) == [
            "an officer", "a reviewer", "an investor", "an assistant", "an interpreter",
        ])
    }

    @Test func observersAndDraftReaders() {
        #expect(Role.allCases.filter(\.isObserver) == [.reviewer, .interpreter])
        #expect(Role.allCases.filter(\.seesDrafts) == [.officer, .interpreter])
    }
}
