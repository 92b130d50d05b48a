import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Sends over SMTP (RFC 5321) to a relay or a mail server, on SwiftNIO, one connection per
/// message: simple to reason about, and mail volume does not call for connection reuse.
///
/// The conversation: greeting, EHLO (HELO if the server does not know EHLO), STARTTLS when
/// offered (then EHLO again, as RFC 3207 requires), AUTH PLAIN or LOGIN when credentials are
/// configured, MAIL FROM (with SIZE when the server announces it), one RCPT TO per recipient,
/// DATA with the dot-stuffed message, QUIT.
///
/// All or nothing: if any recipient is refused, the message is sent to nobody, so that a retry
/// can never deliver twice. A 5xx on any recipient makes the whole send `.permanent`, naming
/// the refused addresses (the caller can send again without them); 4xx only, `.temporary`.
///
/// Other failures are `.temporary`: 4xx replies, connection failures, TLS failures, timeouts,
/// and also 5xx replies that are about the session rather than this message (the greeting,
/// EHLO, AUTH, MAIL FROM, STARTTLS): a wrong password or a sender the relay refuses is the
/// configuration's fault, fixed by the operator, and must not fail every mail of the queue
/// for good (the outbox retries with back-off and shows the reason meanwhile). A 5xx to the
/// message itself (its size, its data) is `.permanent`. A server that does not offer STARTTLS when TLS
/// is required, or before credentials would go over a plaintext connection to a host that is
/// not loopback, gives `.temporary`: it can be an attacker stripping STARTTLS on the way, which
/// may not last (Postfix defers in the same case).
package struct SMTPTransport: MailTransport {
    package let configuration: SMTPConfiguration
    private let tlsContext: NIOSSLContext
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger

    /// Fails if the TLS settings cannot be used (a trust root file that does not load).
    package init(
        configuration: SMTPConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "mail.smtp")
    ) throws(SMTPConfigurationError) {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch configuration.certificateVerification {
        case .system: break
        case .trustRoots(let pemFile):
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(pemFile))
            } catch {
                throw .tls("cannot load trust roots from \(pemFile): \(error)")
            }
        case .none: tls.certificateVerification = .none
        }
        do {
            self.tlsContext = try NIOSSLContext(configuration: tls)
        } catch {
            throw .tls("\(error)")
        }
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// `smtp://[user:password@]host[:port]` or `smtps://…`; see `SMTPConfiguration(url:)`.
    package init(
        url: String, requireTLS: Bool = false, certificateVerification: SMTPCertificateVerification = .system,
        timeout: Duration = .seconds(30), heloName: String? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "mail.smtp")
    ) throws(SMTPConfigurationError) {
        let configuration = try SMTPConfiguration(
            url: url, requireTLS: requireTLS, certificateVerification: certificateVerification, timeout: timeout,
            heloName: heloName)
        try self.init(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger)
    }

    package func send(rendered: [UInt8], envelopeFrom: MailAddress, recipients: [MailAddress])
        async throws(MailDeliveryError)
    {
        try Self.checkRecipients(recipients)
        let payload = SMTPDataEncoder.encode(rendered)
        let session = try await SMTPSession.connect(
            configuration: configuration, tlsContext: tlsContext, eventLoopGroup: eventLoopGroup, logger: logger)
        do throws(MailDeliveryError) {
            try await session.deliver(payload: payload, from: envelopeFrom, to: recipients)
            await session.quit()
        } catch {
            await session.quit()
            throw error
        }
    }
}

/// One SMTP conversation on one connection: what to send, and what the replies mean.
struct SMTPSession {
    private let channel: any Channel
    private let configuration: SMTPConfiguration
    private let tlsContext: NIOSSLContext
    private let logger: Logger
    /// `host:port`, for the error messages.
    private let server: String
    /// The handler's first error (`SMTPClientHandler.failureFuture`).
    private let connectionFailure: EventLoopFuture<Void>

