import AgentPacks
import Dialogue
import Foundation
import Logging
import Mail
import MeetingMail
import Scheduling
import Store
import Transcripts

/// Decides the mails of meetings and puts them in the durable outbox (docs/mail.md): each is
/// rendered once, with its Message-ID, under a key that names the decision
/// (`invitation:INVITE`, `update:INVITE:SEQUENCE`, `cancellation:INVITE`,
/// `reminder:INVITE:SEQUENCE:INDEX`), so the same decision taken twice — by two officers,
/// two nodes or after a restart — mails once. The worker (`MailWorker`) sends them.
package struct MeetingMailer: Sendable {
    let store: any DialogueStore
    let agents: AgentPackSource
    let seal: InviteLinkSeal
    /// Renders and signs the transcripts mailed after a meeting.
    let transcripts: TranscriptService
    /// Seals each stored message: it holds the investor's join link, a credential.
    let outboxSeal: SigningKeySeal
    let from: MailAddress
    /// The join links' base (`PUBLIC_URL`).
    let baseURL: String
    /// Host part of Message-IDs and calendar UIDs.
    let host: String
    let reminders: ReminderPlan
    /// Tells the worker a mail is waiting.
    let wake: @Sendable () -> Void
    let logger: Logger

    /// The invitation of an invite with an address; nothing when it has none.
    func invite(_ invite: Invite, code: String, in session: SessionInfo) async throws {
        guard let mail = try compose(.invitation, session: session, invite: invite, joinURL: joinURL(code)) else { return }
        try await enqueue(mail, key: "invitation:\(invite.id)", invite: invite)
    }

    /// A new time: each invited address gets an update with the raised sequence, stating the
    /// former time the move kept in the session (`Schedule.previous`). One invite's mail that
    /// cannot be written does not keep the others from theirs.
    func rescheduled(_ session: SessionInfo) async throws {
        for invite in try await mailedInvites(session) {
            await each(invite) {
                guard
                    let mail = try compose(
                        .update, session: session, invite: invite, joinURL: repeatedLink(invite),
                        previous: session.schedule?.previous.flatMap(meetingTime))
                else { return }
                let sequence = session.schedule?.sequence ?? 0
                try await enqueue(
                    mail, key: "update:\(invite.id):\(sequence)", invite: invite,
                    supersede: Self.replacedByUpdate(invite, sequence: sequence))
            }
        }
    }

    /// Called off: each invited address gets a calendar cancellation. `invites` are read
    /// before they are revoked.
    func cancelled(_ session: SessionInfo, invites: [Invite]) async {
        let joined = (try? await store.participants(session: session.id)).map { Set($0.map(\.id)) } ?? []
        for invite in invites where invite.email != nil && invite.revokedAt == nil {
            await each(invite) {
                guard let mail = try compose(.cancellation, session: session, invite: invite, joinURL: nil) else { return }
                try await enqueue(
                    mail, key: "cancellation:\(invite.id)", invite: invite, supersede: Self.replacedByCancellation(invite),
                    unlessUnheard: try await onlyByMail(invite, joined: joined))
            }
        }
    }

    /// Whether the investor knows of the meeting only from its mails: an invitation was
    /// queued for them and they never joined (a link given by hand, with the address they
    /// gave on their page, or a visit to the meeting, tells them too). Only then may the
    /// cancellation of a meeting none of whose mails went out stay unsent.
    private func onlyByMail(_ invite: Invite, joined: Set<String>) async throws -> Bool {
        guard !joined.contains(invite.id) else { return false }
        return try await store.mailKeys(prefix: "invitation:\(invite.id)").contains("invitation:\(invite.id)")
    }

    /// Runs one invite's part, logging (not throwing) what fails.
    private func each(_ invite: Invite, _ work: () async throws -> Void) async {
        do { try await work() } catch {
            logger.error("meeting mail not queued", metadata: ["invite.id": "\(invite.id)", "error": "\(error)"])
        }
    }

    /// The reminders due at `now` for every meeting starting within the plan's longest offset.
    /// What was mailed is read back from the outbox's keys, so a restart mails nothing twice.
    func remind(now: Date) async throws {
        guard let longest = reminders.offsets.map(Self.seconds).max(), longest > 0 else { return }
        let sessions = try await store.scheduledSessions(
            from: MeetingTime.rfc3339(now), to: MeetingTime.rfc3339(now.addingTimeInterval(longest + 1)))
        for session in sessions where session.status.takesMessages {
            guard let schedule = session.schedule, let time = meetingTime(schedule), time.startsAt > now else { continue }
            // Who was shut out is read (for a lobby, a replay of the session) only once a
            // reminder is due.
            var shutOut: ShutOutInvestors?
            // No reminder to an investor who said on their page that they cannot attend.
            for invite in try await usableInvites(of: session.id) where !invite.declines(schedule) {
                let prefix = "reminder:\(invite.id):\(schedule.sequence):"
                let keys = try await store.mailKeys(prefix: prefix)
                let mailed = Set(keys.compactMap { Int($0.dropFirst(prefix.count)) })
                // A reminder mailed makes every earlier one moot (its moment is behind it too).
                let done = Set(reminders.offsets.indices.filter { index in
                    mailed.contains { reminders.offsets[index] >= reminders.offsets[$0] }
                })
                // Moot: a reminder whose moment had passed when the investor last heard of the
                // time (the invitation, or the update of a move).
                let heard = [invite.createdAt, schedule.plannedAt].compactMap { $0 }.compactMap(Self.instant).max()
                let due = reminders.due(startsAt: time.startsAt, now: now, alreadySent: done, createdAt: heard)
                guard let index = due.send else { continue }
                if shutOut == nil { shutOut = try await store.shutOutInvestors(of: session) }
                if shutOut?.contains(invite.id) == true { continue }
                await each(invite) {
                    guard let mail = try compose(.reminder, session: session, invite: invite, joinURL: repeatedLink(invite))
                    else { return }
                    try await enqueue(mail, key: prefix + String(index), invite: invite)
                }
            }
        }
    }

    /// Queues what a move or a cancellation should have queued and did not (the node stopped
    /// between the change and its mails): every invitee who got an invitation gets the
    /// cancellation of a cancelled meeting, and the update of the latest time of a moved one.
    /// The keys make it idempotent; run now and then by the calendar part.
    func reconcile(now: Date) async throws {
        let sessions = try await store.scheduledSessions(
            from: MeetingTime.rfc3339(now.addingTimeInterval(-86_400)),
            to: MeetingTime.rfc3339(now.addingTimeInterval(366 * 86_400)))
        for session in sessions {
            guard let schedule = session.schedule else { continue }
            let invites = try await store.invites(session: session.id).filter { $0.email != nil }
            for invite in invites {
                let invited = try await store.mailKeys(prefix: "invitation:\(invite.id)").contains("invitation:\(invite.id)")
                guard invited else { continue }
                switch session.status {
                case .cancelled:
                    let key = "cancellation:\(invite.id)"
                    guard try await store.mailKeys(prefix: key).isEmpty else { continue }
                    let joined = Set(try await store.participants(session: session.id).map(\.id))
                    await each(invite) {
                        guard let mail = try compose(.cancellation, session: session, invite: invite, joinURL: nil) else { return }
                        try await enqueue(
                            mail, key: key, invite: invite, supersede: Self.replacedByCancellation(invite),
                            unlessUnheard: try await onlyByMail(invite, joined: joined))
                    }
                case .scheduled where schedule.sequence > 0 && invite.revokedAt == nil:
                    // An invite made after the last move was invited at that time already.
                    if let planned = schedule.plannedAt.flatMap(Self.instant), let created = Self.instant(invite.createdAt),
                        created > planned
                    {
                        continue
                    }
                    let key = "update:\(invite.id):\(schedule.sequence)"
                    guard try await store.mailKeys(prefix: key).isEmpty else { continue }
                    await each(invite) {
                        // The former time, kept by the move, as the officer's own update says it.
                        guard
                            let mail = try compose(
                                .update, session: session, invite: invite, joinURL: repeatedLink(invite),
                                previous: schedule.previous.flatMap(meetingTime))
                        else { return }
                        try await enqueue(
                            mail, key: key, invite: invite,
                            supersede: Self.replacedByUpdate(invite, sequence: schedule.sequence))
                    }
                default:
                    continue
                }
            }
        }
    }

    /// A published hand-over (an answer with a `contact` that has an address): the desk gets
    /// the question, who asked, in which meeting and why (key `desk:SESSION:SEQ`, once).
    func notifyDesk(_ answer: Event) async {
        guard case .object(let contact)? = answer.body["contact"], let address = contact["email"]?.stringValue,
            let about = answer.body["about"]?.intValue
        else { return }
        do {
            let deskAddress = try MailAddress(parsing: address)
            guard let session = try await store.session(id: answer.session),
                let question = try await store.events(session: answer.session, after: about - 1, limit: 1).first,
                question.seq == about
            else { return }
            let pack = agents.current.pack(id: session.agent) ?? agents.current.defaultPack
            let language = pack.manifest.defaultLanguage
            let deskName = pack.desk(id: contact["desk"]?.stringValue ?? "")?.name.text(in: language)
                ?? contact["name"]?.stringValue ?? ""
            let asker = try await store.participants(session: answer.session).first { $0.id == question.senderId }
            let mail = DeskMail(
                language: language, desk: deskName, deskAddress: deskAddress, sender: from,
                senderName: pack.manifest.organisationName(in: language), sessionId: session.id, title: session.title,
                question: question.body["text"]?.stringValue ?? "",
                questionLanguage: question.body["language"]?.stringValue ?? "", investor: asker?.name ?? question.senderId,
                organisation: asker?.organisation, reason: contact["reason"]?.stringValue ?? "",
                consoleURL: baseURL + "/console")
            try await queue(
                kind: "desk", key: "desk:\(answer.session):\(answer.seq)", session: answer.session,
                recipient: deskAddress.address, subject: mail.subject
            ) { id, date in try mail.message(messageID: "<\(id)@\(host)>", date: date).rendered() }
        } catch {
            logger.error(
                "desk not notified", metadata: ["session.id": "\(answer.session)", "seq": "\(answer.seq)", "error": "\(error)"])
        }
    }

    /// The meeting is over (and its transcript sealed): every investor who asked gets it in
    /// their language, the signed export attached (key `transcript:INVITE`, once).
    func sendTranscripts(of sessionId: String) async {
        do {
            var asked = try await store.invites(session: sessionId).filter {
                $0.transcriptByMail && $0.email != nil && $0.revokedAt == nil
            }
            guard !asked.isEmpty, let session = try await store.session(id: sessionId) else { return }
            // Not to an investor removed from the session or turned away in its lobby.
            let shutOut = try await store.shutOutInvestors(of: session)
            asked.removeAll { shutOut.contains($0.id) }
            guard !asked.isEmpty,
                let signed = try await transcripts.document(session: sessionId)
            else { return }
            let pack = agents.current.pack(id: session.agent) ?? agents.current.defaultPack
            // The signed export is the archive's, the same for everyone; the transcript is read
            // and written once per language, not once per investor.
            let json = Array(transcripts.render(signed, format: "json", language: nil).utf8)
            let fileName = TranscriptFileName.make(session: signed.session)
            for (language, investors) in Dictionary(grouping: asked, by: \.language) {
                guard let document = try await transcripts.document(session: sessionId, termsLanguage: language) else { continue }
                let reasons = pack.ratingReasonTexts(in: language)
                let html = transcripts.render(document, format: "html", language: language, ratingReasons: reasons)
                let markdown = transcripts.render(document, format: "md", language: language, ratingReasons: reasons)
                for invite in investors {
                    await each(invite) {
                        guard let address = invite.email, let email = try? MailAddress(parsing: address) else { return }
                        let mail = TranscriptMail(
                            sessionId: sessionId, title: session.title, name: invite.name, language: language,
                            email: email, sender: from, organisation: pack.manifest.organisationName(in: language),
                            html: html, markdown: markdown, json: json, fileName: fileName)
                        try await queue(
                            kind: "transcript", key: "transcript:\(invite.id)", session: sessionId, recipient: email.address,
                            subject: mail.subject
                        ) { id, date in try mail.message(messageID: "<\(id)@\(host)>", date: date).rendered() }
                    }
                }
            }
        } catch {
            logger.error("transcript mails not queued", metadata: ["session.id": "\(sessionId)", "error": "\(error)"])
        }
    }

    /// The acknowledgement of a meeting request (key `request:REQUEST`, once).
    func acknowledge(_ request: MeetingRequest) async throws {
        try await queueRequestMail(.acknowledgement, request, reason: nil, key: "request:\(request.id)")
    }

    /// A declined meeting request's answer, with the reason in the investor's language.
    func declined(_ request: MeetingRequest, reason: String) async throws {
        try await queueRequestMail(.declined, request, reason: reason, key: "request-declined:\(request.id)")
    }

    private func queueRequestMail(_ kind: RequestMail.Kind, _ request: MeetingRequest, reason: String?, key: String)
        async throws
    {
        let pack = agents.current.pack(id: request.agent) ?? agents.current.defaultPack
        let zone = TimeZone(identifier: request.timeZone) ?? TimeZone(identifier: "UTC")!
        let slots = request.slots.compactMap { try? MeetingTime.parseInstant($0) }.map {
            MeetingDateText.text(start: $0, end: $0.addingTimeInterval(3600), zone: zone, language: request.language)
        }
        let mail = RequestMail(
            kind: kind, name: request.name, language: request.language, email: try MailAddress(parsing: request.email),
            sender: from, organisation: pack.manifest.organisationName(in: request.language),
            topic: pack.topicName(request.topic, in: request.language) ?? request.topic, slots: slots,
            reason: reason)
        try await queue(
            kind: "request", key: key, session: nil, recipient: request.email, subject: mail.subject
        ) { id, date in try mail.message(messageID: "<\(id)@\(host)>", date: date).rendered() }
    }

    /// Renders a mail with its new id and stores it sealed (once per `key`), waking the worker:
    /// every mail of the outbox goes in this way.
    private func queue(
        kind: String, key: String, session: String?, recipient: String, subject: String,
        supersede: MailFamilies = .none, unlessUnheard: Bool = false, render: (String, Date) throws -> [UInt8]
    ) async throws {
        let id = SecretToken.identifier(prefix: "mail")
        let now = Date()
        let stamp = MeetingTime.rfc3339(now)
        let stored = OutboxMail(
            id: id, key: key, kind: kind, session: session, recipient: recipient, subject: subject,
            message: try outboxSeal.seal(try render(id, now), boundTo: id), nextAttemptAt: stamp, createdAt: stamp)
        if try await store.enqueueMail(stored, supersede: supersede, unlessUnheard: unlessUnheard) {
            logger.info("mail queued", metadata: ["mail.id": "\(id)", "mail.kind": "\(kind)"])
            wake()
        }
    }

    // MARK: Composing and enqueuing

    private func compose(
        _ kind: MeetingMailKind, session: SessionInfo, invite: Invite, joinURL: String?, previous: MeetingTime? = nil
    ) throws -> MeetingMail? {
        guard let email = invite.email.flatMap({ try? MailAddress(parsing: $0) }),
            let schedule = session.schedule, let time = meetingTime(schedule)
        else { return nil }
        let manifest = agents.current.pack(id: session.agent)?.manifest ?? agents.current.defaultPack.manifest
        let language = invite.language
        return MeetingMail(
            kind: kind, sessionId: session.id, title: session.title, agenda: session.agenda, time: time,
            sequence: schedule.sequence, previousTime: previous,
            invitee: .init(
                inviteId: invite.id, name: invite.name, language: language, email: email, timeZone: invite.timeZone),
            sender: .init(
                address: from, organisation: manifest.organisationName(in: language),
                notice: manifest.meetingNotice(in: language)),
            joinURL: joinURL, host: host)
    }

    private func enqueue(
        _ mail: MeetingMail, key: String, invite: Invite, supersede: MailFamilies = .none, unlessUnheard: Bool = false
    ) async throws {
        try await queue(
            kind: mail.kind.rawValue, key: key, session: mail.sessionId, recipient: mail.invitee.email.address,
            subject: mail.subject, supersede: supersede, unlessUnheard: unlessUnheard
        ) { id, date in try mail.message(messageID: "<\(id)@\(host)>", date: date).rendered() }
    }

    /// The update of `sequence` replaces the earlier updates and the reminders of the former
    /// times still queued — never those of its own time, which a reminder pass may have queued
    /// first (the invitation stays: it is the first the investor hears of the meeting).
    static func replacedByUpdate(_ invite: Invite, sequence: Int) -> MailFamilies {
        MailFamilies((0..<max(sequence, 0)).flatMap { ["update:\(invite.id):\($0)", "reminder:\(invite.id):\($0)"] })
    }

    /// A cancellation replaces every mail of the meeting to the investor still queued, so a
    /// delayed invitation cannot arrive after it; when none of them went out, the
    /// cancellation is not sent either.
    static func replacedByCancellation(_ invite: Invite) -> MailFamilies {
        MailFamilies(["invitation:\(invite.id)", "update:\(invite.id)", "reminder:\(invite.id)"])
    }

    /// The invites with an address whose link still works (not revoked, not expired).
    private func usableInvites(of session: String) async throws -> [Invite] {
        let now = Timestamp.nowMilliseconds()
        return try await store.invites(session: session).filter { $0.email != nil && $0.isUsable(nowMilliseconds: now) }
    }

    /// The usable invites, less the investors an officer shut out (removed, or declined in
    /// the lobby).
    private func mailedInvites(_ session: SessionInfo) async throws -> [Invite] {
        let invites = try await usableInvites(of: session.id)
        guard !invites.isEmpty else { return [] }
        let shutOut = try await store.shutOutInvestors(of: session)
        return invites.filter { !shutOut.contains($0.id) }
    }

    /// An RFC 3339 time as stored (with or without milliseconds).
    static func instant(_ text: String) -> Date? {
        Timestamp.parse(text).map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    private func joinURL(_ code: String) -> String { baseURL + "/join#" + code }

    /// The invite's link again, when its sealed code opens under this node's key.
    private func repeatedLink(_ invite: Invite) -> String? {
        guard let sealed = invite.sealedCode, let code = seal.open(sealed, invite: invite.id) else { return nil }
        return joinURL(code)
    }

    private func meetingTime(_ schedule: SessionInfo.Schedule) -> MeetingTime? {
        guard let start = try? MeetingTime.parseInstant(schedule.startsAt),
            let end = try? MeetingTime.parseInstant(schedule.endsAt)
        else { return nil }
        return MeetingTime(startsAt: start, endsAt: end, timeZone: schedule.timeZone)
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
