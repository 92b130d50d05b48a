import Dialogue
import Foundation
import Mail
import Scheduling
import Store
import Transport

/// Meetings on the calendar (docs/protocol.md, "Calendar"): scheduled sessions, moving,
/// opening and cancelling them, the calendar window, and the outbox of their mails.
extension HTTPAPI {
    /// The calendar fields of `POST /v1/sessions`: nil schedule when no `startsAt` is given
    /// (a session live at once, as before).
    func plannedFields(_ body: JSONValue, now: Date) throws -> (schedule: SessionInfo.Schedule?, lobby: Bool, agenda: String?) {
        var lobby = false
        if let value = body["lobby"], value != .null {
            guard case .bool(let on) = value else { throw Failure.badRequest("\"lobby\" must be true or false") }
            lobby = on
        }
        var agenda: String?
        if let value = body["agenda"], value != .null {
            guard let text = value.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), text.count <= 2000 else {
                throw Failure.badRequest("\"agenda\" must be a string of at most 2000 characters")
            }
            agenda = text.isEmpty ? nil : text
        }
        let start = body["startsAt"], end = body["endsAt"], zone = body["timeZone"]
        if (start == nil || start == .null) && (end == nil || end == .null) {
            if let zone, zone != .null { throw Failure.badRequest("\"timeZone\" needs \"startsAt\" and \"endsAt\"") }
            return (nil, lobby, agenda)
        }
        return (try schedule(start: start, end: end, zone: zone, defaultZone: MeetingTime.agencyTimeZone, now: now), lobby, agenda)
    }

    /// A validated schedule from a body's `startsAt`, `endsAt` and `timeZone` (RFC 3339,
    /// stored in UTC so that times compare as text).
    private func schedule(start: JSONValue?, end: JSONValue?, zone: JSONValue?, defaultZone: String, now: Date) throws
        -> SessionInfo.Schedule
    {
        guard let startText = start?.stringValue, let endText = end?.stringValue else {
            throw Failure.badRequest("\"startsAt\" and \"endsAt\" go together, as RFC 3339 times")
        }
        var zoneName = defaultZone
        if let zone, zone != .null {
            guard let name = zone.stringValue else { throw Failure.badRequest("\"timeZone\" must be an IANA zone name") }
            zoneName = name
        }
        do {
            let time = try MeetingTime.parse(startsAt: startText, endsAt: endText, timeZone: zoneName, now: now)
            // Stored to the second: a meeting of less than a second would have no length.
            guard MeetingTime.rfc3339(time.startsAt) < MeetingTime.rfc3339(time.endsAt) else {
                throw Failure.badRequest("\"endsAt\" must be at least a second after \"startsAt\"")
            }
            return SessionInfo.Schedule(
                startsAt: MeetingTime.rfc3339(time.startsAt), endsAt: MeetingTime.rfc3339(time.endsAt),
                timeZone: time.timeZone, plannedAt: MeetingTime.rfc3339(now))
        } catch let failure as Failure {
            throw failure
        } catch let error as ScheduleError {
            throw Failure.badRequest(error.description)
        }
    }

    /// `GET /v1/sessions?from=&to=`: the sessions planned in a calendar window, by start.
    func calendarWindow(_ call: RouteCall, from: String, to: String) async throws -> HTTPResponse {
        let window: CalendarWindow
        do { window = try CalendarWindow.parse(from: from, to: to) } catch { throw Failure.badRequest(error.description) }
        var list: [JSONValue] = []
        for info in try await store.scheduledSessions(
            from: MeetingTime.rfc3339(window.from), to: MeetingTime.rfc3339(window.to))
        {
            guard case .object(var object) = try await sessionObject(info) else { continue }
            // The zones the invited investors read the time in (the console shows them).
            let zones = Set(try await store.invites(session: info.id).filter { $0.revokedAt == nil }.compactMap(\.timeZone))
            object["investorZones"] = .array(zones.sorted().map { .string($0) })
            list.append(.object(object))
        }
        return Self.json(200, ["sessions": .array(list)])
    }

    /// `PATCH /v1/sessions/{id}`: a new time (and zone) for a scheduled session; its id,
    /// invites and links stay; the invited addresses get an update.
    func reschedule(_ call: RouteCall, by officer: StaffAccount) async throws -> HTTPResponse {
        let id = call["id"]
        let fields = try body(call.request)
        guard let current = try await store.session(id: id) else { throw Failure.notFound("no session \(id)") }
        try allow(.reschedule, current)
        guard let previous = current.schedule else { throw Failure.conflict("session \(id) has no time to move") }
        let planned = try schedule(
            start: fields["startsAt"], end: fields["endsAt"], zone: fields["timeZone"], defaultZone: previous.timeZone,
            now: Date())
        let moved: SessionInfo
        do {
            moved = try await store.reschedule(
                session: id, startsAt: planned.startsAt, endsAt: planned.endsAt, timeZone: planned.timeZone,
                plannedAt: MeetingTime.rfc3339(Date()))
        } catch StoreError.conflict(let reason) {
            throw Failure.conflict(reason)
        } catch StoreError.notFound {
            throw Failure.notFound("no session \(id)")
        }
        // The links last until a day after the new end (the update says they stay the same).
        if let end = Timestamp.parse(planned.endsAt) {
            try await store.extendInvites(session: id, until: Timestamp.format(milliseconds: end + 86_400_000))
        }
        await hub.sessionPlanned(moved)
        try await mailer?.rescheduled(moved)
        logger.info("session moved", metadata: ["session.id": "\(id)", "staff.name": "\(officer.name)"])
        return Self.json(200, try await sessionObject(moved))
    }

    /// `POST /v1/sessions/{id}/cancel`: a scheduled session is called off; its invites stop
    /// working and the invited addresses get a calendar cancellation.
    func cancelSession(_ call: RouteCall, by officer: StaffAccount) async throws -> HTTPResponse {
        let id = call["id"]
        guard let current = try await store.session(id: id) else { throw Failure.notFound("no session \(id)") }
        try allow(.cancel, current)
        let invites = try await store.invites(session: id)
        let cancelled: SessionInfo
        do {
            cancelled = try await store.cancelSession(id, at: MeetingTime.rfc3339(Date()))
        } catch StoreError.conflict(let reason) {
            throw Failure.conflict(reason)
        } catch StoreError.notFound {
            throw Failure.notFound("no session \(id)")
        }
        await hub.sessionPlanned(cancelled)
        for invite in invites where invite.revokedAt == nil {
            if try await store.revokeInvite(id: invite.id, session: id) {
                await hub.closeInvite(invite.id, reason: "session cancelled")
            }
        }
        await mailer?.cancelled(cancelled, invites: invites)
        logger.info("session cancelled", metadata: ["session.id": "\(id)", "staff.name": "\(officer.name)"])
        return Self.json(200, try await sessionObject(cancelled))
    }

    /// `POST /v1/sessions/{id}/open`: an officer opens a scheduled session before its time.
    func openSession(_ call: RouteCall, by officer: StaffAccount) async throws -> HTTPResponse {
        let id = call["id"]
        guard let current = try await store.session(id: id) else { throw Failure.notFound("no session \(id)") }
        try allow(.open, current)
        let opened: SessionInfo
        do {
            opened = try await store.openSession(id)
        } catch StoreError.notFound {
            throw Failure.notFound("no session \(id)")
        } catch StoreError.conflict(let reason) {
            throw Failure.conflict(reason)
        }
        await hub.sessionPlanned(opened)
        logger.info("session opened", metadata: ["session.id": "\(id)", "staff.name": "\(officer.name)"])
        return Self.json(200, try await sessionObject(opened))
    }

    /// The session's status allows `action` (`SessionSchedule`), or a 409 with the reason.
    private func allow(_ action: SessionAction, _ session: SessionInfo) throws {
        if case .failure(let refusal) = SessionSchedule.transition(from: session.status, action: action) {
            throw Failure.conflict("session \(session.id): \(refusal.reason)")
        }
    }

    /// `GET /v1/outbox?status=&limit=`: the mails, newest first, with their last error.
    func outbox(_ call: RouteCall) async throws -> HTTPResponse {
        let request = call.request
        var status: OutboxStatus?
        if let value = request.queryValue("status"), !value.isEmpty {
            guard let s = OutboxStatus(rawValue: value) else {
                throw Failure.badRequest("status must be one of \(OutboxStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            status = s
        }
        var limit = 100
        if let value = request.queryValue("limit"), !value.isEmpty {
            guard let n = Int(value), (1...1000).contains(n) else { throw Failure.badRequest("limit must be 1 to 1000") }
            limit = n
        }
        let mails = try await store.outbox(status: status, limit: limit).map { mail -> JSONValue in
            .object([
                "id": .string(mail.id), "kind": .string(mail.kind), "session": mail.session.map(JSONValue.string) ?? .null,
                "recipient": .string(mail.recipient), "subject": .string(mail.subject), "status": .string(mail.status.rawValue),
                "attempts": .int(Int64(mail.attempts)), "nextAttemptAt": .string(mail.nextAttemptAt),
                "lastError": mail.lastError.map(JSONValue.string) ?? .null, "createdAt": .string(mail.createdAt),
                "sentAt": mail.sentAt.map(JSONValue.string) ?? .null,
            ])
        }
        return Self.json(200, ["mails": .array(mails)])
    }

    /// The invite fields of the calendar: an address to mail and the investor's zone.
    func inviteContact(_ body: JSONValue) throws -> (email: String?, timeZone: String?, transcriptByMail: Bool) {
        var email: String?
        if let value = body["email"], value != .null {
            guard let text = value.stringValue else { throw Failure.badRequest("\"email\" must be a string") }
            do { email = try MailAddress(parsing: text.trimmingCharacters(in: .whitespaces)).address } catch {
                throw Failure.badRequest("\"email\" \(text.debugDescription) is not a mail address: \(error)")
            }
        }
        var timeZone: String?
        if let value = body["timeZone"], value != .null {
            guard let name = value.stringValue else { throw Failure.badRequest("\"timeZone\" must be an IANA zone name") }
            do { _ = try MeetingTime.zone(named: name) } catch { throw Failure.badRequest(error.description) }
            timeZone = name
        }
        var transcriptByMail = false
        if let value = body["transcriptByMail"], value != .null {
            guard case .bool(let on) = value else { throw Failure.badRequest("\"transcriptByMail\" must be true or false") }
            guard !on || email != nil else {
                throw Failure.badRequest("\"transcriptByMail\" needs the investor's \"email\"")
            }
            transcriptByMail = on
        }
        return (email, timeZone, transcriptByMail)
    }
}
