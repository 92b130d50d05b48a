import AgentPacks
import Dialogue
import Foundation
import Logging
import Store
import Transcripts
import Transport

/// The HTTP API of contract section 3. Each request runs in its own task, off the
/// libwebsockets thread; answers go back through `WebSocketServer.respond`.
struct HTTPAPI: Sendable {
    let store: any DialogueStore
    let hub: DialogueHub
    let agentSource: AgentPackSource
    var agents: AgentCatalog { agentSource.current }
    let glossaries: GlossaryRegistry
    let retrieval: RetrievalService
    let transcripts: TranscriptService
    let transcriptSearch: TranscriptSearch
    let redactions: RedactionService
    let metrics: Metrics
    let configuration: ServerConfiguration
    let baseURL: String
    let web: WebAssets
    let signInFailures: SignInFailures
    let logger: Logger

    /// An API refusal, rendered as `{"error":{"code","message"}}`.
    struct Failure: Error {
        var status: Int
        var code: String
        var message: String

        static func badRequest(_ m: String) -> Failure { Failure(status: 400, code: "bad_request", message: m) }
        static func notFound(_ m: String) -> Failure { Failure(status: 404, code: "not_found", message: m) }
        static let unauthorized = Failure(
            status: 401, code: "unauthorized", message: "send a staff token as Authorization: Bearer TOKEN")
        static func forbidden(_ m: String) -> Failure { Failure(status: 403, code: "forbidden", message: m) }
        static func conflict(_ m: String) -> Failure { Failure(status: 409, code: "conflict", message: m) }
    }

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        metrics.httpRequest()
        do {
            return try await route(request)
        } catch let failure as Failure {
            return Self.error(failure)
        } catch StoreError.writeFailed(let reason) {
            // Disk full or read-only database: nothing was stored; the client may retry.
            logger.error("write refused by storage", metadata: ["http.path": "\(request.path)", "error": "\(reason)"])
            return Self.error(
                Failure(status: 503, code: "unavailable", message: "storage refused the write; nothing was stored"))
        } catch {
            logger.error("request failed", metadata: ["http.path": "\(request.path)", "error": "\(error)"])
            return Self.error(
                Failure(status: 500, code: "internal", message: "the server could not complete the request"))
        }
    }

    /// Records a read (or a glossary upload) in the audit log. Reads must keep working when
    /// the disk is full, so a failed audit write is logged (with the same fields) instead.
    func audit(actor: String, action: String, session: String?, detail: String) async {
        do {
            try await store.audit(actor: actor, action: action, session: session, detail: detail)
        } catch {
            logger.error(
                "audit log write failed; recorded here instead",
                metadata: [
                    "audit.actor": "\(actor)", "audit.action": "\(action)", "session.id": "\(session ?? "-")",
                    "audit.detail": "\(detail)", "error": "\(error)",
                ])
        }
    }

    static func error(_ failure: Failure) -> HTTPResponse {
        json(failure.status, ["error": ["code": .string(failure.code), "message": .string(failure.message)]])
    }

    static func json(_ status: Int, _ value: JSONValue) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json; charset=utf-8", body: JSONWriter.bytes(value))
    }

    private func route(_ request: HTTPRequest) async throws -> HTTPResponse {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if request.query.contains(where: { ["token", "access_token", "auth"].contains($0.name.lowercased()) }) {
            throw Failure(
                status: 401, code: "unauthorized",
                message: "tokens are never accepted in URLs; use the Authorization header")
        }
        let method = request.method
        func match(_ pattern: String) -> [String]? {
            let expected = pattern.split(separator: "/").map(String.init)
            guard Self.matches(parts, expected) else { return nil }
            return zip(parts, expected).filter { $1 == "*" }.map(\.0)
        }
        if method == "GET", match("healthz") != nil {
            // A load balancer sends no one to a node that cannot reach its shared store.
            guard await hub.storeReachable else {
                return Self.json(503, ["status": "unavailable", "reason": "the shared store is unreachable"])
            }
            return Self.json(200, ["status": "ok"])
        }
        if method == "GET", match("metrics") != nil {
            // A request some untrusted proxy relayed is not from this machine, whatever its peer.
            guard configuration.metricsPublic || (Self.isLoopback(request.peer) && !request.forwardedByUntrustedPeer)
            else {
                throw Failure.notFound("metrics are served on loopback only")
            }
            return HTTPResponse(
                status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(metrics.render().utf8)
            )
        }
        if method == "POST", match("v1/sessions") != nil {
            return try await createSession(request, by: try await staff(request, allowed: [.officer]))
        }
        if method == "GET", match("v1/sessions") != nil {
            _ = try await staff(request, allowed: [.officer, .reviewer, .interpreter])
            return try await listSessions(request)
        }
        if method == "GET", let id = match("v1/sessions/*")?.first {
            _ = try await staff(request, allowed: [.officer, .reviewer, .interpreter])
            return Self.json(200, try await sessionObject(id))
        }
        if method == "POST", let id = match("v1/sessions/*/invites")?.first {
            return try await createInvite(request, session: id, by: try await staff(request, allowed: [.officer]))
        }
        if method == "GET", let id = match("v1/sessions/*/invites")?.first {
            _ = try await staff(request, allowed: [.officer])
            return try await listInvites(session: id)
        }
        if method == "DELETE", let ids = match("v1/sessions/*/invites/*") {
            _ = try await staff(request, allowed: [.officer])
            guard try await store.revokeInvite(id: ids[1], session: ids[0]) else {
                throw Failure.notFound("no active invite \(ids[1]) in session \(ids[0])")
            }
            await hub.closeInvite(ids[1], reason: "invite revoked")
            return HTTPResponse(status: 204, contentType: "text/plain", body: [])
        }
        if method == "GET", let id = match("v1/sessions/*/transcript")?.first {
            let reader = try await staff(request, allowed: [.officer, .reviewer, .interpreter])
            await hub.waitForArchive(session: id)
            await transcripts.signPending(session: id)  // a live export ends at a checkpoint
            return try await transcript(request, session: id, reader: reader)
        }
        if method == "GET", let id = match("v1/sessions/*/translations")?.first {
            let reader = try await staff(request, allowed: [.officer, .interpreter])
            return try await translations(request, session: id, reader: reader)
        }
        if method == "GET", let id = match("v1/sessions/*/verify")?.first {
            let reader = try await staff(request, allowed: [.officer, .reviewer])
            await hub.waitForArchive(session: id)
            // The events this node committed since the last checkpoint are signed first (when
            // the chain extends that checkpoint), so the answer covers them; nothing else is
            // signed here, an ended session never.
            await transcripts.signPending(session: id)
            guard let result = try await transcripts.verify(session: id) else {
                throw Failure.notFound("no session \(id)")
            }
            await audit(actor: reader.name, action: "verify", session: id, detail: "ok=\(result.ok)")
            return Self.json(200, result.json)
        }
        if method == "POST", let id = match("v1/sessions/*/notes")?.first {
            let author = try await staff(request, allowed: [.officer, .reviewer])
            return try await addNote(request, session: id, by: author)
        }
        if method == "POST", let ids = match("v1/sessions/*/events/*/redact") {
            let officer = try await staff(request, allowed: [.officer])
            return try await redact(request, session: ids[0], seq: ids[1], by: officer)
        }
        if method == "GET", match("v1/glossary") != nil {
            _ = try await staff(request, allowed: [.officer, .reviewer])
            return try await glossaryFile(request)
        }
        if method == "PUT", match("v1/glossary") != nil {
            return try await replaceGlossary(request, by: try await staff(request, allowed: [.officer]))
        }
        if method == "GET", match("v1/search") != nil {
            _ = try await staff(request, allowed: [.officer, .reviewer])
            return try await search(request)
        }
        if method == "GET", match("v1/phrases") != nil {
            _ = try await staff(request, allowed: [.officer, .reviewer, .interpreter])
            return try phrases(request)
        }
        if method == "GET", match("v1/gaps") != nil {
            _ = try await staff(request, allowed: [.officer])
            return try await gaps(request)
        }
        if request.path == "/v1/ws" {
            throw Failure(status: 426, code: "bad_request", message: "/v1/ws takes WebSocket upgrades only")
        }
        if method == "GET" || method == "HEAD", let asset = web.asset(for: request.path) { return asset }
        if Self.knownPaths.contains(where: { Self.matches(parts, $0) }) {
            throw Failure(status: 405, code: "bad_request", message: "\(method) is not allowed on \(request.path)")
        }
        throw Failure.notFound("nothing at \(request.path)")
    }

    /// One API route as the preflight sees it: who may call it, and whether it reads a body.
    struct Route {
        var method: String
        var pattern: [String]
        /// Roles allowed; nil for a public route (no token).
        var roles: Set<Role>?
        var takesBody = false
    }

    /// The API's routes (as `route` serves them), for the preflight and for 404 versus 405.
    static let routes: [Route] = {
        let all: Set<Role> = [.officer, .reviewer, .interpreter]
        func r(_ method: String, _ path: String, _ roles: Set<Role>?, body: Bool = false) -> Route {
            Route(method: method, pattern: path.split(separator: "/").map(String.init), roles: roles, takesBody: body)
        }
        return [
            r("GET", "healthz", nil), r("GET", "metrics", nil),
            r("POST", "v1/sessions", [.officer], body: true), r("GET", "v1/sessions", all),
            r("GET", "v1/sessions/*", all),
            r("POST", "v1/sessions/*/invites", [.officer], body: true), r("GET", "v1/sessions/*/invites", [.officer]),
            r("DELETE", "v1/sessions/*/invites/*", [.officer]),
            r("GET", "v1/sessions/*/transcript", all),
            r("GET", "v1/sessions/*/translations", [.officer, .interpreter]),
            r("GET", "v1/sessions/*/verify", [.officer, .reviewer]),
            r("POST", "v1/sessions/*/notes", [.officer, .reviewer], body: true),
            r("POST", "v1/sessions/*/events/*/redact", [.officer], body: true),
            r("GET", "v1/glossary", [.officer, .reviewer]), r("PUT", "v1/glossary", [.officer], body: true),
            r("GET", "v1/search", [.officer, .reviewer]), r("GET", "v1/phrases", all), r("GET", "v1/gaps", [.officer]),
        ]
    }()

    private static let knownPaths: [[String]] = routes.map(\.pattern)

    private static func matches(_ parts: [String], _ pattern: [String]) -> Bool {
        parts.count == pattern.count && zip(parts, pattern).allSatisfy { $1 == "*" || $0 == $1 }
    }

    static func isLoopback(_ peer: String) -> Bool {
        peer.hasPrefix("127.") || peer == "::1" || peer.hasPrefix("::ffff:127.")
    }

    /// Whether a request may send its body, judged from its headers before the body is read
    /// (nil: go on). Every route that takes a body is a staff route, so a request without a
    /// valid token of a role the route allows is refused here, as `staff` would refuse it
    /// after the upload; a path the API does not serve gets 404, a method it does not serve
    /// there 405, and a public route (`/healthz`, `/metrics`, pages) 400: none takes a body.
    func preflight(_ request: HTTPRequest) async -> HTTPResponse? {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let method = request.method
        do {
            if request.query.contains(where: { ["token", "access_token", "auth"].contains($0.name.lowercased()) }) {
                throw Failure(
                    status: 401, code: "unauthorized",
                    message: "tokens are never accepted in URLs; use the Authorization header")
            }
            guard let route = Self.routes.first(where: { $0.method == method && Self.matches(parts, $0.pattern) })
            else {
                // Answered as `route` would answer it, without reading the body first.
                if request.path == "/v1/ws" {
                    throw Failure(status: 426, code: "bad_request", message: "/v1/ws takes WebSocket upgrades only")
                }
                if Self.knownPaths.contains(where: { Self.matches(parts, $0) }) {
                    throw Failure(
                        status: 405, code: "bad_request", message: "\(method) is not allowed on \(request.path)")
                }
                if (method == "GET" || method == "HEAD") && web.asset(for: request.path) != nil {
                    throw Failure.badRequest("\(method) \(request.path) takes no request body")
                }
                throw Failure.notFound("nothing at \(request.path)")
            }
            guard let roles = route.roles else {
                throw Failure.badRequest("\(method) \(request.path) takes no request body")
            }
            // The token is looked up again when the request is handled: one revoked while
            // its body was uploading (up to minutes for a glossary) must not act.
            _ = try await staff(request, allowed: roles)
            return nil
        } catch let failure as Failure {
            return Self.error(failure)
        } catch {
            logger.error("token check failed", metadata: ["http.path": "\(request.path)", "error": "\(error)"])
            return Self.error(Failure(status: 503, code: "unavailable", message: "the token could not be checked"))
        }
    }

    /// The staff account behind the bearer token, if its role is allowed.
    private func staff(_ request: HTTPRequest, allowed: Set<Role>) async throws -> StaffAccount {
        guard let header = request.headers["authorization"], header.lowercased().hasPrefix("bearer ") else {
            throw Failure.unauthorized
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        // Every well-formed token is looked up, whatever its address's failures: a valid one
        // always passes; a bad one is answered slowly once its address is over the limit.
        guard SecretToken.isWellFormed(token), let account = try await store.staff(token: token) else {
            await signInFailures.failed(request.peer)
            throw Failure(status: 401, code: "unauthorized", message: "unknown or revoked token")
        }
        guard allowed.contains(account.role) else {
            throw Failure.forbidden("\(account.role.withArticle) may not do this")
        }
        return account
    }

    private func body(_ request: HTTPRequest) throws -> JSONValue {
        guard !request.body.isEmpty else { throw Failure.badRequest("a JSON body is required") }
        do {
            // Integers only, as in frames: what a body carries may be stored and signed.
            let value = try JSONParser.parse(request.body, integersOnly: true)
            guard case .object = value else { throw Failure.badRequest("the body must be a JSON object") }
            return value
        } catch let error as JSONParser.SyntaxError {
            throw Failure.badRequest("malformed JSON: \(error)")
        }
    }

    private func createSession(_ request: HTTPRequest, by officer: StaffAccount) async throws -> HTTPResponse {
        let body = try body(request)
        guard let title = body["title"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !title.isEmpty,
            title.count <= 300
        else { throw Failure.badRequest("\"title\" must be a non-empty string of at most 300 characters") }
        var pack = agents.defaultPack
        if let agent = body["agent"], agent != .null {
            guard let id = agent.stringValue, let found = agents.pack(id: id) else {
                throw Failure.badRequest("\"agent\" must name an agent pack: \(agents.ids.joined(separator: ", "))")
            }
            pack = found
        }
        var languages = pack.manifest.languages
        if let value = body["languages"], value != .null {
            guard let list = value.arrayValue, !list.isEmpty,
                list.allSatisfy({ $0.stringValue.map(LanguageTag.isValid) ?? false })
            else { throw Failure.badRequest("\"languages\" must be a non-empty array of language codes") }
            languages = list.compactMap(\.stringValue).map(LanguageTag.normalise)
        }
        var mode = AssistantMode.review
        if let value = body["assistant"], value != .null {
            guard let m = value.stringValue.flatMap(AssistantMode.init(rawValue:)) else {
                throw Failure.badRequest("\"assistant\" must be auto, review or off")
            }
            mode = m
        }
        let info = SessionInfo(
            id: SecretToken.identifier(prefix: "ses"), title: title,
            languages: Array(NSOrderedSet(array: languages)) as? [String] ?? languages,
            agent: pack.id, assistant: mode, createdAt: Timestamp.now(), createdBy: officer.id)
        try await store.createSession(info)
        logger.info("session created", metadata: ["session.id": "\(info.id)", "staff.name": "\(officer.name)"])
        return Self.json(201, info.json(participants: []))
    }

    private func listSessions(_ request: HTTPRequest) async throws -> HTTPResponse {
        var status: SessionStatus?
        if let value = request.queryValue("status"), !value.isEmpty {
            guard let s = SessionStatus(rawValue: value) else {
                throw Failure.badRequest("status must be live or ended")
            }
            status = s
        }
        guard let query = request.queryValue("q")?.trimmingCharacters(in: .whitespacesAndNewlines), !query.isEmpty
        else {
            var list: [JSONValue] = []
            for info in try await store.sessions(matching: nil, status: status) {
                list.append(try await sessionObject(info))
            }
            return Self.json(200, ["sessions": .array(list)])
        }
        // A session matches by its title, or by what was said in it (every word of the
        // query in one event; glossary terms in any language). Its best events come along.
        let glossary = glossaries.active(agent: try requestedPack(request).id)?.glossary
        let said = try await transcriptSearch.search(query, glossary: glossary)
        var list: [JSONValue] = []
        for info in try await store.sessions(matching: nil, status: status) {
            let matches = said[info.id] ?? []
            guard !matches.isEmpty || info.title.range(of: query, options: [.caseInsensitive]) != nil else { continue }
            guard case .object(var object) = try await sessionObject(info) else { continue }
            object["matches"] = .array(
                matches.map { match in
                    .object([
                        "seq": .int(match.line.seq), "kind": .string(match.line.kind),
                        "language": .string(match.line.language), "text": .string(match.line.text),
                    ])
                })
            list.append(.object(object))
        }
        return Self.json(200, ["sessions": .array(list)])
    }

    private func sessionObject(_ id: String) async throws -> JSONValue {
        guard let info = try await store.session(id: id) else { throw Failure.notFound("no session \(id)") }
        return try await sessionObject(info)
    }

    private func sessionObject(_ info: SessionInfo) async throws -> JSONValue {
        let online = await hub.onlineParticipants(info.id)
        let participants = try await store.participants(session: info.id)
        return info.json(participants: participants.map { $0.json(online: online.contains($0.id)) })
    }

    /// `GET /v1/sessions/{id}/invites`: every invite with its state; the codes are shown
    /// only once, when created (only their hashes are stored).
    private func listInvites(session id: String) async throws -> HTTPResponse {
        guard try await store.session(id: id) != nil else { throw Failure.notFound("no session \(id)") }
        let now = Timestamp.nowMilliseconds()
        // An investor removed from the session can no longer use the code either.
        let removed = Set(try await store.participants(session: id).filter(\.removed).map(\.id))
        let invites = try await store.invites(session: id).map { invite -> JSONValue in
            var object: [String: JSONValue] = [
                "id": .string(invite.id), "name": .string(invite.name), "language": .string(invite.language),
                "organisation": invite.organisation.map(JSONValue.string) ?? .null,
                "createdAt": .string(invite.createdAt), "expiresAt": .string(invite.expiresAt),
                "revokedAt": invite.revokedAt.map(JSONValue.string) ?? .null,
            ]
            object["state"] = .string(
                invite.revokedAt != nil
                    ? "revoked"
                    : removed.contains(invite.id)
                        ? "removed" : invite.isUsable(nowMilliseconds: now) ? "active" : "expired")
            return .object(object)
        }
        return Self.json(200, ["invites": .array(invites)])
    }

    private func createInvite(_ request: HTTPRequest, session id: String, by officer: StaffAccount) async throws
        -> HTTPResponse
    {
        let body = try body(request)
        guard let info = try await store.session(id: id) else { throw Failure.notFound("no session \(id)") }
        guard info.status == .live else { throw Failure.conflict("session \(id) has ended") }
        guard let name = body["name"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty,
            name.count <= 200
        else { throw Failure.badRequest("\"name\" must be a non-empty string of at most 200 characters") }
        guard let language = body["language"]?.stringValue, LanguageTag.isValid(language) else {
            throw Failure.badRequest("\"language\" must be a language code such as \"ja\"")
        }
        var organisation: String?
        if let value = body["organisation"], value != .null {
            guard let o = value.stringValue, o.count <= 200 else {
                throw Failure.badRequest("\"organisation\" must be a string of at most 200 characters")
            }
            organisation = o
        }
        var expiresIn: Int64 = 7 * 86_400
        if let value = body["expiresIn"], value != .null {
            guard let seconds = value.intValue, seconds > 0, seconds <= 365 * 86_400 else {
                throw Failure.badRequest("\"expiresIn\" must be a number of seconds between 1 and one year")
            }
            expiresIn = seconds
        }
        let now = Timestamp.nowMilliseconds()
        let invite = Invite(
            id: SecretToken.identifier(prefix: "inv"), session: id, name: name,
            language: LanguageTag.normalise(language),
            organisation: organisation, createdAt: Timestamp.format(milliseconds: now),
            expiresAt: Timestamp.format(milliseconds: now + expiresIn * 1000), revokedAt: nil, createdBy: officer.id)
        let code = try await store.createInvite(invite)
        logger.info("invite created", metadata: ["session.id": "\(id)", "invite.id": "\(invite.id)"])
        return Self.json(
            201,
            [
                "id": .string(invite.id), "code": .string(code), "joinUrl": .string(baseURL + "/join#" + code),
                "expiresAt": .string(invite.expiresAt), "name": .string(name), "language": .string(invite.language),
            ])
    }

    private func transcript(_ request: HTTPRequest, session id: String, reader: StaffAccount) async throws
        -> HTTPResponse
    {
        let format = request.queryValue("format") ?? "json"
        guard ["json", "md", "html"].contains(format) else {
            throw Failure.badRequest("format must be json, md or html")
        }
        let language = request.queryValue("lang")
        if let language, !LanguageTag.isValid(language) { throw Failure.badRequest("lang must be a language code") }
        guard let document = try await transcripts.document(session: id, termsLanguage: language) else {
            throw Failure.notFound("no session \(id)")
        }
        await audit(actor: reader.name, action: "read transcript", session: id, detail: "format=\(format)")
        let text = transcripts.render(document, format: format, language: language)
        let type =
            ["json": "application/json", "md": "text/markdown", "html": "text/html"][format]! + "; charset=utf-8"
        return HTTPResponse(status: 200, contentType: type, body: Array(text.utf8))
    }

    private func addNote(_ request: HTTPRequest, session id: String, by author: StaffAccount) async throws
        -> HTTPResponse
    {
        let body = try body(request)
        guard let seq = body["seq"]?.intValue, seq >= 1 else {
            throw Failure.badRequest("\"seq\" must be an event's seq")
        }
        guard let text = body["text"]?.stringValue, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
            text.utf8.count <= 16_384
        else { throw Failure.badRequest("\"text\" must be a non-empty string of at most 16 KiB") }
        guard try await store.session(id: id) != nil else { throw Failure.notFound("no session \(id)") }
        do {
            let note = try await store.addNote(session: id, seq: seq, text: text, author: author.name)
            return Self.json(
                201,
                [
                    "id": .int(note.id), "session": .string(id), "seq": .int(seq), "text": .string(text),
                    "author": .string(note.author), "at": .string(note.at),
                ])
        } catch StoreError.notFound(let what) {
            throw Failure.notFound("no \(what)")
        }
    }

    /// `POST /v1/sessions/{id}/events/{seq}/redact` `{"reason"}`: the event's text leaves
    /// every copy the server keeps; `200` with the redaction record.
    private func redact(_ request: HTTPRequest, session id: String, seq text: String, by officer: StaffAccount)
        async throws -> HTTPResponse
    {
        guard let seq = Int64(text), seq >= 1 else { throw Failure.badRequest("\"\(text)\" is not an event's seq") }
        let body = try body(request)
        guard let reason = body["reason"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines),
            !reason.isEmpty, reason.utf8.count <= 4096
        else { throw Failure.badRequest("\"reason\" must be a non-empty string of at most 4 KiB saying why") }
        guard try await store.session(id: id) != nil else { throw Failure.notFound("no session \(id)") }
        do {
            // Recorded under the account's name, as the audit log names readers.
            let record = try await redactions.redact(session: id, seq: seq, reason: reason, actor: officer.name)
            var answer = record.json
            if case .object(var members) = answer {
                members["session"] = .string(id)
                answer = .object(members)
            }
            return Self.json(200, answer)
        } catch StoreError.notFound(let what) {
            throw Failure.notFound("no \(what)")
        } catch StoreError.conflict(let reason) {
            throw Failure.conflict(reason)
        }
    }
}
