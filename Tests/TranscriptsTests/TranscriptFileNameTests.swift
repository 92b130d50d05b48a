import Dialogue
import Testing

@testable import Transcripts

@Suite struct TranscriptFileNameTests {
    private func session(_ title: String, createdAt: String = "2026-11-26T04:40:00.000Z") -> SessionInfo {
        SessionInfo(
            id: "ses_k3v9q2m4x7c1b8n5", title: title, languages: ["vi"], agent: "a", assistant: .review,
            createdAt: createdAt, createdBy: "stf_x")
    }

    @Test func vietnameseTitleIsFolded() {
        let name = TranscriptFileName.make(session: session("Hội thảo đầu tư Vân Đồn"))
        #expect(name.contains("hoi-thao-dau-tu-van-don"))
        #expect(name == "2026-11-26_hoi-thao-dau-tu-van-don_ses_k3v9q2m4x7c1b8n5")
    }

    @Test func slugRules() {
        #expect(TranscriptFileName.slug("  Đà Nẵng — Straße & Øresund!! ") == "da-nang-strasse-oresund")
        #expect(TranscriptFileName.slug("投資セミナー") == "session")
        #expect(TranscriptFileName.slug("") == "session")
        let long = TranscriptFileName.slug(String(repeating: "khu công nghiệp ", count: 10))
        #expect(long.count <= 48 && !long.hasSuffix("-") && long.hasPrefix("khu-cong-nghiep-khu"))
    }

    @Test func dateIsTheUTCDayOfCreation() {
        #expect(
            TranscriptFileName.make(session: session("x", createdAt: "2026-01-02T23:59:59Z")).hasPrefix("2026-01-02_x_")
        )
        #expect(TranscriptFileName.make(session: session("x", createdAt: "garbage")).hasPrefix("0000-00-00_x_"))
    }
}
