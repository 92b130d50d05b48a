@testable import Dialogue

/// People and a session shared by the state-machine tests.
enum SessionFixture {
    static let info = SessionInfo(
        id: "ses_k3v9q2m4x7c1b8n5", title: "Hội thảo đầu tư Vân Đồn", languages: ["vi", "en"], agent: "quang-ninh-ipa",
        assistant: .review, createdAt: "2026-11-26T04:40:00.000Z", createdBy: "stf_officer")
    static let officer = Participant(id: "stf_officer", role: .officer, name: "Trần Thu Hà", language: "vi")
    static let secondOfficer = Participant(id: "stf_second", role: .officer, name: "Lê Minh", language: "vi")
    static let investor = Participant(
        id: "inv_kenji", role: .investor, name: "Kenji Sato", language: "en", organisation: "Sato & Partners")
    static let otherInvestor = Participant(id: "inv_marie", role: .investor, name: "Marie Dubois", language: "fr")

    /// A distinct, increasing time for each step of a test.
    static func at(_ step: Int) -> String { Timestamp.format(milliseconds: 1_795_668_000_000 + Int64(step) * 1_000) }
}
