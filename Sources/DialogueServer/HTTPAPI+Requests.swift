import AgentPacks
import Dialogue
import Foundation
import Mail
import Scheduling
import Store
import Synchronization
import Transport

/// Meeting requests (docs/protocol.md, "Meeting requests"): the public page's `POST`, the
/// officers' list, and their answer — accept one slot (a scheduled session and its
/// invitation) or decline with a phrase of the pack, mailed in the investor's language.
extension HTTPAPI {
    /// The desks a request may be about, named in every language of the pack (`GET /v1/requests/topics`).
    func requestTopics(_ call: RouteCall) throws -> HTTPResponse {
        let pack = try requestedPack(call.request)
        func names(_ text: LocalizedText) -> JSONValue {
            .object(Dictionary(uniqueKeysWithValues: pack.manifest.languages.map { ($0, JSONValue.string(text.text(in: $0))) }))
        }
        let desks = pack.contacts.map { desk -> JSONValue in
            ["id": .string(desk.id), "kind": "desk", "names": names(desk.name)]
        }
        let zones = pack.zones.map { zone -> JSONValue in
            ["id": .string(zone.id), "kind": "zone", "desk": .string(zone.desk), "names": names(zone.name)]
        }
        let topics = desks + zones
        return Self.json(200, ["agent": .string(pack.id), "languages": .array(pack.manifest.languages.map { .string($0) }), "topics": .array(topics)])
    }

