import AgentPacks
import Dialogue
import DocumentIntake
import Store
import Transport

/// Documents officers upload (docs/knowledge.md): `POST` converts a file to a preview,
/// `publish` puts a version in force (an older one: a roll-back), `unpublish` withdraws it.
extension HTTPAPI {
    /// The pack named in the path.
    func pathPack(_ call: RouteCall) throws -> AgentPack {
        let id = call["id"]
        guard let pack = agents.pack(id: id) else {
            throw Failure.notFound("no agent \(id); agents: \(agents.ids.joined(separator: ", "))")
        }
        return pack
    }

    /// `POST /v1/agents/{id}/documents?family=&language=&title=&source=&date=[&zone=&sector=&name=]`.
    func uploadDocument(_ call: RouteCall, by officer: StaffAccount) async throws -> HTTPResponse {
        let request = call.request
        let pack = try pathPack(call)
        guard !request.body.isEmpty else { throw Failure.badRequest("the body must be the file (PDF, DOCX, HTML, Markdown or text)") }
        func value(_ name: String) -> String? {
            request.queryValue(name).map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        for name in ["family", "language", "title", "source", "date"] where value(name) == nil {
            throw Failure.badRequest("\(name) is required (query parameters: family, language, title, source, date; zone and sector optional)")
        }
        let upload = DocumentLibrary.Upload(
            agent: pack.id, family: value("family")!, language: value("language")!, title: value("title")!,
            source: value("source")!, date: value("date")!, zone: value("zone"), sector: value("sector"),
            fileName: Self.attachmentName(value("name") ?? "upload"), declaredType: request.headers["content-type"], by: officer.id)
        let stored: UploadedDocument
        do {
            stored = try await documents.add(upload, bytes: request.body, pack: pack)
        } catch let refusal as DocumentLibrary.Refusal {
            logger.notice("document upload refused", metadata: ["agent": "\(pack.id)", "reason": "\(refusal.message)"])
            throw Failure(status: refusal.status, code: refusal.status == 503 ? "unavailable" : "bad_request", message: refusal.message)
        }
        await audit(
            actor: officer.name, action: "upload document", session: nil,
            detail: "agent=\(pack.id) document=\(stored.id) version=\(stored.version) file=\(stored.fileName) sha256=\(stored.fileSHA256)")
        return Self.json(201, Self.versionJSON(stored, withPreview: true))
    }

    /// `GET /v1/agents/{id}/documents`: the pack's documents, shipped and uploaded, with
    /// their versions, and per family the languages it has and lacks.
    func listDocuments(_ call: RouteCall) async throws -> HTTPResponse {
        let pack = try pathPack(call)
        let uploaded = try await store.documentVersions(agent: pack.id)
        let byId = Dictionary(grouping: uploaded, by: \.id)
        let shipped = agentSource.shippedDocuments(pack: pack.id)
        var entries: [JSONValue] = []
        var familyLanguages: [String: Set<String>] = [:]
        for id in Set(byId.keys).union(shipped.map(\.id)).sorted() {
            let versions = byId[id] ?? []
            let file = shipped.first { $0.id == id }
            let entry = Self.documentJSON(id: id, versions: versions, shipped: file)
            entries.append(entry)
            // A family has a language when a version of it is in force (published or shipped).
            if let family = entry["family"]?.stringValue, let language = entry["language"]?.stringValue,
                entry["inForce"]?.boolValue == true
            {
                familyLanguages[family, default: []].insert(language)
            }
            if let family = entry["family"]?.stringValue, familyLanguages[family] == nil { familyLanguages[family] = [] }
        }
        let wanted = pack.manifest.languages
        let families: [JSONValue] = familyLanguages.keys.sorted().map { family in
            let has = familyLanguages[family] ?? []
            return [
                "family": .string(family), "languages": .array(wanted.filter(has.contains).map { .string($0) }),
                "missing": .array(wanted.filter { !has.contains($0) }.map { .string($0) }),
            ]
        }
        return Self.json(200, ["agent": .string(pack.id), "documents": .array(entries), "families": .array(families)])
    }

    /// `GET /v1/agents/{id}/documents/{doc}[?version=N]`: one uploaded version with its preview.
    func documentVersion(_ call: RouteCall) async throws -> HTTPResponse {
        let pack = try pathPack(call)
        let versions = try await store.documentVersions(agent: pack.id).filter { $0.id == call["doc"] }
        guard !versions.isEmpty else { throw Failure.notFound("agent \(pack.id) has no uploaded document \(call["doc"])") }
        let wanted = try Self.versionParameter(call.request)
        guard let version = wanted.map({ number in versions.first { $0.version == number } }) ?? versions.last else {
            throw Failure.notFound("document \(call["doc"]) has no version \(wanted ?? 0)")
        }
        return Self.json(200, Self.versionJSON(version, withPreview: true))
    }

    /// `POST /v1/agents/{id}/documents/{doc}/publish[?version=N]`: the newest version by default.
    func publishDocument(_ call: RouteCall, by officer: StaffAccount) async throws -> HTTPResponse {
        let pack = try pathPack(call)
        let id = call["doc"]
        let versions = try await store.documentVersions(agent: pack.id).filter { $0.id == id }
        guard let newest = versions.last else { throw Failure.notFound("agent \(pack.id) has no uploaded document \(id)") }
        let version = try Self.versionParameter(call.request) ?? newest.version
        guard try await store.setPublished(agent: pack.id, document: id, version: version, by: officer.id, at: Timestamp.now())
        else { throw Failure.notFound("document \(id) has no version \(version)") }
        try await putInForce()
        await audit(actor: officer.name, action: "publish document", session: nil, detail: "agent=\(pack.id) document=\(id) version=\(version)")
        return try await documentEntry(pack: pack, id: id)
    }

    /// `POST /v1/agents/{id}/documents/{doc}/unpublish`: answers stop using it (a shipped
    /// file of the same id is in force again).
    func unpublishDocument(_ call: RouteCall, by officer: StaffAccount) async throws -> HTTPResponse {
        let pack = try pathPack(call)
        let id = call["doc"]
        guard try await store.setPublished(agent: pack.id, document: id, version: nil, by: officer.id, at: Timestamp.now())
        else { throw Failure.conflict("document \(id) has no published version") }
        try await putInForce()
        await audit(actor: officer.name, action: "unpublish document", session: nil, detail: "agent=\(pack.id) document=\(id)")
        return try await documentEntry(pack: pack, id: id)
    }

    /// The published set in force on this node now, and the index brought up to date before
    /// the officer hears back (a search right after finds the new text).
    private func putInForce() async throws {
        // Whichever refresh put the new set in force (this one, or the watcher's just before),
        // the index it started is waited for.
        try await documents.refresh()
        _ = await retrieval.waitUntilReady(timeout: .seconds(60))
    }

    private func documentEntry(pack: AgentPack, id: String) async throws -> HTTPResponse {
        let versions = try await store.documentVersions(agent: pack.id).filter { $0.id == id }
        let shipped = agentSource.shippedDocuments(pack: pack.id).first { $0.id == id }
        return Self.json(200, Self.documentJSON(id: id, versions: versions, shipped: shipped))
    }

    private static func versionParameter(_ request: HTTPRequest) throws -> Int? {
        guard let text = request.queryValue("version") else { return nil }
        guard let number = Int(text), number >= 1 else { throw Failure.badRequest("version must be 1 or more") }
        return number
    }

    /// A document: what is in force (a published upload, else the shipped file) and every version.
    static func documentJSON(id: String, versions: [UploadedDocument], shipped: PackDocument?) -> JSONValue {
        let published = versions.last { $0.status == .published }
        let newest = versions.last
        var entry: [String: JSONValue] = [
            "id": .string(id), "origin": .string(published != nil || shipped == nil ? "upload" : "pack"),
            "published": published.map { .int(Int64($0.version)) } ?? .null,
            "inForce": .bool(published != nil || shipped != nil),
            "versions": .array(versions.map { versionJSON($0, withPreview: false) }),
        ]
        if let source = published ?? newest {
            entry["family"] = .string(source.family)
            entry["language"] = .string(source.language)
            entry["title"] = .string(source.title)
        } else if let shipped {
            entry["family"] = .string(shipped.family)
            entry["language"] = .string(shipped.language)
            entry["title"] = .string(shipped.title)
        }
        if let shipped {
            entry["shipped"] = ["title": .string(shipped.title), "source": .string(shipped.source), "date": .string(shipped.date)]
            if published == nil {
                entry["source"] = .string(shipped.source)
                entry["date"] = .string(shipped.date)
                if let zone = shipped.zone { entry["zone"] = .string(zone) }
                if let sector = shipped.sector { entry["sector"] = .string(sector) }
            }
        }
        if let published, let document = try? PackDocument.parse(published.markdown, id: id, file: "upload") {
            entry["source"] = .string(document.source)
            entry["date"] = .string(document.date)
            if let zone = document.zone { entry["zone"] = .string(zone) }
            if let sector = document.sector { entry["sector"] = .string(sector) }
        }
        return .object(entry)
    }

    /// One uploaded version; with its preview (text, sections, front matter) when asked.
    static func versionJSON(_ version: UploadedDocument, withPreview: Bool) -> JSONValue {
        var entry: [String: JSONValue] = [
            "id": .string(version.id), "version": .int(Int64(version.version)), "status": .string(version.status.rawValue),
            "createdAt": .string(version.createdAt), "createdBy": .string(version.createdBy),
            "file": [
                "name": .string(version.fileName), "type": .string(version.fileType), "size": .int(Int64(version.fileSize)),
                "sha256": .string(version.fileSHA256),
            ],
        ]
        if let at = version.publishedAt { entry["publishedAt"] = .string(at) }
        if let by = version.publishedBy { entry["publishedBy"] = .string(by) }
        if withPreview, let document = try? PackDocument.parse(version.markdown, id: version.id, file: "upload") {
            let metadata = JSONValue.object(document.fields.mapValues { .string($0) })
            entry["preview"] = [
                "markdown": .string(version.markdown), "text": .string(document.body),
                "sections": .array(DocumentConverter.sections(of: document.body).map { .string($0) }),
                "metadata": metadata, "characters": .int(Int64(document.body.count)),
                "pages": version.pages.map { .int(Int64($0)) } ?? .null,
            ]
        }
        return .object(entry)
    }
}
