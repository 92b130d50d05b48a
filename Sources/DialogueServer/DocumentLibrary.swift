import AgentPacks
import Crypto
import Dialogue
import DocumentIntake
import Foundation
import HashChain
import Logging
import Store
import Synchronization

/// Documents officers upload (docs/knowledge.md): converted by the real converters, kept as
/// versions in the store, previewed, then published over the packs' own files. Every node
/// reads the published set from the store (at each pack-watcher turn, and at once on the
/// node that published), so all answer from the same documents.
final class DocumentLibrary: Sendable {
    let store: any KnowledgeStore
    let agentSource: AgentPackSource
    let retrieval: RetrievalService
    let converter: DocumentConverter
    let logger: Logger

    /// Largest upload, in bytes.
    static let maximumUpload = 20 * 1024 * 1024

    init(store: any KnowledgeStore, agentSource: AgentPackSource, retrieval: RetrievalService, scratch: URL, logger: Logger) {
        self.store = store
        self.agentSource = agentSource
        self.retrieval = retrieval
        self.converter = DocumentConverter(scratch: scratch)
        self.logger = logger
    }

    /// What an officer says about an upload: the document's place in the pack and its front matter.
    struct Upload: Sendable {
        var agent: String
        var family: String
        var language: String
        var title: String
        var source: String
        var date: String
        var zone: String?
        var sector: String?
        var fileName: String
        var declaredType: String?
        var by: String
    }

    /// Refusals an officer can act on: the reason, and the status that fits it.
    struct Refusal: Error {
        var status: Int
        var message: String
    }

    /// Checks, converts and stores an upload as the next version (status `preview`).
    func add(_ upload: Upload, bytes: [UInt8], pack: AgentPack) async throws -> UploadedDocument {
        try Self.checkFields(upload)
        let kind: FileKind
        switch FileKind.sniff(bytes, declared: FileKind.declared(upload.declaredType)) {
        case .success(let found): kind = found
        case .failure(let error): throw Refusal(status: 415, message: "document refused, nothing changed: \(error)")
        }
        guard kind.isDocument else {
            throw Refusal(status: 415, message: "document refused, nothing changed: a \(kind.mediaType) file is not a document")
        }
        let converted: DocumentConverter.Converted
        do {
            converted = try await converter.convert(bytes, kind: kind)
        } catch {
            let status: Int
            switch error {
            case .converterUnavailable: status = 503
            case .unknownType: status = 415
            default: status = 422
            }
            throw Refusal(status: status, message: "document refused, nothing changed: \(error)")
        }
        let id = "\(upload.family).\(upload.language)"
        var front: [(String, String)] = [
            ("title", upload.title), ("language", upload.language), ("source", upload.source), ("date", upload.date),
        ]
        if let zone = upload.zone { front.append(("zone", zone)) }
        if let sector = upload.sector { front.append(("sector", sector)) }
        // Media named by the shipped document of the same id stay with the uploaded one.
        if let shipped = agentSource.shippedDocuments(pack: pack.id).first(where: { $0.id == id }) {
            for key in ["image", "image-caption", "tour", "map"] { if let value = shipped.fields[key] { front.append((key, value)) } }
        }
        let markdown =
            "---\n" + front.map { "\($0.0): \(Self.oneLine($0.1))" }.joined(separator: "\n") + "\n---\n\n" + converted.markdown
            + "\n"
        // The pack's own parser is the judge: a document it would refuse is never stored.
        do {
            _ = try PackDocument.parse(markdown, id: id, file: "upload \(upload.fileName)")
        } catch {
            throw Refusal(status: 422, message: "document refused, nothing changed: \(error)")
        }
        let digest = Hex.encode(HashChain.sha256(bytes))
        let document = UploadedDocument(
            agent: upload.agent, id: id, family: upload.family, language: upload.language, title: upload.title,
            markdown: markdown, fileName: upload.fileName, fileType: kind.mediaType, fileSize: bytes.count,
            fileSHA256: digest, pages: converted.pages, createdAt: Timestamp.now(), createdBy: upload.by)
        return try await store.addDocumentVersion(document)
    }

    /// The fields an upload must carry, checked as the pack checks its files.
    static func checkFields(_ upload: Upload) throws {
        func refuse(_ reason: String) -> Refusal { Refusal(status: 400, message: reason) }
        guard !upload.family.isEmpty, upload.family.count <= 100,
            upload.family.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
        else { throw refuse("family must be lowercase letters, digits and hyphens (the file name before the language), like van-don-economic-zone") }
        guard AgentManifest.isLanguageCode(upload.language) else {
            throw refuse("language \"\(upload.language)\" is not a language code like vi, en or zh")
        }
        for (name, value) in [("title", upload.title), ("source", upload.source), ("date", upload.date)] {
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { throw refuse("\(name) is required") }
            guard value.count <= 1000 else { throw refuse("\(name) is longer than 1000 characters") }
        }
        for (name, value) in [("zone", upload.zone), ("sector", upload.sector)] {
            if let value, value.count > 1000 { throw refuse("\(name) is longer than 1000 characters") }
        }
        guard PackDocument.isDate(upload.date) else { throw refuse("date \"\(upload.date)\" is not YYYY, YYYY-MM or YYYY-MM-DD") }
    }

    /// Front matter holds one line per key.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
    }

    /// The refresh under way, the next waits for it: a slow read of an older set must never
    /// be put in force after a newer one (the watcher and a publish may refresh together).
    private let lastRefresh = Mutex<Task<Void, Never>?>(nil)

    /// Reads the published set from the store and puts it in force; refreshes the index when
    /// it changed. Returns whether it changed. Refreshes run one after another.
    @discardableResult
    func refresh() async throws -> Bool {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Bool, any Error>, Never>) in
            lastRefresh.withLock { last in
                let previous = last
                last = Task {
                    await previous?.value
                    do {
                        continuation.resume(returning: .success(try await self.refreshNow()))
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                }
            }
        }
        return try result.get()
    }

    private func refreshNow() async throws -> Bool {
        // Every node asks every few seconds: first only which versions are published (a
        // small read), and the documents themselves only when that changed.
        let keys = try await store.publishedDocumentVersions()
        guard agentSource.overlayFingerprint != keys.joined(separator: ",") else { return false }
        let versions = try await store.documentVersions(agent: nil)
        var overlay: [String: [PackDocument]] = [:]
        var fingerprint: [String] = []
        for uploaded in versions where uploaded.status == .published {
            guard var document = try? PackDocument.parse(uploaded.markdown, id: uploaded.id, file: "upload") else {
                logger.error("a published document no longer parses; skipped", metadata: ["document": "\(uploaded.id)"])
                continue
            }
            document.fields["version"] = String(uploaded.version)
            overlay[uploaded.agent, default: []].append(document)
            fingerprint.append(UploadedDocument.key(agent: uploaded.agent, id: uploaded.id, version: uploaded.version))
        }
        guard agentSource.replaceOverlay(overlay, fingerprint: fingerprint.sorted().joined(separator: ",")) != nil else {
            return false
        }
        logger.notice("published documents in force", metadata: ["documents": "\(fingerprint.count)"])
        retrieval.refreshInBackground()
        return true
    }
}
