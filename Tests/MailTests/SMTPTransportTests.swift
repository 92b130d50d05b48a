import Foundation
import Testing

@testable import Mail

/// Against a real SMTP server: aiosmtpd, run by Tests/smtp/smtp_server.py.
@Suite("SMTPTransport against aiosmtpd", .enabled(if: Support.python3 != nil, "python3 is not installed"))
struct SMTPTransportTests {
    let from: MailAddress
    let guest: MailAddress

    init() throws {
        from = try MailAddress(parsing: "bounces@dialogue.example")
        guest = try MailAddress(parsing: "guest@example.com")
    }

    static func certificate() throws -> TestCertificate {
        try TestCertificate.shared.get()
    }

    static func transport(
        _ url: String, _ verification: SMTPCertificateVerification = .none, requireTLS: Bool = false,
        timeout: Duration = .seconds(10)
    ) throws -> SMTPTransport {
        try SMTPTransport(
            url: url, requireTLS: requireTLS, certificateVerification: verification, timeout: timeout,
            heloName: "client.test")
    }

    /// What the server received is what was rendered, byte for byte (boundaries aside), and
    /// reads back the same in Python.
    func expectReceivedAsRendered(_ message: MailMessage, _ server: TestSMTPServer) async throws {
        let received = try server.messages()
        try #require(received.count == 1)
        #expect(Support.maskingBoundaries(received[0]) == Support.maskingBoundaries(message.rendered()))
        let parsed = try await ParsedMessage.parse(received[0])
        #expect(parsed.defects.isEmpty)
        #expect(parsed.subject == message.subject)
        #expect(parsed.text == expectedText(message.textBody))
        #expect(parsed.attachments.map(\.bytes) == message.attachments.map(\.data))
    }

    @Test("plain delivery: envelope, HELO name, SIZE, and the message as rendered")
    func plain() async throws {
        let message = try Samples.full()
        let other = try MailAddress(parsing: "other@example.org")
        try await TestSMTPServer.with([]) { server async throws in
            try await Self.transport("smtp://127.0.0.1:\(server.port)").send(
                message, envelopeFrom: from, recipients: [guest, other])
            let envelope = try #require(try server.envelopes().first)
            #expect(envelope["mail_from"] as? String == "bounces@dialogue.example")
            #expect(envelope["rcpt_tos"] as? [String] == ["guest@example.com", "other@example.org"])
            #expect(envelope["helo"] as? String == "client.test")
            #expect(envelope["tls"] as? Bool == false)
            #expect((envelope["mail_options"] as? [String])?.first?.hasPrefix("SIZE=") == true)
            try await expectReceivedAsRendered(message, server)
        }
    }

    @Test("a body line starting with '.' arrives intact (dot-stuffing)")
    func dotStuffing() async throws {
        let text = ".\n.hidden\n..two\n. space\nend.\n."
        let message = try Samples.plain(subject: "dots", text: text)
        try await TestSMTPServer.with([]) { server async throws in
            try await Self.transport("smtp://127.0.0.1:\(server.port)").send(
                message, envelopeFrom: from, recipients: [guest])
            try await expectReceivedAsRendered(message, server)
            let raw = String(decoding: try server.messages()[0], as: UTF8.self)
            #expect(raw.contains("\r\n.\r\n.hidden\r\n..two\r\n. space\r\nend.\r\n.\r\n"))
        }
    }

    @Test("STARTTLS, with the certificate checked, then AUTH PLAIN")
    func startTLSAndPlain() async throws {
        let certificate = try Self.certificate()
        let options = ["--starttls", certificate.certificatePath, certificate.keyPath, "--auth", "bob:s3cret pass"]
        let message = try Samples.full()
        try await TestSMTPServer.with(options) { server async throws in
            let transport = try Self.transport(
                "smtp://bob:s3cret%20pass@localhost:\(server.port)", .trustRoots(pemFile: certificate.certificatePath),
                requireTLS: true)
            try await transport.send(message, envelopeFrom: from, recipients: [guest])
            let envelope = try #require(try server.envelopes().first)
            #expect(envelope["tls"] as? Bool == true)
            #expect(envelope["authenticated"] as? Bool == true)
            #expect(envelope["auth_user"] as? String == "bob")
            try await expectReceivedAsRendered(message, server)
        }
    }

    @Test("AUTH LOGIN when it is the only mechanism offered")
    func authLogin() async throws {
        let message = try Samples.plain()
        try await TestSMTPServer.with(["--auth", "alice:pw", "--auth-mechanisms", "LOGIN"]) { server async throws in
            // No TLS here: credentials in plaintext are allowed only because 127.0.0.1 is loopback.
            try await Self.transport("smtp://alice:pw@127.0.0.1:\(server.port)").send(
                message, envelopeFrom: from, recipients: [guest])
            #expect(try server.envelopes().first?["auth_user"] as? String == "alice")
        }
    }

    @Test("implicit TLS (smtps://)")
    func implicitTLS() async throws {
        let certificate = try Self.certificate()
        let message = try Samples.plain()
        try await TestSMTPServer.with(["--implicit-tls", certificate.certificatePath, certificate.keyPath]) {
            server async throws in
            let transport = try Self.transport(
                "smtps://127.0.0.1:\(server.port)", .trustRoots(pemFile: certificate.certificatePath))
            try await transport.send(message, envelopeFrom: from, recipients: [guest])
            #expect(try server.envelopes().first?["tls"] as? Bool == true)
        }
    }

