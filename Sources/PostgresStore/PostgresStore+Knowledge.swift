import Dialogue
import Foundation
import PostgresNIO
import Store

extension PostgresStore {
    static let documentColumns = """
        agent, id, version, family, language, title, markdown, status, file_name, file_type, file_size, file_sha256,
        pages, created_at, created_by, published_at, published_by
        """

    package func addDocumentVersion(_ document: UploadedDocument) async throws -> UploadedDocument {
        let logger = logger
        let d = document
        // The next version is decided in the inserting statement, under a per-document lock,
        // so two uploads (from two nodes too) never share one.
        return try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(d.agent + "/" + d.id)))", logger: logger)
            var version: Int32 = 0
            for try await next in try await connection.query(
                """
                INSERT INTO uploaded_documents (agent, id, version, family, language, title, markdown, status,
                  file_name, file_type, file_size, file_sha256, pages, created_at, created_by)
                SELECT \(d.agent), \(d.id), COALESCE(MAX(version), 0) + 1, \(d.family), \(d.language), \(d.title),
                  \(d.markdown), 'preview', \(d.fileName), \(d.fileType), \(Int64(d.fileSize)), \(d.fileSHA256),
                  \(d.pages.map(Int32.init)), \(d.createdAt), \(d.createdBy)
                FROM uploaded_documents WHERE agent = \(d.agent) AND id = \(d.id)
                RETURNING version
                """, logger: logger
            ).decode(Int32.self) {
                version = next
            }
            var stored = d
            stored.version = Int(version)
            stored.status = .preview
            return stored
        }
    }

    package func publishedDocumentVersions() async throws -> [String] {
        try await rows("SELECT agent, id, version FROM uploaded_documents WHERE status = 'published'").map { row in
            let (agent, id, version) = try row.decode((String, String, Int32).self)
            return UploadedDocument.key(agent: agent, id: id, version: Int(version))
        }.sorted()
    }

    package func documentVersions(agent: String?) async throws -> [UploadedDocument] {
        let found =
            if let agent {
                try await rows(
                    "SELECT \(unescaped: Self.documentColumns) FROM uploaded_documents WHERE agent = \(agent) ORDER BY id COLLATE \"C\", version"
                )
            } else {
                try await rows(
                    "SELECT \(unescaped: Self.documentColumns) FROM uploaded_documents ORDER BY agent COLLATE \"C\", id COLLATE \"C\", version"
                )
            }
        return try found.map(Self.uploadedDocument)
    }

    package func setPublished(agent: String, document: String, version: Int?, by: String, at: String) async throws -> Bool {
        let logger = logger
        return try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(agent + "/" + document)))", logger: logger)
            if let version {
                let exists = try await connection.query(
                    "SELECT 1 FROM uploaded_documents WHERE agent = \(agent) AND id = \(document) AND version = \(Int32(version))",
                    logger: logger
                ).collect()
                guard !exists.isEmpty else { return false }
                try await connection.query(
                    """
                    UPDATE uploaded_documents SET status = 'retired'
                    WHERE agent = \(agent) AND id = \(document) AND status = 'published' AND version <> \(Int32(version))
                    """, logger: logger)
                try await connection.query(
                    """
                    UPDATE uploaded_documents SET status = 'published', published_at = \(at), published_by = \(by)
                    WHERE agent = \(agent) AND id = \(document) AND version = \(Int32(version))
                    """, logger: logger)
                return true
            }
            let changed = try await connection.query(
                """
                UPDATE uploaded_documents SET status = 'unpublished'
                WHERE agent = \(agent) AND id = \(document) AND status = 'published' RETURNING version
                """, logger: logger
            ).collect()
            return !changed.isEmpty
        }
    }

    package func saveSurveyResponse(_ response: SurveyResponse) async throws -> Bool {
        let r = response
        let inserted = try await rows(
            """
            INSERT INTO survey_responses (invite_id, session_id, language, answers, submitted_at, record, signature)
            VALUES (\(r.invite), \(r.session), \(r.language), \(r.answers), \(r.submittedAt), \(r.record), \(r.signature))
            ON CONFLICT (invite_id) DO NOTHING RETURNING invite_id
            """)
        return !inserted.isEmpty
    }

    static let surveyColumns = "invite_id, session_id, language, answers, submitted_at, record, signature"

    package func surveyResponse(invite: String) async throws -> SurveyResponse? {
        try await rows("SELECT \(unescaped: Self.surveyColumns) FROM survey_responses WHERE invite_id = \(invite)")
            .first.map(Self.surveyResponse)
    }

    package func surveyResponses(from: String, to: String) async throws -> [SurveyResponse] {
        // Byte order, as RFC 3339 times sort (a linguistic collation may not).
        try await rows(
            """
            SELECT \(unescaped: Self.surveyColumns) FROM survey_responses
            WHERE submitted_at COLLATE "C" >= \(from) AND submitted_at COLLATE "C" < \(to)
            ORDER BY submitted_at COLLATE "C"
            """
        ).map(Self.surveyResponse)
    }

    package func saveAttachment(_ attachment: StoredAttachment, data: [UInt8]) async throws {
        let a = attachment
        try await execute(
            """
            INSERT INTO attachments (id, session_id, name, type, size, sha256, data, created_at, created_by)
            VALUES (\(a.id), \(a.session), \(a.name), \(a.type), \(Int64(a.size)), \(a.sha256), \(Data(data)),
              \(a.createdAt), \(a.createdBy))
            """)
    }

    static let attachmentColumns = "id, session_id, name, type, size, sha256, created_at, created_by"

    package func attachment(id: String) async throws -> (StoredAttachment, [UInt8])? {
        guard
            let row = try await rows(
                "SELECT \(unescaped: Self.attachmentColumns), data FROM attachments WHERE id = \(id)"
            ).first
        else { return nil }
        let attachment = try Self.storedAttachment(row)
        let data = try row.makeRandomAccess()["data"].decode(Data.self)
        return (attachment, Array(data))
    }

    package func deleteAttachment(id: String) async throws {
        try await execute("DELETE FROM attachments WHERE id = \(id)")
    }

    package func attachments(session: String) async throws -> [StoredAttachment] {
        try await rows(
            """
            SELECT \(unescaped: Self.attachmentColumns) FROM attachments WHERE session_id = \(session)
            ORDER BY created_at COLLATE "C", id COLLATE "C"
            """
        ).map(Self.storedAttachment)
    }

    static func uploadedDocument(_ row: PostgresRow) throws -> UploadedDocument {
        let columns = row.makeRandomAccess()
        return UploadedDocument(
            agent: try columns["agent"].decode(String.self), id: try columns["id"].decode(String.self),
            version: Int(try columns["version"].decode(Int32.self)), family: try columns["family"].decode(String.self),
            language: try columns["language"].decode(String.self), title: try columns["title"].decode(String.self),
            markdown: try columns["markdown"].decode(String.self),
            status: UploadedDocument.Status(rawValue: try columns["status"].decode(String.self)) ?? .preview,
            fileName: try columns["file_name"].decode(String.self), fileType: try columns["file_type"].decode(String.self),
            fileSize: Int(try columns["file_size"].decode(Int64.self)),
            fileSHA256: try columns["file_sha256"].decode(String.self),
            pages: try columns["pages"].decode(Int32?.self).map(Int.init),
            createdAt: try columns["created_at"].decode(String.self), createdBy: try columns["created_by"].decode(String.self),
            publishedAt: try columns["published_at"].decode(String?.self),
            publishedBy: try columns["published_by"].decode(String?.self))
    }

    static func surveyResponse(_ row: PostgresRow) throws -> SurveyResponse {
        let (invite, session, language, answers, submittedAt, record, signature) =
            try row.decode((String, String, String, String, String, String, String).self)
        return SurveyResponse(
            invite: invite, session: session, language: language, answers: answers, submittedAt: submittedAt,
            record: record, signature: signature)
    }

    static func storedAttachment(_ row: PostgresRow) throws -> StoredAttachment {
        let columns = row.makeRandomAccess()
        return StoredAttachment(
            id: try columns["id"].decode(String.self), session: try columns["session_id"].decode(String.self),
            name: try columns["name"].decode(String.self), type: try columns["type"].decode(String.self),
            size: Int(try columns["size"].decode(Int64.self)), sha256: try columns["sha256"].decode(String.self),
            createdAt: try columns["created_at"].decode(String.self), createdBy: try columns["created_by"].decode(String.self))
    }
}
