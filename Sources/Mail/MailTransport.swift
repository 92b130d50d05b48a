/// Something that carries a rendered message to its recipients: a Maildir, a sendmail-compatible
/// program, an SMTP server. The envelope (`envelopeFrom`, `recipients`) is given apart from the
/// message because it decides delivery, whatever the To header says.
package protocol MailTransport: Sendable {
    /// Carries a message already rendered (`MailMessage.rendered()`), byte for byte: how a
    /// durable outbox sends what it stored, so a repeat is the same message.
    func send(rendered: [UInt8], envelopeFrom: MailAddress, recipients: [MailAddress]) async throws(MailDeliveryError)
}

extension MailTransport {
    /// Renders `message` and carries it.
    package func send(_ message: MailMessage, envelopeFrom: MailAddress, recipients: [MailAddress])
        async throws(MailDeliveryError)
    {
        try await send(rendered: message.rendered(), envelopeFrom: envelopeFrom, recipients: recipients)
    }
}

/// Why a message was not delivered, sorted by what the caller should do next.
package enum MailDeliveryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Worth trying again later: the connection failed or timed out, the server answered 4xx,
    /// the disk is full, the program exited with EX_TEMPFAIL…
    case temporary(String)
    /// Trying again will fail the same way: the server answered 5xx (an unknown user, a
    /// rejected sender), the program exited with EX_NOUSER, the configuration is wrong…
    case permanent(String)

    package var isTemporary: Bool {
        if case .temporary = self { return true }
        return false
    }

    /// The reason, with the server's or the program's own words where there are some.
    package var reason: String {
        switch self {
        case .temporary(let reason), .permanent(let reason): reason
        }
    }

    package var description: String {
        switch self {
        case .temporary(let reason): "temporary failure: \(reason)"
        case .permanent(let reason): "permanent failure: \(reason)"
        }
    }
}

extension MailTransport {
    /// The same refusal from every transport for an envelope with nobody in it.
    static func checkRecipients(_ recipients: [MailAddress]) throws(MailDeliveryError) {
        if recipients.isEmpty { throw .permanent("no recipients in the envelope") }
    }
}