    @Test("a certificate nobody vouches for fails the handshake: temporary, nothing sent")
    func untrustedCertificate() async throws {
        let certificate = try Self.certificate()
        let message = try Samples.plain()
        try await TestSMTPServer.with(["--starttls", certificate.certificatePath, certificate.keyPath]) {
            server async throws in
            let error = await #expect(throws: MailDeliveryError.self) {
                try await Self.transport("smtp://localhost:\(server.port)", .system).send(
                    message, envelopeFrom: from, recipients: [guest])
            }
            #expect(error?.isTemporary == true)
            #expect(error?.reason.contains("TLS: handshakeFailed") == true, "\(String(describing: error))")
            #expect(error?.reason.contains("CERTIFICATE_VERIFY_FAILED") == true, "\(String(describing: error))")
            #expect(try server.messages().isEmpty)
        }
    }

    @Test("wrong password: temporary (the operator fixes it; the queue is not failed for good), with the server's reply")
    func wrongPassword() async throws {
        let message = try Samples.plain()
        try await TestSMTPServer.with(["--auth", "bob:right"]) { server async throws in
            let error = await #expect(throws: MailDeliveryError.self) {
                try await Self.transport("smtp://bob:wrong@127.0.0.1:\(server.port)").send(
                    message, envelopeFrom: from, recipients: [guest])
            }
            #expect(error?.isTemporary == true)
            #expect(error?.reason.contains("AUTH PLAIN with 535") == true, "\(String(describing: error))")
            #expect(error?.reason.contains("wrong") == false, "the password must not appear in errors")
        }
    }

    @Test("a refused recipient: permanent, naming it, and nobody gets the message")
    func refusedRecipient() async throws {
        let message = try Samples.plain()
        let unknown = try MailAddress(parsing: "nobody@example.com")
        try await TestSMTPServer.with(["--reject-rcpt", "nobody@example.com"]) { server async throws in
            let transport = try Self.transport("smtp://127.0.0.1:\(server.port)")
            let error = await #expect(throws: MailDeliveryError.self) {
                try await transport.send(message, envelopeFrom: from, recipients: [guest, unknown])
            }
            #expect(error?.isTemporary == false)
            #expect(error?.reason.contains("<nobody@example.com>: 550 5.1.1") == true, "\(String(describing: error))")
            #expect(error?.reason.contains("guest@example.com") == false)
            #expect(try server.messages().isEmpty)
            // Alone too.
            await #expect(throws: MailDeliveryError.self) {
                try await transport.send(message, envelopeFrom: from, recipients: [unknown])
            }
            // The connection-per-message transport is fine for the next one.
            try await transport.send(message, envelopeFrom: from, recipients: [guest])
            #expect(try server.messages().count == 1)
        }
    }

    @Test("451 on MAIL FROM: temporary with the reply; the retry goes through")
    func temporaryFailure() async throws {
        let message = try Samples.plain()
        try await TestSMTPServer.with(["--tempfail-first", "1"]) { server async throws in
            let transport = try Self.transport("smtp://127.0.0.1:\(server.port)")
            let error = await #expect(throws: MailDeliveryError.self) {
                try await transport.send(message, envelopeFrom: from, recipients: [guest])
            }
            #expect(error?.isTemporary == true)
            #expect(error?.reason.contains("MAIL FROM with 451 4.3.0") == true, "\(String(describing: error))")
            try await transport.send(message, envelopeFrom: from, recipients: [guest])
            #expect(try server.messages().count == 1)
        }
    }

    @Test("TLS required but STARTTLS not offered: temporary, nothing sent")
    func tlsRequired() async throws {
        let message = try Samples.plain()
        try await TestSMTPServer.with([]) { server async throws in
            let error = await #expect(throws: MailDeliveryError.self) {
                try await Self.transport("smtp://127.0.0.1:\(server.port)", requireTLS: true).send(
                    message, envelopeFrom: from, recipients: [guest])
            }
            #expect(error == .temporary("SMTP 127.0.0.1:\(server.port) does not offer STARTTLS, and TLS is required"))
            #expect(try server.messages().isEmpty)
        }
    }

    @Test("a server that never answers: temporary after the timeout")
    func silentServer() async throws {
        let message = try Samples.plain()
        try await TestSMTPServer.with(["--stall"]) { server async throws in
            let start = ContinuousClock.now
            let error = await #expect(throws: MailDeliveryError.self) {
                try await Self.transport("smtp://127.0.0.1:\(server.port)", timeout: .seconds(1)).send(
                    message, envelopeFrom: from, recipients: [guest])
            }
            #expect(error?.isTemporary == true)
            #expect(error?.reason.contains("no reply to the greeting within 1") == true, "\(String(describing: error))")
            #expect(ContinuousClock.now - start < .seconds(30))  // the stall never answers: only the timeout ends it
        }
    }

    @Test("nothing listening: temporary")
    func serverDown() async throws {
        // A port that was free a moment ago: bound, then closed.
        let port = try await freePort()
        let message = try Samples.plain()
        let error = await #expect(throws: MailDeliveryError.self) {
            try await Self.transport("smtp://127.0.0.1:\(port)").send(message, envelopeFrom: from, recipients: [guest])
        }
        #expect(error?.isTemporary == true)
        #expect(
            error?.reason == "SMTP: cannot connect to 127.0.0.1:\(port): Connection refused",
            "\(String(describing: error))")
    }

    func freePort() async throws -> Int {
        let python3 = try #require(Support.python3)
        let run = try await Support.run(
            python3, ["-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"])
        return try #require(
            Int(String(decoding: run.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}
