import Dialogue
import Scheduling
import Testing

@Suite struct SessionScheduleTests {
    /// Every status and action, with the status reached or a word the refusal must contain.
    static let table: [(SessionStatus, SessionAction, SessionStatus?, String)] = [
        (.scheduled, .open, .live, ""),
        (.scheduled, .end, .ended, ""),
        (.scheduled, .cancel, .cancelled, ""),
        (.scheduled, .reschedule, .scheduled, ""),
        (.live, .open, nil, "already live"),
        (.live, .end, .ended, ""),
        (.live, .cancel, nil, "a live session cannot be cancelled"),
        (.live, .reschedule, nil, "a live session cannot be moved"),
        (.ended, .open, nil, "has ended"),
        (.ended, .end, nil, "already ended"),
        (.ended, .cancel, nil, "an ended session cannot be cancelled"),
        (.ended, .reschedule, nil, "an ended session cannot be moved"),
        (.cancelled, .open, nil, "cancelled"),
        (.cancelled, .end, nil, "cancelled"),
        (.cancelled, .cancel, nil, "already cancelled"),
        (.cancelled, .reschedule, nil, "a cancelled session cannot be moved"),
    ]

    @Test func tableCoversEveryPair() {
        let pairs = Set(Self.table.map { "\($0.0)-\($0.1)" })
        #expect(pairs.count == SessionStatus.allCases.count * SessionAction.allCases.count)
    }

    @Test(arguments: 0..<16)
    func transition(row: Int) {
        let (from, action, expected, reason) = Self.table[row]
        switch SessionSchedule.transition(from: from, action: action) {
        case .success(let status):
            #expect(status == expected, "\(from) \(action)")
        case .failure(let refusal):
            #expect(expected == nil, "\(from) \(action) refused: \(refusal)")
            #expect(refusal.from == from)
            #expect(refusal.action == action)
            #expect(refusal.description.contains(reason), "\(refusal)")
        }
    }

    @Test func finalStatuses() {
        #expect(SessionStatus.allCases.filter(SessionSchedule.isFinal) == [.ended, .cancelled])
        for status in SessionStatus.allCases where SessionSchedule.isFinal(status) {
            for action in SessionAction.allCases {
                #expect(throws: TransitionRefusal.self) {
                    try SessionSchedule.transition(from: status, action: action).get()
                }
            }
        }
    }

    @Test func rawValuesAreTheStoredWords() {
        #expect(SessionStatus.allCases.map(\.rawValue) == ["scheduled", "live", "ended", "cancelled"])
        #expect(SessionAction(rawValue: "reschedule") == .reschedule)
    }
}
