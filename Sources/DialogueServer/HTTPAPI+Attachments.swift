import AgentPacks
import Crypto
import Dialogue
import DocumentIntake
import Foundation
import HashChain
import Synchronization
import Store
import Transport

/// Files officers share in a session (docs/knowledge.md): type checked by content, size
/// limited, stored in the store (the data folder's database, or the shared PostgreSQL), and
/// recorded by an `attachment` event whose name, type, size and SHA-256 the signed transcript
/// proves. Participants download them with their token or invite code, or through a link
/// that lasts ten minutes.
extension HTTPAPI {
    /// Largest shared file.
    static let maximumAttachment = 20 * 1024 * 1024
    /// Types a shared file may have (judged from its bytes); no SVG or HTML, which a browser would run.
    static let attachmentKinds: Set<FileKind> = [.pdf, .png, .jpeg, .webp]

    /// `POST /v1/sessions/{id}/attachments?name=FILE` with the file as the body.
    func shareAttachment(_ call: RouteCall, by officer: StaffAccount) async throws -> HTTPResponse {
        let request = call.request
        let sessionId = call["id"]
        guard let session = try await store.session(id: sessionId) else { throw Failure.notFound("no session \(sessionId)") }
        guard session.status.takesMessages else {
            throw Failure.conflict("session \(sessionId) is \(session.status.rawValue); files are shared during a meeting")
        }
        let name = Self.attachmentName(request.queryValue("name"))
        guard !request.body.isEmpty else { throw Failure.badRequest("the body must be the file") }
        let kind: FileKind
        switch FileKind.sniff(request.body, declared: FileKind.declared(request.headers["content-type"])) {
        case .success(let found) where Self.attachmentKinds.contains(found): kind = found
        case .success(let found):
            throw Failure(status: 415, code: "bad_request", message: "a \(found.mediaType) file cannot be shared; share a PDF, PNG, JPEG or WebP file")
        case .failure(let error):
            throw Failure(status: 415, code: "bad_request", message: "file refused: \(error)")
        }
        let digest = Hex.encode(HashChain.sha256(request.body))
        let id = "att_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        let stored = StoredAttachment(
            id: String(id), session: sessionId, name: name, type: kind.mediaType, size: request.body.count, sha256: digest,
            createdAt: Timestamp.now(), createdBy: officer.id)
        try await store.saveAttachment(stored, data: request.body)
        let attachment = Self.attachmentJSON(stored)
        let author = Participant(id: officer.id, role: officer.role, name: officer.name, language: "en")
        let seq: Int64
        do {
            seq = try await shareStored(attachment, session: sessionId, author: author)
        } catch let failure as Failure where failure.status != 503 {
            // Refused by the session (it ended meanwhile…): the file is not kept unshared.
            try? await store.deleteAttachment(id: stored.id)
            throw failure
        }
        await audit(
            actor: officer.name, action: "share file", session: sessionId,
            detail: "attachment=\(stored.id) name=\(name) type=\(kind.mediaType) size=\(stored.size) sha256=\(digest)")
        return Self.json(201, ["seq": .int(seq), "attachment": attachment])
    }

    /// Asks the hub for the `attachment` event of a stored file; its seq, or the refusal.
    private func shareStored(_ attachment: JSONValue, session sessionId: String, author: Participant) async throws -> Int64 {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int64, any Error>) in
            let once = OnceFlag()
            // Work the hub drops (a session that cannot recover) must not leave the request
            // hanging; the timer is cancelled as soon as the hub answers.
            let timer = Task {
                do { try await Task.sleep(for: .seconds(60)) } catch { return }
                if once.take() {
                    continuation.resume(
                        throwing: Failure(
                            status: 503, code: "unavailable",
                            message: "the session did not answer in time; the file may still appear in it: look before sharing it again"))
                }
            }
            Task {
                await hub.shareAttachment(sessionId, by: author, attachment: attachment) { result in
                    guard once.take() else { return }
                    timer.cancel()
                    switch result {
                    case .success(let seq): continuation.resume(returning: seq)
                    case .failure(let error):
                        continuation.resume(throwing: Self.failure(error))
                    }
                }
            }
        }
    }

    /// A refusal of the session's rules as the HTTP answer with the same code.
    static func failure(_ error: DialogueError) -> Failure {
        switch error.code {
        case .conflict: return Failure.conflict(error.message)
        case .notFound: return Failure.notFound(error.message)
        case .forbidden: return Failure.forbidden(error.message)
        case .unavailable: return Failure(status: 503, code: "unavailable", message: error.message)
        default: return Failure.badRequest(error.message)
        }
    }

    static func attachmentJSON(_ stored: StoredAttachment) -> JSONValue {
        [
            "id": .string(stored.id), "name": .string(stored.name), "type": .string(stored.type),
            "size": .int(Int64(stored.size)), "sha256": .string(stored.sha256),
            "url": .string("/v1/sessions/\(stored.session)/attachments/\(stored.id)"),
        ]
    }

    /// A file name as shown: its last path component, without control characters, at most
    /// 200 characters; `file` when none is given.
    static func attachmentName(_ given: String?) -> String {
        let last = (given ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(last.unicodeScalars.filter { ![.control, .format, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory) }.map(Character.init))
            .trimmingCharacters(in: .whitespaces)
        return clean.isEmpty ? "file" : String(clean.prefix(200))
    }

    /// `GET /v1/sessions/{id}/attachments/{att}`: the file, for the session's participants
    /// (a staff token, an invite code of the session, or a `link` from `…/link`).
    func downloadAttachment(_ call: RouteCall) async throws -> HTTPResponse {
        let sessionId = call["id"]
        let attachmentId = call["att"]
        if let link = call.request.queryValue("link") {
            guard AttachmentLink.verify(link, attachment: attachmentId, key: transcripts.keyBytes) else {
                throw Failure(status: 403, code: "forbidden", message: "this download link is wrong or expired; open the file from the meeting again")
            }
        } else {
            try await requireParticipant(call.request, session: sessionId)
        }
        guard let (stored, data) = try await store.attachment(id: attachmentId), stored.session == sessionId else {
            throw Failure.notFound("no file \(attachmentId) in session \(sessionId)")
        }
        // RFC 5987 attr-chars only: every other byte of the UTF-8 name percent-encoded.
        let attrChars = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&+-.^_`|~")
        let encoded = stored.name.addingPercentEncoding(withAllowedCharacters: attrChars) ?? "file"
        return HTTPResponse(
            status: 200, contentType: stored.type,
            headers: [
                ("Content-Disposition", "attachment; filename=\"\(Self.asciiName(stored.name))\"; filename*=UTF-8''\(encoded)"),
                ("Cache-Control", "private, no-store"), ("X-Content-Type-Options", "nosniff"),
            ],
            body: data)
    }

    /// `GET /v1/sessions/{id}/attachments/{att}/link`: `{"url","expiresAt"}`, a download URL
    /// that needs no header for ten minutes (a plain link or `<a download>`).
    func attachmentLink(_ call: RouteCall) async throws -> HTTPResponse {
        let sessionId = call["id"]
        let attachmentId = call["att"]
        try await requireParticipant(call.request, session: sessionId)
        guard let (stored, _) = try await store.attachment(id: attachmentId), stored.session == sessionId else {
            throw Failure.notFound("no file \(attachmentId) in session \(sessionId)")
        }
        let expires = Timestamp.nowMilliseconds() + AttachmentLink.lifetime
        let link = AttachmentLink.make(attachment: attachmentId, expires: expires, key: transcripts.keyBytes)
        return Self.json(
            200,
            [
                "url": .string("/v1/sessions/\(sessionId)/attachments/\(attachmentId)?link=\(link)"),
                "expiresAt": .string(Timestamp.format(milliseconds: expires)),
            ])
    }

    /// Staff, or the investor of an invite of this session who was not shut out. An invite
    /// past its expiry still downloads what was shared with it (as its survey stays open);
    /// a revoked one does not.
    private func requireParticipant(_ request: HTTPRequest, session sessionId: String) async throws {
        guard let header = request.headers["authorization"], header.lowercased().hasPrefix("bearer ") else {
            throw Failure(status: 401, code: "unauthorized", message: "send a staff token or the invite code as Authorization: Bearer …")
        }
        let secret = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard SecretToken.isWellFormed(secret) else {
            await signInFailures.failed(request.peer)
            throw Failure(status: 401, code: "unauthorized", message: "unknown or revoked token or invite code")
        }
        if try await store.staff(token: secret) != nil { return }
        guard let invite = try await store.invite(code: secret), invite.revokedAt == nil else {
            await signInFailures.failed(request.peer)
            throw Failure(status: 401, code: "unauthorized", message: "unknown or revoked token or invite code")
        }
        guard invite.session == sessionId, let session = try await store.session(id: sessionId) else {
            throw Failure(status: 403, code: "forbidden", message: "this file belongs to another meeting")
        }
        let shutOut = try await store.shutOutInvestors(of: session)
        if shutOut.removed.contains(invite.id) || shutOut.declined.contains(invite.id) {
            throw Failure(status: 403, code: "forbidden", message: "you are no longer in this meeting")
        }
    }

    private static func asciiName(_ name: String) -> String {
        String(name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
    }

    /// `GET /v1/agents/{id}/media/{file}`: an image of the pack's `media/` folder (public:
    /// the agency's own material, shown beside answers).
    func packMedia(_ call: RouteCall) throws -> HTTPResponse {
        let pack = try pathPack(call)
        let file = call["file"]
        guard !file.contains("/"), !file.hasPrefix("."),
            let type = AgentPack.mediaTypes[(file as NSString).pathExtension.lowercased()],
            let data = FileManager.default.contents(atPath: pack.mediaFolder.appendingPathComponent(file).path)
        else { throw Failure.notFound("agent \(pack.id) has no image \(file)") }
        var headers: [(String, String)] = [("Cache-Control", "public, max-age=3600"), ("X-Content-Type-Options", "nosniff")]
        // An SVG is the pack's own file, still never allowed to run script.
        if type == "image/svg+xml" { headers.append(("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")) }
        return HTTPResponse(status: 200, contentType: type, headers: headers, body: Array(data))
    }
}

/// A download link for a shared file: `EXPIRES.MAC`, an HMAC-SHA256 over the file's id and
/// the expiry with a key derived from the server's signing key, so any node can check it.
enum AttachmentLink {
    /// Ten minutes.
    static let lifetime: Int64 = 10 * 60 * 1000

    static func make(attachment: String, expires: Int64, key: Data) -> String {
        "\(expires).\(mac(attachment: attachment, expires: expires, key: key))"
    }

    static func verify(_ link: String, attachment: String, key: Data, now: Int64 = Timestamp.nowMilliseconds()) -> Bool {
        let parts = link.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let expires = Int64(parts[0]), expires > now else { return false }
        let expected = mac(attachment: attachment, expires: expires, key: key)
        // Constant time: the comparison does not tell how much of a guess was right.
        return expected.utf8.count == parts[1].utf8.count
            && zip(expected.utf8, parts[1].utf8).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func mac(attachment: String, expires: Int64, key: Data) -> String {
        let derived = SymmetricKey(data: SHA256.hash(data: Data("attachment links v1".utf8) + key))
        let code = HMAC<SHA256>.authenticationCode(for: Data("\(attachment)|\(expires)".utf8), using: derived)
        return Hex.encode(Array(code))
    }
}

/// Lets exactly one of two racing callers through.
final class OnceFlag: Sendable {
    private let taken = Mutex(false)
    func take() -> Bool { taken.withLock { was in defer { was = true }; return !was } }
}
