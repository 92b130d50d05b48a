import Testing

@testable import Dialogue

@Suite struct RoleTests {
    /// Contract sections 2 and 4: who may send which frame.
    static let allowed: [Role: Set<Action>] = [
        .officer: Set(Action.allCases),
        .reviewer: [.join, .leave],
        .investor: [.say, .ask, .leave],
        .assistant: [],
    ]

    @Test(arguments: Role.allCases, Action.allCases)
    func roleTable(role: Role, action: Action) {
        #expect(role.may(action) == Self.allowed[role]!.contains(action))
    }

    @Test func tableCoversEveryActionOfTheProtocol() {
        #expect(
            Set(Action.allCases.map(\.rawValue)) == [
                "join", "say", "ask", "approve", "reject", "moderate", "end", "leave",
            ])
    }

    @Test func staffRoles() {
        #expect(Role.officer.isStaff)
        #expect(Role.reviewer.isStaff)
        #expect(!Role.investor.isStaff)
        #expect(!Role.assistant.isStaff)
    }
}
