import Dialogue
import Foundation
import GRDB

extension SQLiteStore {
    package func addDocumentVersion(_ document: UploadedDocument) async throws -> UploadedDocument {
        try await writing { db in
            // The version is decided inside the write transaction: two uploads never share one.
            let last = try Int.fetchOne(
                db, sql: "SELECT MAX(version) FROM uploaded_documents WHERE agent = ? AND id = ?",
                arguments: [document.agent, document.id]) ?? 0
            var stored = document
            stored.version = last + 1
            stored.status = .preview
            try db.execute(
                sql: """
                    INSERT INTO uploaded_documents (agent, id, version, family, language, title, markdown, status,
                      file_name, file_type, file_size, file_sha256, pages, created_at, created_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'preview', ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    stored.agent, stored.id, stored.version, stored.family, stored.language, stored.title, stored.markdown,
                    stored.fileName, stored.fileType, stored.fileSize, stored.fileSHA256, stored.pages, stored.createdAt,
                    stored.createdBy,
                ])
            return stored
        }
    }

    package func publishedDocumentVersions() async throws -> [String] {
        try await reading { db in
            try Row.fetchAll(db, sql: "SELECT agent, id, version FROM uploaded_documents WHERE status = 'published'")
                .map { UploadedDocument.key(agent: $0["agent"], id: $0["id"], version: $0["version"]) }.sorted()
        }
    }

    package func documentVersions(agent: String?) async throws -> [UploadedDocument] {
        try await reading { db in
            let rows =
                if let agent {
                    try Row.fetchAll(
                        db, sql: "SELECT * FROM uploaded_documents WHERE agent = ? ORDER BY id, version", arguments: [agent])
                } else {
                    try Row.fetchAll(db, sql: "SELECT * FROM uploaded_documents ORDER BY agent, id, version")
                }
            return rows.map(Self.uploadedDocument)
        }
    }

    package func setPublished(agent: String, document: String, version: Int?, by: String, at: String) async throws -> Bool {
        try await writing { db in
            if let version {
                guard
                    try Bool.fetchOne(
                        db, sql: "SELECT 1 FROM uploaded_documents WHERE agent = ? AND id = ? AND version = ?",
                        arguments: [agent, document, version]) != nil
                else { return false }
                try db.execute(
                    sql: "UPDATE uploaded_documents SET status = 'retired' WHERE agent = ? AND id = ? AND status = 'published' AND version <> ?",
                    arguments: [agent, document, version])
                try db.execute(
                    sql: "UPDATE uploaded_documents SET status = 'published', published_at = ?, published_by = ? WHERE agent = ? AND id = ? AND version = ?",
                    arguments: [at, by, agent, document, version])
                return true
            }
            try db.execute(
                sql: "UPDATE uploaded_documents SET status = 'unpublished' WHERE agent = ? AND id = ? AND status = 'published'",
                arguments: [agent, document])
            return db.changesCount > 0
        }
    }

    package func saveSurveyResponse(_ response: SurveyResponse) async throws -> Bool {
        try await writing { db in
            try db.execute(
                sql: """
                    INSERT INTO survey_responses (invite_id, session_id, language, answers, submitted_at, record, signature)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (invite_id) DO NOTHING
                    """,
                arguments: [
                    response.invite, response.session, response.language, response.answers, response.submittedAt,
                    response.record, response.signature,
                ])
            return db.changesCount > 0
        }
    }

    package func surveyResponse(invite: String) async throws -> SurveyResponse? {
        try await reading { db in
            try Row.fetchOne(db, sql: "SELECT * FROM survey_responses WHERE invite_id = ?", arguments: [invite])
                .map(Self.surveyResponse)
        }
    }

    package func surveyResponses(from: String, to: String) async throws -> [SurveyResponse] {
        try await reading { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM survey_responses WHERE submitted_at >= ? AND submitted_at < ? ORDER BY submitted_at",
                arguments: [from, to]
            ).map(Self.surveyResponse)
        }
    }

    package func saveAttachment(_ attachment: StoredAttachment, data: [UInt8]) async throws {
        try await writing { db in
            try db.execute(
                sql: """
                    INSERT INTO attachments (id, session_id, name, type, size, sha256, data, created_at, created_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    attachment.id, attachment.session, attachment.name, attachment.type, attachment.size, attachment.sha256,
                    Data(data), attachment.createdAt, attachment.createdBy,
                ])
        }
    }

    package func attachment(id: String) async throws -> (StoredAttachment, [UInt8])? {
        try await reading { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM attachments WHERE id = ?", arguments: [id]) else {
                return nil
            }
            let data: Data = row["data"]
            return (Self.storedAttachment(row), Array(data))
        }
    }

    package func deleteAttachment(id: String) async throws {
        try await writing { db in try db.execute(sql: "DELETE FROM attachments WHERE id = ?", arguments: [id]) }
    }

    package func attachments(session: String) async throws -> [StoredAttachment] {
        try await reading { db in
            try Row.fetchAll(
                db,
                sql: "SELECT id, session_id, name, type, size, sha256, created_at, created_by FROM attachments WHERE session_id = ? ORDER BY created_at, id",
                arguments: [session]
            ).map(Self.storedAttachment)
        }
    }

    static func uploadedDocument(_ row: Row) -> UploadedDocument {
        UploadedDocument(
            agent: row["agent"], id: row["id"], version: row["version"], family: row["family"], language: row["language"],
            title: row["title"], markdown: row["markdown"],
            status: UploadedDocument.Status(rawValue: row["status"]) ?? .preview, fileName: row["file_name"],
            fileType: row["file_type"], fileSize: row["file_size"], fileSHA256: row["file_sha256"], pages: row["pages"],
            createdAt: row["created_at"], createdBy: row["created_by"], publishedAt: row["published_at"],
            publishedBy: row["published_by"])
    }

    static func surveyResponse(_ row: Row) -> SurveyResponse {
        SurveyResponse(
            invite: row["invite_id"], session: row["session_id"], language: row["language"], answers: row["answers"],
            submittedAt: row["submitted_at"], record: row["record"], signature: row["signature"])
    }

    static func storedAttachment(_ row: Row) -> StoredAttachment {
        StoredAttachment(
            id: row["id"], session: row["session_id"], name: row["name"], type: row["type"], size: row["size"],
            sha256: row["sha256"], createdAt: row["created_at"], createdBy: row["created_by"])
    }
}
