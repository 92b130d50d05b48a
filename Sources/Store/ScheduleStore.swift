import Dialogue

/// Meetings on the calendar: the window of planned sessions, and the moves of a scheduled
/// one (opened, moved, cancelled). Each move is one conditional write, so two officers (or
/// two nodes) moving the same session cannot both succeed on a stale status.
package protocol ScheduleStore: ClosableStore {
    /// Sessions with a planned time overlapping `from ..< to` (RFC 3339 UTC), by start.
    func scheduledSessions(from: String, to: String) async throws -> [SessionInfo]
    /// Moves a scheduled session to a new time (its zone too, when given), decided at
    /// `plannedAt`, and raises its sequence. Throws `notFound`, or `conflict` when it is not
    /// scheduled any more.
    func reschedule(session: String, startsAt: String, endsAt: String, timeZone: String?, plannedAt: String)
        async throws -> SessionInfo
    /// Opens a scheduled session (→ live). Throws `notFound`, or `conflict` when it is not
    /// scheduled.
    func openSession(_ session: String) async throws -> SessionInfo
    /// Calls a scheduled session off (→ cancelled) and raises its sequence. Throws
    /// `notFound`, or `conflict` when it is not scheduled.
    func cancelSession(_ session: String, at: String) async throws -> SessionInfo
    /// Scheduled sessions whose start has come (`startsAt <= now`): the ones to open.
    func sessionsToOpen(now: String) async throws -> [String]
    /// Makes the session's unrevoked invites last at least `until` (RFC 3339 with
    /// milliseconds, as invites store it): a meeting moved later keeps its links working.
    func extendInvites(session: String, until: String) async throws
    /// Keeps an invite's code sealed (`Invite.sealedCode`), for the mails that repeat its link.
    func sealInviteCode(invite: String, sealed: [UInt8]) async throws
}

/// Where a mail in the outbox is.
package enum OutboxStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for its next attempt.
    case queued
    /// Taken by a node, which holds it until `leaseUntil`.
    case sending
    /// Accepted by the transport.
    case sent
    /// Refused for good (the reason in `lastError`).
    case failed
    /// Replaced before it was sent by a later mail of the same meeting to the same address
    /// (an update, a cancellation), which `lastError` names; never sent.
    case superseded
}

/// Mails of the outbox by key family: a family `update:inv_1` is the key itself and every key
/// that begins with it and a colon (`update:inv_1:2`), never `update:inv_10`.
package struct MailFamilies: Sendable, Equatable {
    package var families: [String]
    package init(_ families: [String]) { self.families = families }
    package static let none = MailFamilies([])

    /// Whether `key` belongs to one of the families.
    package func contains(_ key: String) -> Bool {
        families.contains { key == $0 || key.hasPrefix($0 + ":") }
    }
}

extension MailOutboxStore {
    /// Stores a mail that replaces none.
    package func enqueueMail(_ mail: OutboxMail) async throws -> Bool {
        try await enqueueMail(mail, supersede: .none, unlessUnheard: false)
    }
}

/// One mail of the durable outbox: rendered once, with its Message-ID, when it is decided,
/// and sent as stored, so a repeat after a crash is the same message (at least once; a
/// reader's mail program recognises the repeat by its Message-ID).
package struct OutboxMail: Sendable, Equatable {
    /// `mail_…`.
    package var id: String
    /// What the mail is, unique in the outbox (`invitation:inv_…`, `reminder:inv_…:1:0`):
    /// the same decision taken twice, by two nodes or after a restart, enqueues one mail.
    package var key: String
    /// `invitation`, `update`, `cancellation`, `reminder`, `desk`, `transcript`, `request`…
    package var kind: String
    /// The session it is about, if any.
    package var session: String?
    /// The address it goes to (one recipient per mail: each reads it in their language).
    package var recipient: String
    /// Its subject, as shown in `GET /v1/outbox`.
    package var subject: String
    /// The whole RFC 5322 message.
    package var message: [UInt8]
    package var status: OutboxStatus
    /// Attempts made so far.
    package var attempts: Int
    /// RFC 3339: not sent before then.
    package var nextAttemptAt: String
    /// The last refusal or failure, with the transport's reason.
    package var lastError: String?
    /// RFC 3339.
    package var createdAt: String
    /// RFC 3339, once sent.
    package var sentAt: String?

    package init(
        id: String, key: String, kind: String, session: String?, recipient: String, subject: String,
        message: [UInt8], status: OutboxStatus = .queued, attempts: Int = 0, nextAttemptAt: String,
        lastError: String? = nil, createdAt: String, sentAt: String? = nil
    ) {
        self.id = id
        self.key = key
        self.kind = kind
        self.session = session
        self.recipient = recipient
        self.subject = subject
        self.message = message
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.sentAt = sentAt
    }
}

/// The durable outbox: every mail is stored before it is sent, taken by one node at a time,
/// and marked sent or failed (docs/mail.md).
package protocol MailOutboxStore: ClosableStore {
    /// Stores a mail to send; false (nothing stored) when one with the same `key` is there.
    /// In the same transaction, the queued (not yet taken) mails of `supersede` are marked
    /// `superseded`: it replaces them. `unlessUnheard`: when none of those mails was sent
    /// or is being sent, the new one is superseded too (a cancellation of a meeting the
    /// address never heard of says nothing).
    func enqueueMail(_ mail: OutboxMail, supersede: MailFamilies, unlessUnheard: Bool) async throws -> Bool
    /// Takes up to `limit` mails due at `now` for `node` to send, holding each until
    /// `leaseUntil`: queued ones whose next attempt has come, and ones another node took and
    /// did not finish before its lease ran out (it died while sending). On a shared store
    /// two nodes never take the same mail at once. Each taken mail counts one more attempt.
    func claimMail(node: String, now: String, leaseUntil: String, limit: Int) async throws -> [OutboxMail]
    /// The transport accepted the mail `node` holds; its message is dropped (it was sent, and
    /// holds a join link). False (nothing changed) when the node no
    /// longer holds it: its lease ran out and another node took it (which marks it itself).
    @discardableResult func markMailSent(id: String, by node: String, at: String) async throws -> Bool
    /// The transport refused the mail `node` holds: tried again at `retryAt`, or failed for
    /// good when nil. False (nothing changed) when the node no longer holds it.
    @discardableResult func markMailFailed(id: String, by node: String, error: String, retryAt: String?) async throws
        -> Bool
    /// Mails, newest first, with the given status only when one is given (messages left out).
    func outbox(status: OutboxStatus?, limit: Int) async throws -> [OutboxMail]
    /// The keys in the outbox that begin with `prefix` (which reminders of an invite exist).
    func mailKeys(prefix: String) async throws -> Set<String>
}
