import Dialogue
import Foundation
import Logging
import Mail
import Scheduling
import Store

/// When a refused mail is tried again: doubling from `first` up to `longest` between two
/// attempts, and failed for good after `attempts` (about 13 hours with the defaults, so a
/// mail server down overnight still gets the morning's reminders out).
package struct MailRetryPolicy: Sendable, Equatable {
    package var first: TimeInterval = 30
    package var longest: TimeInterval = 3600
    package var attempts = 20

    package init(first: TimeInterval = 30, longest: TimeInterval = 3600, attempts: Int = 20) {
        self.first = first
        self.longest = longest
        self.attempts = attempts
    }

    /// After attempt number `attempt` (1 for the first) failed with `error` at `now`: when to
    /// try again, or nil to fail it for good (a permanent refusal, or too many attempts).
    package func retry(after attempt: Int, error: MailDeliveryError, now: Date) -> Date? {
        guard error.isTemporary, attempt < attempts else { return nil }
        let wait = min(longest, first * pow(2, Double(max(0, attempt - 1))))
        return now.addingTimeInterval(wait)
    }
}

/// Sends the durable outbox: takes the mails that are due (on a shared store, one node at a
/// time takes each, holding it for `lease`), hands each to the transport exactly as stored,
/// and marks it sent, queued again with back-off, or failed with the transport's reason. A
/// node killed while sending leaves its mails held; once the lease runs out one is sent
/// again, with the same Message-ID: at least once, never lost.
package final class MailWorker: Sendable {
    private let store: any MailOutboxStore
    /// Opens the stored messages (sealed by `MeetingMailer`: they hold join links).
    private let seal: SigningKeySeal
    private let transport: any MailTransport
    private let from: MailAddress
    private let node: String
    private let policy: MailRetryPolicy
    private let lease: TimeInterval
    /// How often the outbox is looked at without a wake-up (retries, other nodes' mails).
    private let poll: Duration
    private let logger: Logger
    private let wakes: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation

    package init(
        store: any MailOutboxStore, seal: SigningKeySeal, transport: any MailTransport, from: MailAddress, node: String,
        policy: MailRetryPolicy = MailRetryPolicy(), lease: TimeInterval = 1200, poll: Duration = .seconds(5),
        logger: Logger
    ) {
        self.store = store
        self.seal = seal
        self.transport = transport
        self.from = from
        self.node = node
        self.policy = policy
        self.lease = lease
        self.poll = poll
        self.logger = logger
        (wakes, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// A mail was queued: look now rather than at the next poll.
    package func wake() { wakeContinuation.yield() }

    /// Stops the loop: the mails due now are still sent (what the HTTP API queued last), then
    /// it returns; a mail that fails now waits for the next node to start.
    package func finish() { wakeContinuation.finish() }

    /// Sends until `finish()`.
    package func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [wakeContinuation, poll] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: poll)
                    wakeContinuation.yield()
                }
            }
            await sendDue()
            for await _ in wakes { await sendDue() }
            group.cancelAll()
        }
    }

    /// Sends every mail due now, in batches, until none is left.
    package func sendDue() async {
        while true {
            let now = Date()
            let taken: [OutboxMail]
            do {
                taken = try await store.claimMail(
                    node: node, now: MeetingTime.rfc3339(now),
                    // One at a time: the lease covers the one send in hand (a batch sent in turn
                    // could outlast it, and another node would send the rest again).
                    leaseUntil: MeetingTime.rfc3339(now.addingTimeInterval(lease)), limit: 1)
            } catch {
                logger.error("outbox unreadable", metadata: ["error": "\(error)"])
                return
            }
            if taken.isEmpty { return }
            for mail in taken { await send(mail) }
        }
    }

    private func send(_ mail: OutboxMail) async {
        let metadata: Logger.Metadata = ["mail.id": "\(mail.id)", "mail.kind": "\(mail.kind)"]
        do {
            let recipient: MailAddress
            do { recipient = try MailAddress(parsing: mail.recipient) } catch {
                throw MailDeliveryError.permanent("bad address \(mail.recipient): \(error)")
            }
            guard let message = seal.open(mail.message, boundTo: mail.id) else {
                throw MailDeliveryError.permanent(
                    "the stored message does not open under this node's signing key (rotated, or another key)")
            }
            try await transport.send(rendered: message, envelopeFrom: from, recipients: [recipient])
            if try await store.markMailSent(id: mail.id, by: node, at: MeetingTime.rfc3339(Date())) {
                logger.info("mail sent", metadata: metadata)
            } else {
                logger.warning("mail sent after this node's lease ran out: another node may send it again", metadata: metadata)
            }
        } catch let error as MailDeliveryError {
            let retryAt = policy.retry(after: mail.attempts, error: error, now: Date())
            logger.warning(
                retryAt == nil ? "mail failed" : "mail deferred",
                metadata: metadata.merging(["error": "\(error)", "attempt": "\(mail.attempts)"]) { $1 })
            do {
                let held = try await store.markMailFailed(
                    id: mail.id, by: node, error: error.reason, retryAt: retryAt.map(MeetingTime.rfc3339))
                if !held { logger.warning("lease ran out: the mail is another node's now", metadata: metadata) }
            } catch {
                logger.error("outbox not updated", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            }
        } catch {
            // The store refused to mark it sent: the lease runs out and it is sent again.
            logger.error("outbox not updated", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
    }
}
