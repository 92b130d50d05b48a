import Dialogue

/// What issue 19 keeps: documents officers upload (every version), the investors' survey
/// answers and the files officers share in sessions. On PostgreSQL they live in the shared
/// store, so every node answers from the same documents and serves the same files.
package protocol KnowledgeStore: ClosableStore {
    /// Stores an uploaded document as the next version of `document.id` (status `preview`);
    /// returns it with its version.
    func addDocumentVersion(_ document: UploadedDocument) async throws -> UploadedDocument
    /// `UploadedDocument.key` of every published version, sorted: what a node compares to
    /// learn whether the published set changed.
    func publishedDocumentVersions() async throws -> [String]
    /// Every version of every uploaded document of `agent` (every agent when nil), oldest first.
    func documentVersions(agent: String?) async throws -> [UploadedDocument]
    /// Publishes `version` of a document (the one published before is `retired`), or with
    /// nil unpublishes the published one. False when there is no such version (or, to
    /// unpublish, none is published).
    func setPublished(agent: String, document: String, version: Int?, by: String, at: String) async throws -> Bool

    /// Stores one invite's survey answers; false when that invite answered already.
    func saveSurveyResponse(_ response: SurveyResponse) async throws -> Bool
    /// The answers an invite gave, if any.
    func surveyResponse(invite: String) async throws -> SurveyResponse?
    /// Answers given in `[from, to)`, oldest first; the bounds are written as the store writes
    /// times (`Timestamp.format`, with milliseconds), since they are compared as text.
    func surveyResponses(from: String, to: String) async throws -> [SurveyResponse]

    /// Stores a shared file and its bytes.
    func saveAttachment(_ attachment: StoredAttachment, data: [UInt8]) async throws
    /// A shared file and its bytes.
    func attachment(id: String) async throws -> (StoredAttachment, [UInt8])?
    /// Deletes a stored file that no event shares (its share was refused).
    func deleteAttachment(id: String) async throws
    /// The files shared in a session, oldest first (without their bytes).
    func attachments(session: String) async throws -> [StoredAttachment]
}

/// One version of an uploaded document: the pack document it became (Markdown with front
/// matter) and the file it was made from.
package struct UploadedDocument: Sendable, Equatable {
    /// `agent/id@version`: one version among all agents' documents.
    package static func key(agent: String, id: String, version: Int) -> String { "\(agent)/\(id)@\(version)" }

    package enum Status: String, Sendable, CaseIterable {
        /// Converted, shown to officers, not answered from.
        case preview
        /// In force: answered from and cited.
        case published
        /// Was in force until another version was published.
        case retired
        /// Was in force until an officer unpublished it.
        case unpublished
    }
    package var agent: String
    /// `family.language`, as a pack file's name without `.md`.
    package var id: String
    /// 1, 2, … per document (0 before it is stored).
    package var version: Int
    package var family: String
    package var language: String
    package var title: String
    /// The pack document's text: front matter and body.
    package var markdown: String
    package var status: Status
    /// The uploaded file: name, media type, size and SHA-256 (hex).
    package var fileName: String
    package var fileType: String
    package var fileSize: Int
    package var fileSHA256: String
    /// Pages of a PDF.
    package var pages: Int?
    package var createdAt: String
    package var createdBy: String
    package var publishedAt: String?
    package var publishedBy: String?

    package init(
        agent: String, id: String, version: Int = 0, family: String, language: String, title: String, markdown: String,
        status: Status = .preview, fileName: String, fileType: String, fileSize: Int, fileSHA256: String,
        pages: Int? = nil, createdAt: String, createdBy: String, publishedAt: String? = nil, publishedBy: String? = nil
    ) {
        self.agent = agent
        self.id = id
        self.version = version
        self.family = family
        self.language = language
        self.title = title
        self.markdown = markdown
        self.status = status
        self.fileName = fileName
        self.fileType = fileType
        self.fileSize = fileSize
        self.fileSHA256 = fileSHA256
        self.pages = pages
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.publishedAt = publishedAt
        self.publishedBy = publishedBy
    }
}

/// One invite's survey answers, with the signed record that proves them.
package struct SurveyResponse: Sendable, Equatable {
    package var invite: String
    package var session: String
    package var language: String
    /// The answers as JSON (`{"information":4,"comment":"…"}`), canonical.
    package var answers: String
    package var submittedAt: String
    /// The canonical record signed: session, invite, answers, time and the session's chain head.
    package var record: String
    /// Ed25519 signature of `record`, base64.
    package var signature: String

    package init(
        invite: String, session: String, language: String, answers: String, submittedAt: String, record: String,
        signature: String
    ) {
        self.invite = invite
        self.session = session
        self.language = language
        self.answers = answers
        self.submittedAt = submittedAt
        self.record = record
        self.signature = signature
    }
}

extension SurveyResponse {
    /// The answers without their free text, for the erasure of the investor who gave them:
    /// the scores stay (the barometer counts them), the words go, and so does the signature,
    /// which covered them (the record says `erased`).
    package func erasingText() -> SurveyResponse {
        func scoresOnly(_ value: JSONValue?) -> JSONValue {
            guard case .object(let members)? = value else { return .object([:]) }
            return .object(members.filter { $0.value.intValue != nil })
        }
        var copy = self
        copy.answers = JSONWriter.string(scoresOnly(try? JSONParser.parse(Array(answers.utf8), integersOnly: true)))
        if case .object(var members)? = try? JSONParser.parse(Array(record.utf8), integersOnly: true) {
            members["answers"] = scoresOnly(members["answers"])
            members["erased"] = .bool(true)
            copy.record = JSONWriter.string(.object(members))
        }
        copy.signature = ""
        return copy
    }
}

/// A file shared in a session: what the `attachment` event records.
package struct StoredAttachment: Sendable, Equatable {
    package var id: String
    package var session: String
    package var name: String
    /// Media type, judged from the content.
    package var type: String
    package var size: Int
    package var sha256: String
    package var createdAt: String
    package var createdBy: String

    package init(
        id: String, session: String, name: String, type: String, size: Int, sha256: String, createdAt: String,
        createdBy: String
    ) {
        self.id = id
        self.session = session
        self.name = name
        self.type = type
        self.size = size
        self.sha256 = sha256
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}