    /// `POST /v1/requests` (public): validated, rate-limited per address, a honeypot field for
    /// robots; stored, then acknowledged by mail in the investor's language.
    func createRequest(_ call: RouteCall) async throws -> HTTPResponse {
        let request = call.request
        let body = try body(request)
        // A robot fills every field, the hidden `website` too: it gets the same answer as a
        // person and nothing is stored or mailed.
        if let trap = body["website"]?.stringValue, !trap.isEmpty {
            logger.info("meeting request refused silently (honeypot)", metadata: ["peer": "\(request.peer)"])
            return Self.json(201, ["id": .string(SecretToken.identifier(prefix: "req")), "status": "pending"])
        }
        let pack = try requestedPack(request)
        func line(_ field: String, max: Int) throws -> String {
            guard let text = body[field]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty,
                text.count <= max, !Self.hasControlCharacters(text)
            else { throw Failure.badRequest("\"\(field)\" must be one line of 1 to \(max) characters") }
            return text
        }
        let name = try line("name", max: 200)
        let organisation = try line("organisation", max: 200)
        let emailText = try line("email", max: 254)
        let email: String
        do { email = try MailAddress(parsing: emailText).address } catch {
            throw Failure.badRequest("\"email\" \(emailText.debugDescription) is not a mail address: \(error)")
        }
        guard let language = body["language"]?.stringValue, LanguageTag.isValid(language) else {
            throw Failure.badRequest("\"language\" must be a language code such as \"ja\"")
        }
        var timeZone = MeetingTime.agencyTimeZone
        if let value = body["timeZone"], value != .null {
            guard let zone = value.stringValue else { throw Failure.badRequest("\"timeZone\" must be an IANA zone name") }
            do { _ = try MeetingTime.zone(named: zone) } catch { throw Failure.badRequest(error.description) }
            timeZone = zone
        }
        guard let topic = body["topic"]?.stringValue, pack.topicName(topic, in: pack.manifest.defaultLanguage) != nil else {
            let ids = pack.contacts.map(\.id) + pack.zones.map(\.id)
            throw Failure.badRequest("\"topic\" must be one of \(ids.joined(separator: ", "))")
        }
        guard let slotValues = body["slots"]?.arrayValue, (1...3).contains(slotValues.count) else {
            throw Failure.badRequest("\"slots\" must hold 1 to 3 proposed times (RFC 3339)")
        }
        let now = Date()
        var slots: [String] = []
        for value in slotValues {
            guard let text = value.stringValue else { throw Failure.badRequest("each slot must be an RFC 3339 time") }
            let start: Date
            do { start = try MeetingTime.parseInstant(text, field: "slots") } catch {
                throw Failure.badRequest(error.description)
            }
            guard start > now.addingTimeInterval(3600) else {
                throw Failure.badRequest("slot \(text) is past or within the hour: propose a later time")
            }
            guard start < now.addingTimeInterval(366 * 86_400) else {
                throw Failure.badRequest("slot \(text) is more than a year ahead")
            }
            slots.append(MeetingTime.rfc3339(start))
        }
        var message = ""
        if let value = body["message"], value != .null {
            guard let text = value.stringValue, text.count <= 2000,
                !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })
            else { throw Failure.badRequest("\"message\" must be text of at most 2000 characters") }
            message = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // Counted once valid: only a request that would be stored and mailed uses the quota.
        guard requestQuota.take(request.peer, now: now) else {
            throw Failure(status: 429, code: "rate_limited", message: "too many meeting requests from your address; try again later")
        }
        let stored = MeetingRequest(
            id: SecretToken.identifier(prefix: "req"), agent: pack.id, name: name, organisation: organisation, email: email,
            language: LanguageTag.normalise(language), timeZone: timeZone, topic: topic, slots: slots, message: message,
            createdAt: MeetingTime.rfc3339(now))
        try await store.createRequest(stored)
        logger.info("meeting request received", metadata: ["request.id": "\(stored.id)"])
        do { try await mailer?.acknowledge(stored) } catch {
            logger.error("request acknowledgement not queued", metadata: ["request.id": "\(stored.id)", "error": "\(error)"])
        }
        return Self.json(201, ["id": .string(stored.id), "status": "pending"])
    }

    /// `GET /v1/requests?status=` (officers): newest first.
    func listRequests(_ call: RouteCall) async throws -> HTTPResponse {
        var status: MeetingRequest.Status?
        if let value = call.request.queryValue("status"), !value.isEmpty {
            guard let s = MeetingRequest.Status(rawValue: value) else {
                throw Failure.badRequest("status must be pending, accepted or declined")
            }
            status = s
        }
        let list = try await store.requests(status: status, limit: 500)
        return Self.json(200, ["requests": .array(list.map(\.json))])
    }

    /// `POST /v1/requests/{id}/accept` `{"slot": index, "minutes"?, "title"?}`: a scheduled
    /// session at that slot (in Quảng Ninh's zone), an invite with the investor's address
    /// and zone, and its invitation by mail.
    func acceptRequest(_ call: RouteCall, by officer: StaffAccount) async throws -> HTTPResponse {
        let id = call["id"]
        let body = try body(call.request)
        guard let pending = try await store.request(id: id) else { throw Failure.notFound("no request \(id)") }
        guard pending.status == .pending else { throw Failure.conflict("request \(id) was \(pending.status.rawValue) already") }
        guard let index = body["slot"]?.intValue, pending.slots.indices.contains(Int(index)) else {
            throw Failure.badRequest("\"slot\" must be the index of one of the request's \(pending.slots.count) slots")
        }
        var minutes: Int64 = 60
        if let value = body["minutes"], value != .null {
            guard let m = value.intValue, (15...480).contains(m) else { throw Failure.badRequest("\"minutes\" must be 15 to 480") }
            minutes = m
        }
        let pack = agents.pack(id: pending.agent) ?? agents.defaultPack
        var title = "\(pending.organisation) — \(pack.topicName(pending.topic, in: pack.manifest.defaultLanguage) ?? pending.topic)"
        if let value = body["title"], value != .null {
            guard let text = value.stringValue?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text.count <= 300,
                !Self.hasControlCharacters(text)
            else { throw Failure.badRequest("\"title\" must be one line of 1 to 300 characters") }
            title = text
        }
        let start: Date
        do { start = try MeetingTime.parseInstant(pending.slots[Int(index)]) } catch { throw Failure.badRequest(error.description) }
        guard start > Date() else { throw Failure.conflict("slot \(pending.slots[Int(index)]) has passed") }
        let sessionId = SecretToken.identifier(prefix: "ses")
        // Decided first (one officer wins), then the session and its invitation.
        do {
            _ = try await store.decideRequest(
                id: id, status: .accepted, by: officer.id, at: MeetingTime.rfc3339(Date()), session: sessionId, reason: nil)
        } catch StoreError.conflict(let reason) {
            throw Failure.conflict(reason)
        }
        let info = SessionInfo(
            id: sessionId, title: title, status: .scheduled, languages: pack.manifest.languages, agent: pack.id,
            assistant: .review, createdAt: Timestamp.now(), createdBy: officer.id,
            schedule: SessionInfo.Schedule(
                startsAt: MeetingTime.rfc3339(start), endsAt: MeetingTime.rfc3339(start.addingTimeInterval(Double(minutes) * 60)),
                timeZone: MeetingTime.agencyTimeZone, plannedAt: MeetingTime.rfc3339(Date())),
            agenda: pending.message.isEmpty ? nil : pending.message)
        do {
            try await store.createSession(info)
        } catch {
            // Not planned after all: the request waits again for an officer.
            try? await store.reopenRequest(id: id, session: sessionId)
            throw error
        }
        let now = Timestamp.nowMilliseconds()
        let (invite, code, mailError) = try await issueInvite(
            Invite(
                id: SecretToken.identifier(prefix: "inv"), session: sessionId, name: pending.name,
                language: pending.language, organisation: pending.organisation,
                createdAt: Timestamp.format(milliseconds: now),
                expiresAt: Timestamp.format(milliseconds: now + Self.inviteLifetime(info, now: now) * 1000), revokedAt: nil,
                createdBy: officer.id, email: pending.email, timeZone: pending.timeZone),
            in: info)
        logger.info("meeting request accepted", metadata: ["request.id": "\(id)", "session.id": "\(sessionId)"])
        return Self.json(
            200,
            [
                "request": (try await store.request(id: id))?.json ?? .null, "session": try await sessionObject(info),
                "invite": [
                    "id": .string(invite.id), "code": .string(code), "joinUrl": .string(baseURL + "/join#" + code),
                    "expiresAt": .string(invite.expiresAt),
                ],
                "mailError": mailError.map(JSONValue.string) ?? .null,
            ])
    }

    /// `POST /v1/requests/{id}/decline` `{"phrase": id}`: the reason is a phrase of the pack's
    /// phrasebook, mailed in the investor's language.
    func declineRequest(_ call: RouteCall, by officer: StaffAccount) async throws -> HTTPResponse {
        let id = call["id"]
        let body = try body(call.request)
        guard let pending = try await store.request(id: id) else { throw Failure.notFound("no request \(id)") }
        let pack = agents.pack(id: pending.agent) ?? agents.defaultPack
        guard let phraseId = body["phrase"]?.stringValue, let phrase = pack.phrasebook?.phrase(id: phraseId),
            let reason = phrase.text(in: pending.language) ?? phrase.text(in: "en")
        else { throw Failure.badRequest("\"phrase\" must name a phrase of the pack's phrasebook (GET /v1/phrases)") }
        let declined: MeetingRequest
        do {
            declined = try await store.decideRequest(
                id: id, status: .declined, by: officer.id, at: MeetingTime.rfc3339(Date()), session: nil, reason: phraseId)
        } catch StoreError.conflict(let message) {
            throw Failure.conflict(message)
        }
        do { try await mailer?.declined(declined, reason: reason) } catch {
            logger.error("decline not queued", metadata: ["request.id": "\(id)", "error": "\(error)"])
        }
        return Self.json(200, ["request": declined.json])
    }
}

/// At most `limit` meeting requests per client address per `window`: the public form is
/// open to anyone, and each request mails its address.
final class RequestQuota: Sendable {
    private let limit: Int
    private let window: TimeInterval
    private let taken = Mutex<[String: [Date]]>([:])

    init(limit: Int = 5, window: TimeInterval = 3600) {
        self.limit = limit
        self.window = window
    }

    /// Takes one request for `address` at `now`; false when its quota is used up.
    func take(_ address: String, now: Date) -> Bool {
        taken.withLock { taken in
            // Forget old entries as they go by (the map stays as small as the window's users).
            if taken.count > 10_000 { taken = taken.filter { $0.value.contains { now.timeIntervalSince($0) < window } } }
            var recent = (taken[address] ?? []).filter { now.timeIntervalSince($0) < window }
            guard recent.count < limit else {
                taken[address] = recent
                return false
            }
            recent.append(now)
            taken[address] = recent
            return true
        }
    }
}
