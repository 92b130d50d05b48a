import Dialogue
import Foundation
import Testing

@testable import Store

/// Uploaded documents, survey answers and shared files (issue 19), alike on SQLite and
/// PostgreSQL.
@Suite struct KnowledgeContractTests {
    static func document(_ id: String, markdown: String = "---\ntitle: t\n---\nbody") -> UploadedDocument {
        UploadedDocument(
            agent: "ipa", id: id, family: String(id.split(separator: ".")[0]), language: "vi", title: "Khu thử nghiệm",
            markdown: markdown, fileName: "x.docx", fileType: "application/pdf", fileSize: 1234, fileSHA256: "ab12",
            pages: 3, createdAt: "2026-12-01T00:00:00.000Z", createdBy: "stf_officer")
    }

    @Test(arguments: StoreContractTests.backends) func documentVersionsArePublishedOneAtATime(_ backend: Backend) async throws {
        let store = try await backend.open()
        defer { backend.close(store) }
        let first = try await store.addDocumentVersion(Self.document("test.vi"))
        let second = try await store.addDocumentVersion(Self.document("test.vi", markdown: "v2 — Vân Đồn"))
        let other = try await store.addDocumentVersion(Self.document("other.vi"))
        #expect((first.version, second.version, other.version) == (1, 2, 1))
        #expect(second.status == .preview && second.markdown == "v2 — Vân Đồn" && second.pages == 3)

        #expect(try await store.setPublished(agent: "ipa", document: "test.vi", version: 2, by: "stf_a", at: "2026-12-02T00:00:00Z"))
        #expect(try await store.setPublished(agent: "ipa", document: "test.vi", version: 1, by: "stf_b", at: "2026-12-03T00:00:00Z"))
        var versions = try await store.documentVersions(agent: "ipa").filter { $0.id == "test.vi" }
        #expect(versions.map(\.status) == [.published, .retired])
        #expect(versions[0].publishedBy == "stf_b" && versions[0].publishedAt == "2026-12-03T00:00:00Z")
        #expect(!(try await store.setPublished(agent: "ipa", document: "test.vi", version: 9, by: "x", at: "t")))
        #expect(try await store.setPublished(agent: "ipa", document: "test.vi", version: nil, by: "x", at: "t"))
        #expect(!(try await store.setPublished(agent: "ipa", document: "test.vi", version: nil, by: "x", at: "t")))
        versions = try await store.documentVersions(agent: nil).filter { $0.id == "test.vi" }
        #expect(versions.map(\.status) == [.unpublished, .retired])
        #expect(try await store.documentVersions(agent: "nobody").isEmpty)
        // Concurrent uploads of one document never share a version.
        let numbers = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { try await store.addDocumentVersion(Self.document("race.vi")).version } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(numbers.sorted() == Array(1...8))
    }

    @Test(arguments: StoreContractTests.backends) func surveyAnswersAreKeptOncePerInvite(_ backend: Backend) async throws {
        let store = try await backend.open()
        defer { backend.close(store) }
        func response(_ invite: String, at: String) -> SurveyResponse {
            SurveyResponse(
                invite: invite, session: "ses_a", language: "ja", answers: #"{"overall":4}"#, submittedAt: at,
                record: #"{"kind":"survey"}"#, signature: "c2ln")
        }
        #expect(try await store.saveSurveyResponse(response("inv_1", at: "2026-11-30T23:59:59.999Z")))
        #expect(try await store.saveSurveyResponse(response("inv_2", at: "2026-12-01T00:00:00.000Z")))
        #expect(!(try await store.saveSurveyResponse(response("inv_1", at: "2026-12-02T00:00:00.000Z"))))
        #expect(try await store.surveyResponse(invite: "inv_1") == response("inv_1", at: "2026-11-30T23:59:59.999Z"))
        #expect(try await store.surveyResponse(invite: "inv_9") == nil)
        let december = try await store.surveyResponses(from: "2026-12-01T00:00:00.000Z", to: "2027-01-01T00:00:00.000Z")
        #expect(december.map(\.invite) == ["inv_2"])
    }

    @Test(arguments: StoreContractTests.backends) func sharedFilesKeepTheirBytes(_ backend: Backend) async throws {
        let store = try await backend.open()
        defer { backend.close(store) }
        let bytes = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let file = StoredAttachment(
            id: "att_1", session: "ses_a", name: "sơ đồ.pdf", type: "application/pdf", size: bytes.count, sha256: "ff",
            createdAt: "2026-12-01T00:00:00.000Z", createdBy: "stf_officer")
        try await store.saveAttachment(file, data: bytes)
        let read = try await store.attachment(id: "att_1")
        #expect(read?.0 == file && read?.1 == bytes)
        #expect(try await store.attachments(session: "ses_a") == [file])
        #expect(try await store.attachment(id: "att_2") == nil)
    }
}
