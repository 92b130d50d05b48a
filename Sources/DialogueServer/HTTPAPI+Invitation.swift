import Dialogue
import Foundation
import Mail
import Store
import Transport

/// The investor's own view of their invitation (docs/protocol.md, "The investor's answers"),
/// authorised by the invite code as `Authorization: Bearer CODE`: the meeting and its time,
/// and the two things only the investor decides — whether the transcript is mailed to them
/// after the meeting, and whether they can attend (no reminders when they cannot).
extension HTTPAPI {
    /// `GET /v1/invitation`.
    func invitation(_ call: RouteCall) async throws -> HTTPResponse {
        let (invite, session) = try await investorInvite(call.request)
        return Self.json(200, Self.invitationObject(invite, session))
    }

    /// `PATCH /v1/invitation` with `transcriptByMail`, `email` and `attending`, each optional.
    func answerInvitation(_ call: RouteCall) async throws -> HTTPResponse {
        let (invite, session) = try await investorInvite(call.request)
        let fields = try body(call.request)
        guard case .object(let members) = fields else { throw Failure.badRequest("the body must be a JSON object") }
        if let unknown = members.keys.sorted().first(where: { !["transcriptByMail", "email", "attending"].contains($0) }) {
            throw Failure.badRequest("unknown field \"\(unknown)\": only transcriptByMail, email and attending")
        }
        let answer: InvitationAnswer
        do {
            answer = try InvitationAnswer.decide(
                invite: invite, session: session, email: members["email"], transcriptByMail: members["transcriptByMail"],
                attending: members["attending"], now: Timestamp.now())
        } catch let refusal as InvitationAnswer.Refusal {
            throw refusal.conflict ? Failure.conflict(refusal.reason) : Failure.badRequest(refusal.reason)
        }
        guard
            let stored = try await store.answerInvite(
                id: invite.id, email: answer.email, transcriptByMail: answer.transcriptByMail, declinedAt: answer.declinedAt)
        else { throw Failure.unauthorized }
        logger.info(
            "invitation answered",
            metadata: [
                "invite.id": "\(invite.id)", "session.id": "\(invite.session)",
                "attending": "\(!stored.declines(session.schedule))", "transcript.by_mail": "\(stored.transcriptByMail)",
            ])
        return Self.json(200, Self.invitationObject(stored, session))
    }

    /// The invite behind the bearer code, while it admits, and its session; a wrong code
    /// counts as a failed sign-in (`SignInFailures`), as at `hello`.
    private func investorInvite(_ request: HTTPRequest) async throws -> (Invite, SessionInfo) {
        guard let header = request.headers["authorization"], header.lowercased().hasPrefix("bearer ") else {
            throw Failure(status: 401, code: "unauthorized", message: "send the invite code as Authorization: Bearer CODE")
        }
        let code = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard SecretToken.isWellFormed(code), !code.hasPrefix("dst_"), let invite = try await store.invite(code: code),
            invite.isUsable(nowMilliseconds: Timestamp.nowMilliseconds())
        else {
            await signInFailures.failed(request.peer)
            throw Failure(status: 401, code: "unauthorized", message: "unknown, revoked or expired invite code")
        }
        guard let session = try await store.session(id: invite.session) else { throw Failure.notFound("no session") }
        // As at `hello`: an investor removed from the session, or turned away in its lobby,
        // has no say in it any more (nor its transcript).
        let shutOut = try await store.shutOutInvestors(of: session)
        if shutOut.removed.contains(invite.id) {
            throw Failure(status: 403, code: "forbidden", message: "you were removed from this session")
        }
        if shutOut.declined.contains(invite.id) {
            throw Failure(status: 403, code: "forbidden", message: "an officer did not admit you to this session")
        }
        return (invite, session)
    }

    static func invitationObject(_ invite: Invite, _ session: SessionInfo) -> JSONValue {
        var meeting: [String: JSONValue] = [
            "id": .string(session.id), "title": .string(session.title), "status": .string(session.status.rawValue),
        ]
        if let schedule = session.schedule {
            meeting["startsAt"] = .string(schedule.startsAt)
            meeting["endsAt"] = .string(schedule.endsAt)
            meeting["timeZone"] = .string(schedule.timeZone)
        }
        if let agenda = session.agenda { meeting["agenda"] = .string(agenda) }
        return [
            "invite": .string(invite.id), "name": .string(invite.name), "language": .string(invite.language),
            "session": .object(meeting), "email": invite.email.map(JSONValue.string) ?? .null,
            "timeZone": invite.timeZone.map(JSONValue.string) ?? .null,
            "transcriptByMail": .bool(invite.transcriptByMail), "attending": .bool(!invite.declines(session.schedule)),
            "declinedAt": invite.declinedAt.map(JSONValue.string) ?? .null,
        ]
    }
}

/// What an investor's answer changes on their invite, decided without I/O: the rules of
/// `PATCH /v1/invitation`.
struct InvitationAnswer: Equatable {
    var email: String?
    var transcriptByMail: Bool
    var declinedAt: String?

    struct Refusal: Error, Equatable {
        let reason: String
        /// 409 (the state does not allow it) rather than 400 (the request is wrong).
        let conflict: Bool
    }

    static func decide(
        invite: Invite, session: SessionInfo, email: JSONValue?, transcriptByMail: JSONValue?, attending: JSONValue?,
        now: String
    ) throws -> InvitationAnswer {
        var answer = InvitationAnswer(
            email: invite.email, transcriptByMail: invite.transcriptByMail, declinedAt: invite.declinedAt)
        if let email, email != .null {
            guard session.status != .ended, session.status != .cancelled else {
                throw Refusal(reason: "the meeting is \(session.status.rawValue): no address is needed for it", conflict: true)
            }
            guard let text = email.stringValue?.trimmingCharacters(in: .whitespaces) else {
                throw Refusal(reason: "\"email\" must be a string", conflict: false)
            }
            let address: String
            do { address = try MailAddress(parsing: text).address } catch {
                throw Refusal(reason: "\"email\" \(text.debugDescription) is not a mail address: \(error)", conflict: false)
            }
            // The agency's address for the investor is theirs to change: the investor gives
            // one only where there is none (a link passed on by hand).
            if let known = invite.email, known.lowercased() != address.lowercased() {
                throw Refusal(reason: "this invitation has an address already; ask the agency to change it", conflict: true)
            }
            answer.email = invite.email ?? address
        }
        if let transcriptByMail, transcriptByMail != .null {
            guard case .bool(let on) = transcriptByMail else {
                throw Refusal(reason: "\"transcriptByMail\" must be true or false", conflict: false)
            }
            guard session.status != .ended, session.status != .cancelled else {
                throw Refusal(reason: "the meeting is \(session.status.rawValue): its transcript is no longer mailed", conflict: true)
            }
            guard !on || answer.email != nil else {
                throw Refusal(reason: "\"transcriptByMail\" needs an \"email\" to send it to", conflict: false)
            }
            answer.transcriptByMail = on
        }
        if let attending, attending != .null {
            guard case .bool(let on) = attending else {
                throw Refusal(reason: "\"attending\" must be true or false", conflict: false)
            }
            guard session.status == .scheduled else {
                throw Refusal(reason: "the meeting is \(session.status.rawValue): attendance is answered before it starts", conflict: true)
            }
            if on {
                answer.declinedAt = nil
            } else if !invite.declines(session.schedule) {
                answer.declinedAt = now
            }
        }
        return answer
    }
}
