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
    /// Uploaded documents: previews, versions, the published set.
    let documents: DocumentLibrary
    let transcripts: TranscriptService
    let transcriptSearch: TranscriptSearch
    let redactions: RedactionService
    let metrics: Metrics
    let configuration: ServerConfiguration
    let baseURL: String
    let web: WebAssets
    let signInFailures: SignInFailures
    /// Mails of meetings into the outbox (invitations, updates, cancellations).
    let mailer: MeetingMailer?
    /// Seals invite codes for the mails that repeat a link.
    let seal: InviteLinkSeal?
    /// Meeting requests per client address (the public form).
    let requestQuota = RequestQuota()
    let logger: Logger

    /// An API refusal, rendered as `{"error":{"code","message"}}`.
    struct Failure: Error, Equatable {
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

    /// Carries out the route table's decision: the role check, then the route's handler.
    private func route(_ request: HTTPRequest) async throws -> HTTPResponse {
        switch Self.routes.decide(request, webAsset: web.asset(for:)) {
        case .run(let route, let call):
            switch route.handler {
            case .anyone(let run): return try await run(self, call)
            case .staff(let roles, let run): return try await run(self, call, try await staff(request, allowed: roles))
            }
        case .webAsset(let asset): return asset
        case .refuse(let failure): throw failure
        }
    }

    /// `GET /healthz`: a load balancer sends no one to a node that cannot reach its shared store.
    func health() async -> HTTPResponse {
        guard await hub.storeReachable else {
            return Self.json(503, ["status": "unavailable", "reason": "the shared store is unreachable"])
        }
        return Self.json(200, ["status": "ok"])
    }

    /// `GET /metrics`, for loopback peers unless `--metrics-public`.
    func metricsPage(_ call: RouteCall) throws -> HTTPResponse {
        let request = call.request
        // A request some untrusted proxy relayed is not from this machine, whatever its peer.
        guard configuration.metricsPublic || (Self.isLoopback(request.peer) && !request.forwardedByUntrustedPeer)
        else {
            throw Failure.notFound("metrics are served on loopback only")
        }
        return HTTPResponse(
            status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(metrics.render().utf8)
        )
    }

    static func isLoopback(_ peer: String) -> Bool {
        peer.hasPrefix("127.") || peer == "::1" || peer.hasPrefix("::ffff:127.")
    }

    /// Whether a request may send its body, judged from its headers before the body is read
    /// (nil: go on), as the route table decides: a staff route asks for a valid token of a
    /// role it allows, refused here as `staff` would refuse it after the upload; a path the
    /// API does not serve gets 404, a method it does not serve there 405, and a public route
    /// that reads no body (`/healthz`, `/metrics`, pages) 400.
    func preflight(_ request: HTTPRequest) async -> HTTPResponse? {
        do {
            switch Self.routes.upload(request, webAsset: web.asset(for:)) {
            case .read:
                return nil
            case .checkToken(let roles):
                // The token is looked up again when the request is handled: one revoked while
                // its body was uploading (up to minutes for a glossary) must not act.
                _ = try await staff(request, allowed: roles)
                return nil
            case .refuse(let failure):
                return Self.error(failure)
            }
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
        if let refusal = Access.staff(allowed).refusal(for: account.role) { throw refusal }
        return account
    }

    func body(_ request: HTTPRequest) throws -> JSONValue {
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

    /// `POST /v1/sessions`.
    func createSession(_ call: RouteCall, by officer: StaffAccount) async throws -> HTTPResponse {
        let body = try body(call.request)
        guard let title = body["title"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !title.isEmpty,
            title.count <= 300
        else { throw Failure.badRequest("\"title\" must be a non-empty string of at most 300 characters") }
        // A title is one line: it heads the page, the transcript and the mails' subjects.
        if Self.hasControlCharacters(title) { throw Failure.badRequest("\"title\" must be one line, without control characters") }
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
        let planned = try plannedFields(body, now: Date())
        let info = SessionInfo(
            id: SecretToken.identifier(prefix: "ses"), title: title, status: planned.schedule == nil ? .live : .scheduled,
            languages: Array(NSOrderedSet(array: languages)) as? [String] ?? languages,
            agent: pack.id, assistant: mode, createdAt: Timestamp.now(), createdBy: officer.id,
            schedule: planned.schedule, lobby: planned.lobby, agenda: planned.agenda)
        try await store.createSession(info)
        logger.info("session created", metadata: ["session.id": "\(info.id)", "staff.name": "\(officer.name)"])
        return Self.json(201, info.json(participants: []))
    }

    /// Whether `text` holds a line break or another control character (C0, DEL, C1).
    static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}" }
    }

    /// `GET /v1/sessions?q=&status=`, or `?from=&to=` for a calendar window.
    func listSessions(_ call: RouteCall) async throws -> HTTPResponse {
        let request = call.request
        let from = request.queryValue("from") ?? "", to = request.queryValue("to") ?? ""
        if !from.isEmpty || !to.isEmpty { return try await calendarWindow(call, from: from, to: to) }
        var status: SessionStatus?
        if let value = request.queryValue("status"), !value.isEmpty {
            guard let s = SessionStatus(rawValue: value) else {
                throw Failure.badRequest(
                    "status must be one of \(SessionStatus.allCases.map(\.rawValue).joined(separator: ", "))")
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

    /// `GET /v1/sessions/{id}`.
    func session(_ call: RouteCall) async throws -> HTTPResponse {
        Self.json(200, try await sessionObject(call["id"]))
    }

    private func sessionObject(_ id: String) async throws -> JSONValue {
        guard let info = try await store.session(id: id) else { throw Failure.notFound("no session \(id)") }
        return try await sessionObject(info)
    }

    func sessionObject(_ info: SessionInfo) async throws -> JSONValue {
        // An ended or cancelled meeting has nobody in it, on any node (the store says it is
        // over even where this node's memory does not hold the session).
        let online = info.status.takesMessages ? await hub.onlineParticipants(info.id) : []
        let participants = try await store.participants(session: info.id)
        return info.json(participants: participants.map { $0.json(online: online.contains($0.id)) })
    }

    /// `GET /v1/sessions/{id}/invites`: every invite with its state; the codes are shown
    /// only once, when created (only their hashes are stored).
    func listInvites(_ call: RouteCall) async throws -> HTTPResponse {
        let id = call["id"]
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
                "email": invite.email.map(JSONValue.string) ?? .null,
                "timeZone": invite.timeZone.map(JSONValue.string) ?? .null,
                "transcriptByMail": .bool(invite.transcriptByMail),
                "declinedAt": invite.declinedAt.map(JSONValue.string) ?? .null,
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

    /// `POST /v1/sessions/{id}/invites`: the code is in the answer, and nowhere else.
    func createInvite(_ call: RouteCall, by officer: StaffAccount) async throws -> HTTPResponse {
        let id = call["id"]
        let body = try body(call.request)
        guard let info = try await store.session(id: id) else { throw Failure.notFound("no session \(id)") }
        guard info.status.takesMessages else { throw Failure.conflict("session \(id) \(info.status == .cancelled ? "was cancelled" : "has ended")") }
        guard let name = body["name"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty,
            name.count <= 200
        else { throw Failure.badRequest("\"name\" must be a non-empty string of at most 200 characters") }
        if Self.hasControlCharacters(name) { throw Failure.badRequest("\"name\" must be one line, without control characters") }
        guard let language = body["language"]?.stringValue, LanguageTag.isValid(language) else {
            throw Failure.badRequest("\"language\" must be a language code such as \"ja\"")
        }
        var organisation: String?
        if let value = body["organisation"], value != .null {
            guard let o = value.stringValue, o.count <= 200, !Self.hasControlCharacters(o) else {
                throw Failure.badRequest("\"organisation\" must be one line of at most 200 characters")
            }
            organisation = o
        }
        var expiresIn = Self.inviteLifetime(info, now: Timestamp.nowMilliseconds())
        if let value = body["expiresIn"], value != .null {
            guard let seconds = value.intValue, seconds > 0, seconds <= 365 * 86_400 else {
                throw Failure.badRequest("\"expiresIn\" must be a number of seconds between 1 and one year")
            }
            expiresIn = seconds
        }
        let contact = try inviteContact(body)
        // An address serves the invitation (scheduled sessions only) or the transcript afterwards.
        if contact.email != nil && info.schedule == nil && !contact.transcriptByMail {
            throw Failure.conflict(
                "session \(id) has no time: invitations are mailed for scheduled sessions (give the link by hand here)")
        }
        let now = Timestamp.nowMilliseconds()
        let (invite, code, mailError) = try await issueInvite(
            Invite(
                id: SecretToken.identifier(prefix: "inv"), session: id, name: name,
                language: LanguageTag.normalise(language),
                organisation: organisation, createdAt: Timestamp.format(milliseconds: now),
                expiresAt: Timestamp.format(milliseconds: now + expiresIn * 1000), revokedAt: nil, createdBy: officer.id,
                email: contact.email, timeZone: contact.timeZone, transcriptByMail: contact.transcriptByMail),
            in: info)
        return Self.json(
            201,
            [
                "id": .string(invite.id), "code": .string(code), "joinUrl": .string(baseURL + "/join#" + code),
                "expiresAt": .string(invite.expiresAt), "name": .string(name), "language": .string(invite.language),
                "email": contact.email.map(JSONValue.string) ?? .null,
                "timeZone": contact.timeZone.map(JSONValue.string) ?? .null,
                "transcriptByMail": .bool(contact.transcriptByMail),
                "mailError": mailError.map(JSONValue.string) ?? .null,
            ])
    }

    /// Seconds an invite lasts unless asked otherwise: a week, and for a scheduled meeting at
    /// least until a day after it ends.
    static func inviteLifetime(_ session: SessionInfo, now: Int64) -> Int64 {
        let week: Int64 = 7 * 86_400
        guard let ends = session.schedule.flatMap({ Timestamp.parse($0.endsAt) }) else { return week }
        return max(week, (ends - now) / 1000 + 86_400)
    }

    /// Stores an invite and, when it has an address and the session a time, seals its code
    /// (for the mails that repeat the link) and queues the invitation. A failure of the mail
    /// must not hide the code, shown only in the answer: it comes back as `mailError`.
    func issueInvite(_ invite: Invite, in session: SessionInfo) async throws -> (Invite, code: String, mailError: String?) {
        let code = try await store.createInvite(invite)
        logger.info("invite created", metadata: ["session.id": "\(session.id)", "invite.id": "\(invite.id)"])
        guard invite.email != nil, session.schedule != nil, let seal, let mailer else { return (invite, code, nil) }
        do {
            try await store.sealInviteCode(invite: invite.id, sealed: try seal.seal(code, invite: invite.id))
            try await mailer.invite(invite, code: code, in: session)
            return (invite, code, nil)
        } catch {
            logger.error("invitation not queued", metadata: ["invite.id": "\(invite.id)", "error": "\(error)"])
            return (invite, code, "the invitation was not queued (\(error)): give the link by hand")
        }
    }

    /// `DELETE /v1/sessions/{id}/invites/{inviteId}`: the code stops working, its connections close.
    func revokeInvite(_ call: RouteCall) async throws -> HTTPResponse {
        let (id, invite) = (call["id"], call["inviteId"])
        guard try await store.revokeInvite(id: invite, session: id) else {
            throw Failure.notFound("no active invite \(invite) in session \(id)")
        }
        await hub.closeInvite(invite, reason: "invite revoked")
        return HTTPResponse(status: 204, contentType: "text/plain", body: [])
    }

    /// `GET /v1/sessions/{id}/transcript?format=&lang=`, read into the audit log.
    func transcript(_ call: RouteCall, reader: StaffAccount) async throws -> HTTPResponse {
        let (request, id) = (call.request, call["id"])
        await hub.waitForArchive(session: id)
        await transcripts.signPending(session: id)  // a live export ends at a checkpoint
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
        let pack = agents.pack(id: document.session.agent) ?? agents.defaultPack
        let text = transcripts.render(
            document, format: format, language: language,
            ratingReasons: pack.ratingReasonTexts(in: language ?? pack.manifest.defaultLanguage))
        let type =
            ["json": "application/json", "md": "text/markdown", "html": "text/html"][format]! + "; charset=utf-8"
        return HTTPResponse(status: 200, contentType: type, body: Array(text.utf8))
    }

    /// `GET /v1/sessions/{id}/verify`: the chain and signatures, checked now.
    func verify(_ call: RouteCall, reader: StaffAccount) async throws -> HTTPResponse {
        let id = call["id"]
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

    /// `POST /v1/sessions/{id}/notes` `{"seq","text"}`.
    func addNote(_ call: RouteCall, by author: StaffAccount) async throws -> HTTPResponse {
        let id = call["id"]
        let body = try body(call.request)
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
    func redact(_ call: RouteCall, by officer: StaffAccount) async throws -> HTTPResponse {
        let (id, text) = (call["id"], call["seq"])
        guard let seq = Int64(text), seq >= 1 else { throw Failure.badRequest("\"\(text)\" is not an event's seq") }
        let body = try body(call.request)
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
