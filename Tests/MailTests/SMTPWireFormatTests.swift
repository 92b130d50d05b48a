import Testing

@testable import Mail

@Suite("SMTP wire format")
struct SMTPWireFormatTests {
    @Test("replies: single and multi-line, cut anywhere between reads")
    func replies() throws {
        let stream = Array("220 mail.test ESMTP\r\n250-mail.test\r\n250-SIZE 1000\r\n250 STARTTLS\r\n354\n".utf8)
        let expected = [
            SMTPReply(code: 220, lines: ["mail.test ESMTP"]),
            SMTPReply(code: 250, lines: ["mail.test", "SIZE 1000", "STARTTLS"]),
            SMTPReply(code: 354, lines: [""]),
        ]
        for cut in 0...stream.count {
            var parser = SMTPReplyParser()
            var replies = try parser.feed(stream[..<cut])
            replies += try parser.feed(stream[cut...])
            #expect(replies == expected)
            #expect(parser.isIdle)
        }
        var parser = SMTPReplyParser()
        #expect(try parser.feed(Array("250-first\r\n".utf8)).isEmpty)
        #expect(!parser.isIdle)
    }

    @Test(
        "malformed replies are errors",
        arguments: ["hello\r\n", "25\r\n", "650 no\r\n", "250-a\r\n251 b\r\n", "250_x\r\n"])
    func malformed(_ text: String) {
        var parser = SMTPReplyParser()
        #expect(throws: SMTPConnectionError.self) { _ = try parser.feed(Array(text.utf8)) }
    }

    @Test("an endless line is an error")
    func endlessLine() {
        var parser = SMTPReplyParser()
        #expect(throws: SMTPConnectionError.self) {
            _ = try parser.feed(Array(repeating: UInt8(ascii: "2"), count: 5000))
        }
    }

    @Test("EHLO extensions")
    func extensions() {
        let reply = SMTPReply(
            code: 250,
            lines: [
                "mail.test greets you", "SIZE 35882577", "AUTH=LOGIN", "auth plain CRAM-MD5", "STARTTLS", "8BITMIME",
            ])
        let extensions = SMTPExtensions(ehloReply: reply)
        #expect(extensions.has("STARTTLS"))
        #expect(extensions.has("8BITMIME"))
        #expect(!extensions.has("PIPELINING"))
        #expect(extensions.authMechanisms == ["LOGIN", "PLAIN", "CRAM-MD5"])
        #expect(extensions.sizeLimit == 35_882_577)
        #expect(SMTPExtensions(ehloReply: SMTPReply(code: 250, lines: ["x", "SIZE 0"])).sizeLimit == nil)
    }

    @Test("DATA: dot-stuffing, CRLF everywhere, the final dot")
    func data() {
        func encode(_ text: String) -> String {
            String(decoding: SMTPDataEncoder.encode(Array(text.utf8)), as: UTF8.self)
        }
        #expect(encode("a\r\n.b\r\n..c\r\n.\r\nd.\r\n") == "a\r\n..b\r\n...c\r\n..\r\nd.\r\n.\r\n")
        #expect(encode(".first\nbare lf\rbare cr\r\n") == "..first\r\nbare lf\r\nbare cr\r\n.\r\n")
        #expect(encode("no final newline") == "no final newline\r\n.\r\n")
        #expect(encode("") == ".\r\n")
    }
}

@Suite("SMTP configuration")
struct SMTPConfigurationTests {
    @Test("URLs")
    func urls() throws {
        let plain = try SMTPConfiguration(url: "smtp://mail.example.com")
        #expect(plain.host == "mail.example.com" && plain.port == 25 && !plain.implicitTLS && plain.credentials == nil)
        let implicit = try SMTPConfiguration(url: "SMTPS://mail.example.com/")
        #expect(implicit.port == 465 && implicit.implicitTLS)
        let full = try SMTPConfiguration(
            url: "smtp://us%40er:p%3Ass@w@rd@relay.example.com:587", requireTLS: true, heloName: "me.example")
        #expect(full.credentials == SMTPCredentials(username: "us@er", password: "p:ss@w@rd"))
        #expect(
            full.host == "relay.example.com" && full.port == 587 && full.requireTLS && full.heloName == "me.example")
        let ipv6 = try SMTPConfiguration(url: "smtp://[::1]:2525")
        #expect(ipv6.host == "::1" && ipv6.port == 2525)
        #expect(!(try SMTPConfiguration(url: "smtp://h.example")).heloName.isEmpty)
    }

    @Test(
        "bad URLs say why, without the password",
        arguments: [
            ("http://mail.example.com", "unsupported scheme 'http'"),
            ("mail.example.com:25", "no scheme"),
            ("smtp://", "no host"),
            ("smtp://host.example:0", "port '0'"),
            ("smtp://host.example:99999", "port '99999'"),
            ("smtp://host.example:abc", "port 'abc'"),
            ("smtp://host.example/path", "path"),
            ("smtp://user@host.example", "user:password"),
            ("smtp://[::1", "unclosed"),
            ("smtp://bob:hunter2@host.example/x", "path"),
        ])
    func badURLs(_ url: String, _ reason: String) {
        do {
            _ = try SMTPConfiguration(url: url)
            Issue.record("\(url) was accepted")
        } catch {
            #expect(error.description.contains(reason), "\(error)")
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test("a trust root file that does not load is refused when the transport is made")
    func badTrustRoots() {
        #expect(throws: SMTPConfigurationError.self) {
            _ = try SMTPTransport(
                url: "smtp://127.0.0.1:25", certificateVerification: .trustRoots(pemFile: "/nonexistent/ca.pem"))
        }
    }
}