    static func connect(
        configuration: SMTPConfiguration, tlsContext: NIOSSLContext, eventLoopGroup: any EventLoopGroup, logger: Logger
    ) async throws(MailDeliveryError) -> SMTPSession {
        let server = "\(configuration.host):\(configuration.port)"
        let timeout = TimeAmount(configuration.timeout)
        let implicitTLS = configuration.implicitTLS ? Self.tlsStart(configuration, tlsContext) : nil
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let implicitTLS {
                        try pipeline.addHandler(
                            NIOSSLClientHandler(
                                context: implicitTLS.context, serverHostname: implicitTLS.serverHostname))
                    }
                    try pipeline.addHandler(SMTPClientHandler(timeout: timeout))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw .temporary("SMTP: cannot connect to \(server): \(Self.describe(error))")
        }
        let connectionFailure = try? await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: SMTPClientHandler.self).failureFuture
        }.get()
        guard let connectionFailure else {
            try? await channel.close()
            throw .temporary("SMTP: the connection to \(server) closed as soon as it opened")
        }
        var serverLogger = logger
        serverLogger[metadataKey: "smtp.server"] = "\(server)"
        return SMTPSession(
            channel: channel, configuration: configuration, tlsContext: tlsContext, logger: serverLogger,
            server: server, connectionFailure: connectionFailure)
    }

    private static func tlsStart(_ configuration: SMTPConfiguration, _ context: NIOSSLContext) -> SMTPTLSStart {
        // SNI takes names only; for an IP address NIOSSL checks the certificate against the peer's IP.
        let isIPAddress = (try? SocketAddress(ipAddress: configuration.host, port: 0)) != nil
        return SMTPTLSStart(context: context, serverHostname: isIPAddress ? nil : configuration.host)
    }

    func deliver(payload: [UInt8], from: MailAddress, to recipients: [MailAddress]) async throws(MailDeliveryError) {
        let greeting = try await exchange(nil, shownAs: "the greeting")
        try expect(greeting, 2, after: "the greeting")

        var extensions = try await hello()
        var secure = configuration.implicitTLS
        if !secure, extensions.has("STARTTLS") {
            let reply = try await exchange("STARTTLS", startTLS: Self.tlsStart(configuration, tlsContext))
            try expect(reply, 2, after: "STARTTLS")
            secure = true
            extensions = try await hello()
        } else if !secure, configuration.requireTLS {
            throw .temporary("SMTP \(server) does not offer STARTTLS, and TLS is required")
        }

        if let credentials = configuration.credentials {
            if !secure, !isLoopback(channel.remoteAddress) {
                throw .temporary(
                    "SMTP \(server) does not offer STARTTLS: the password is not sent over a plaintext connection")
            }
            try await authenticate(credentials, mechanisms: extensions.authMechanisms)
        }

        if let limit = extensions.sizeLimit, payload.count > limit {
            // The message itself is too big for this server: sending it again will not help.
            throw .permanent("SMTP \(server) accepts messages of at most \(limit) bytes; this one has \(payload.count)")
        }
        let mailFrom = "MAIL FROM:<\(from.address)>" + (extensions.has("SIZE") ? " SIZE=\(payload.count)" : "")
        try expect(try await exchange(mailFrom), 2, after: "MAIL FROM")

        var refused: [(MailAddress, SMTPReply)] = []
        for recipient in recipients {
            let reply = try await exchange("RCPT TO:<\(recipient.address)>")
            if reply.kind != 2 { refused.append((recipient, reply)) }
        }
        if !refused.isEmpty {
            let list = refused.map { "<\($0.0.address)>: \($0.1)" }.joined(separator: "; ")
            let reason =
                "SMTP \(server) refused \(refused.count) of \(recipients.count) recipients, so the message was sent to none: \(list)"
            throw refused.contains { $0.1.kind == 5 } ? .permanent(reason) : .temporary(reason)
        }

        try expect(try await exchange("DATA"), 3, after: "DATA")
        var buffer = channel.allocator.buffer(capacity: payload.count)
        buffer.writeBytes(payload)
        // The server may scan the message before it answers: RFC 5321 gives it 10 minutes, and
        // timing out sooner would send again a message it accepted.
        let accepted = try await exchange(
            bytes: buffer, shownAs: "the end of the message data", timeout: .minutes(10))
        // A 5xx here is about this message (content, size): permanent.
        if accepted.kind != 2 {
            let reason = "SMTP \(server) answered the message data with \(accepted)"
            throw accepted.kind == 5 ? .permanent(reason) : .temporary(reason)
        }
        logger.debug("SMTP message accepted", metadata: ["smtp.reply": "\(accepted)"])
    }

    /// EHLO, or HELO for a server that answers EHLO with 5xx (RFC 5321 §3.2).
    private func hello() async throws(MailDeliveryError) -> SMTPExtensions {
        let reply = try await exchange("EHLO \(configuration.heloName)")
        if reply.kind == 2 { return SMTPExtensions(ehloReply: reply) }
        guard reply.kind == 5 else { throw failure(reply, after: "EHLO") }
        try expect(try await exchange("HELO \(configuration.heloName)"), 2, after: "HELO")
        return SMTPExtensions()
    }

    /// AUTH PLAIN (RFC 4616) when offered, else AUTH LOGIN (the older form some servers
    /// still insist on).
    private func authenticate(_ credentials: SMTPCredentials, mechanisms: Set<String>) async throws(MailDeliveryError) {
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        if mechanisms.contains("PLAIN") {
            let token = base64("\0\(credentials.username)\0\(credentials.password)")
            let reply = try await exchange("AUTH PLAIN \(token)", shownAs: "AUTH PLAIN")
            try expect(reply, 2, after: "AUTH PLAIN")
        } else if mechanisms.contains("LOGIN") {
            try expect(try await exchange("AUTH LOGIN"), 3, after: "AUTH LOGIN")
            try expect(
                try await exchange(base64(credentials.username), shownAs: "the AUTH LOGIN user name"), 3,
                after: "the AUTH LOGIN user name")
            try expect(
                try await exchange(base64(credentials.password), shownAs: "the AUTH LOGIN password"), 2,
                after: "AUTH LOGIN")
        } else if mechanisms.isEmpty {
            throw .temporary("SMTP \(server) does not offer AUTH, but credentials are configured")
        } else {
            let offered = mechanisms.sorted().joined(separator: " ")
            throw .temporary("SMTP \(server) offers AUTH \(offered); this client supports only PLAIN and LOGIN")
        }
    }

    /// QUIT, politely and without waiting long for the answer (the message is accepted: the
    /// sooner the outbox marks it sent, the smaller the window for a repeat), then close.
    func quit() async {
        if channel.isActive { _ = try? await exchange("QUIT", timeout: .seconds(2)) }
        try? await channel.close()
    }

    private func expect(_ reply: SMTPReply, _ kind: Int, after command: String) throws(MailDeliveryError) {
        if reply.kind != kind { throw failure(reply, after: command) }
    }

    /// A refusal of the session (greeting, EHLO, STARTTLS, AUTH, MAIL FROM, DATA): temporary,
    /// whatever its class, since it is not this message's fault (see the type's description).
    private func failure(_ reply: SMTPReply, after command: String) -> MailDeliveryError {
        .temporary("SMTP \(server) answered \(command) with \(reply)")
    }

    /// Sends one command line (CRLF added) and returns the reply. `shownAs` replaces the
    /// command in logs and errors, for those that carry secrets.
    private func exchange(
        _ command: String?, shownAs: String? = nil, startTLS: SMTPTLSStart? = nil, timeout: TimeAmount? = nil
    ) async throws(MailDeliveryError) -> SMTPReply {
        var bytes: ByteBuffer?
        if let command {
            logger.debug("SMTP >> \(shownAs ?? command)")
            bytes = channel.allocator.buffer(string: command + "\r\n")
        }
        return try await exchange(bytes: bytes, shownAs: shownAs ?? command ?? "", startTLS: startTLS, timeout: timeout)
    }

    private func exchange(bytes: ByteBuffer?, shownAs: String, startTLS: SMTPTLSStart? = nil, timeout: TimeAmount? = nil)
        async throws(MailDeliveryError) -> SMTPReply
    {
        let reply = channel.eventLoop.makePromise(of: SMTPReply.self)
        // If the write never reaches the handler (the channel is closed), nobody else would
        // complete the promise.
        channel.writeAndFlush(SMTPRequest(bytes: bytes, startTLS: startTLS, reply: reply, timeout: timeout)).whenFailure {
            reply.fail($0)
        }
        do {
            let result = try await reply.futureResult.get()
            logger.debug("SMTP << \(result)")
            return result
        } catch SMTPConnectionError.timedOut {
            throw .temporary("SMTP \(server): no reply to \(shownAs) within \(configuration.timeout)")
        } catch {
            let cause = await self.cause(of: error)
            throw .temporary(
                "SMTP \(server): connection failed waiting for the reply to \(shownAs): \(Self.describe(cause))")
        }
    }

    /// A write to a connection that already failed reports only that the channel is closed;
    /// the cause is the error that closed it.
    private func cause(of error: any Error) async -> any Error {
        guard error is ChannelError else { return error }
        do {
            try await connectionFailure.get()
        } catch let failure {
            return failure
        }
        return error
    }

    /// An error in a person's words: the system's text for socket errors, "TLS" before TLS
    /// failures (a certificate that does not verify shows up as the reply to the next command).
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            let failures = error.connectionErrors.map { describe($0.error) }
            if !failures.isEmpty { return Array(Set(failures)).sorted().joined(separator: "; ") }
            if let dns = error.dnsAError ?? error.dnsAAAAError { return "cannot resolve \(error.host): \(dns)" }
            return "no address found for \(error.host)"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode))
        case ChannelError.connectTimeout:
            return "connection timed out"
        case is NIOSSLError, is NIOSSLExtraError:
            return "TLS: \(error)"
        default:
            return "\(error)"
        }
    }

    private func isLoopback(_ address: SocketAddress?) -> Bool {
        guard let ip = address?.ipAddress else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
