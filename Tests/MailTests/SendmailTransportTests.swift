import Foundation
import Testing

@testable import Mail

@Suite("SendmailTransport")
struct SendmailTransportTests {
    let from: MailAddress
    let guest: MailAddress

    init() throws {
        from = try MailAddress(parsing: "bounces@dialogue.example")
        guest = try MailAddress(parsing: "guest@example.com")
    }

    /// A fake sendmail in a fresh directory: saves its arguments and standard input beside
    /// itself, says something on stderr, and exits with `status`. Run as `/bin/sh SCRIPT …`:
    /// executing a file just written races with the other tests' child processes, which may
    /// still hold it open for writing for a moment (ETXTBSY).
    struct FakeSendmail {
        let directory: String
        let script: String

        init(status: Int32, body: String? = nil) throws {
            directory = try Support.temporaryDirectory()
            script = directory + "/sendmail"
            let text =
                body ?? """
                    dir=$(dirname "$0")
                    printf '%s\\n' "$@" > "$dir/args"
                    cat > "$dir/stdin"
                    echo "fake sendmail: exiting with \(status)" >&2
                    exit \(status)
                    """
            try text.write(toFile: script, atomically: true, encoding: .utf8)
        }

        func transport(extraArguments: [String] = [], timeout: Duration = .seconds(60)) -> SendmailTransport {
            SendmailTransport(path: "/bin/sh", extraArguments: [script] + extraArguments, timeout: timeout)
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    @Test("runs PATH -i -f FROM -- RCPT… without a shell, the message on stdin")
    func success() async throws {
        let fake = try FakeSendmail(status: 0)
        defer { fake.remove() }
        let message = try Samples.full()
        // An address that a shell would expand: it must arrive as it is.
        let odd = try MailAddress(parsing: "`id`$HOME@example.com")
        try await fake.transport(extraArguments: ["-C", "conf"]).send(
            message, envelopeFrom: from, recipients: [guest, odd])
        let arguments = try String(contentsOfFile: fake.directory + "/args", encoding: .utf8)
        #expect(
            arguments == "-C\nconf\n-i\n-f\nbounces@dialogue.example\n--\nguest@example.com\n`id`$HOME@example.com\n")
        let input = Array(try Data(contentsOf: URL(fileURLWithPath: fake.directory + "/stdin")))
        #expect(Support.maskingBoundaries(input) == Support.maskingBoundaries(message.rendered()))
    }

    @Test("exit 75 (EX_TEMPFAIL): temporary, with what the program said")
    func tempfail() async throws {
        let fake = try FakeSendmail(status: 75)
        defer { fake.remove() }
        let message = try Samples.plain()
        await #expect(
            throws: MailDeliveryError.temporary(
                "the sendmail program /bin/sh exited with status 75 (EX_TEMPFAIL: temporary failure): fake sendmail: exiting with 75"
            )
        ) {
            try await fake.transport().send(message, envelopeFrom: from, recipients: [guest])
        }
    }

    @Test("exit 67 (EX_NOUSER): permanent")
    func nouser() async throws {
        let fake = try FakeSendmail(status: 67)
        defer { fake.remove() }
        let message = try Samples.plain()
        let error = await #expect(throws: MailDeliveryError.self) {
            try await fake.transport().send(message, envelopeFrom: from, recipients: [guest])
        }
        #expect(error?.isTemporary == false)
        #expect(error?.reason.contains("EX_NOUSER") == true)
        #expect(error?.reason.contains("fake sendmail: exiting with 67") == true)
    }

    @Test("only the first 500 bytes of the output are kept")
    func longOutput() async throws {
        let body = "cat >/dev/null\nhead -c 100000 /dev/zero | tr '\\0' 'x' >&2\nexit 1\n"
        let fake = try FakeSendmail(status: 1, body: body)
        defer { fake.remove() }
        let message = try Samples.plain()
        let error = await #expect(throws: MailDeliveryError.self) {
            try await fake.transport().send(message, envelopeFrom: from, recipients: [guest])
        }
        #expect(error?.isTemporary == true)
        #expect(error?.reason.hasSuffix(": " + String(repeating: "x", count: 500)) == true)
    }

    @Test("a program that exits without reading a large message: its status, no SIGPIPE")
    func exitsWithoutReading() async throws {
        let fake = try FakeSendmail(status: 78, body: "echo 'bad config' >&2\nexit 78\n")
        defer { fake.remove() }
        let big = try MailMessage(
            from: from, to: [guest], subject: "big", messageID: "<big@dialogue.example>", date: Samples.date,
            textBody: "x",
            attachments: [
                MailAttachment(
                    filename: "big.bin", contentType: "application/octet-stream",
                    data: Array(repeating: 7, count: 4_000_000))
            ])
        await #expect(
            throws: MailDeliveryError.temporary(
                "the sendmail program /bin/sh exited with status 78 (EX_CONFIG: configuration error): bad config")
        ) {
            try await fake.transport().send(big, envelopeFrom: from, recipients: [guest])
        }
    }

    @Test("a program that hangs is killed at the deadline, with what it started: temporary")
    func timeout() async throws {
        // The shell starts sleep and says where: killing only the shell would leave sleep running.
        let script = "echo 'waiting' >&2\nsleep 300 &\necho $! > \"$(dirname \"$0\")/sleep.pid\"\nwait\n"
        let fake = try FakeSendmail(status: 0, body: script)
        defer { fake.remove() }
        let message = try Samples.plain()
        let start = ContinuousClock.now
        let error = await #expect(throws: MailDeliveryError.self) {
            try await fake.transport(timeout: .milliseconds(700)).send(message, envelopeFrom: from, recipients: [guest])
        }
        // Far below the program's 300 s, with room for a machine loaded by the parallel suite
        // (16 s was seen there once).
        #expect(ContinuousClock.now - start < .seconds(60))
        #expect(error?.isTemporary == true)
        #expect(
            error?.reason.contains("did not finish within 0.7 seconds and was killed: waiting") == true,
            "\(String(describing: error))")
        let pidText = try String(contentsOfFile: fake.directory + "/sleep.pid", encoding: .utf8)
        let sleepPID = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await Self.ends(sleepPID), "sleep \(sleepPID), started by the program, is still running")
    }

    /// Whether the process is gone (or a zombie nobody reaped yet) within two seconds.
    static func ends(_ pid: Int32) async -> Bool {
        for _ in 0..<40 {
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            // The state follows the command name in parentheses: "1234 (sleep) S …".
            let state = stat.split(separator: ")").last?.split(separator: " ").first
            if stat.isEmpty || state == "Z" { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test("killed by a signal: temporary")
    func signalled() async throws {
        let fake = try FakeSendmail(status: 0, body: "cat >/dev/null\nkill -9 $$\n")
        defer { fake.remove() }
        let message = try Samples.plain()
        await #expect(throws: MailDeliveryError.temporary("the sendmail program /bin/sh was killed by signal 9")) {
            try await fake.transport().send(message, envelopeFrom: from, recipients: [guest])
        }
    }

    @Test("a missing program: temporary (the operator installs it; the queue is not failed for good)")
    func missingProgram() async throws {
        let message = try Samples.plain()
        await #expect(
            throws: MailDeliveryError.temporary(
                "cannot start the sendmail program /nonexistent/sendmail: No such file or directory")
        ) {
            try await SendmailTransport(path: "/nonexistent/sendmail").send(
                message, envelopeFrom: from, recipients: [guest])
        }
    }

    @Test("sysexits.h table")
    func table() {
        #expect(SendmailTransport.classify(exitStatus: 75).isTemporary)
        #expect(SendmailTransport.classify(exitStatus: 74).isTemporary)
        #expect(SendmailTransport.classify(exitStatus: 1).isTemporary)
        // Only what is about the message or its addressee is permanent.
        for status: Int32 in [65, 67] {
            #expect(!SendmailTransport.classify(exitStatus: status).isTemporary, "\(status)")
        }
        for status: Int32 in [64, 66, 68, 69, 72, 77, 78] {
            #expect(SendmailTransport.classify(exitStatus: status).isTemporary, "\(status)")
        }
    }

    @Test("a quoted 4xx server reply makes a failure temporary")
    func quotedReplies() {
        #expect(SendmailTransport.quotesTemporaryReply("msmtp: server message: 451 4.3.0 Try again later"))
        #expect(SendmailTransport.quotesTemporaryReply("first line\n450-greylisted, come back later"))
        #expect(!SendmailTransport.quotesTemporaryReply("msmtp: server message: 550 5.1.1 unknown user"))
        #expect(!SendmailTransport.quotesTemporaryReply("gave up after 450 ms"))
        #expect(!SendmailTransport.quotesTemporaryReply(""))
    }
}

/// Debian's msmtp, a real sendmail-compatible program, relaying to the aiosmtpd test server.
@Suite(
    "SendmailTransport with msmtp",
    .enabled(if: Support.msmtp != nil, "msmtp is not installed (apt-get install msmtp)"),
    .enabled(if: Support.python3 != nil, "python3 is not installed"))
struct MsmtpTests {
    let from: MailAddress
    let guest: MailAddress

    init() throws {
        from = try MailAddress(parsing: "bounces@dialogue.example")
        guest = try MailAddress(parsing: "guest@example.com")
    }

    /// An msmtprc for the test server (msmtp insists on mode 0600).
    static func transport(port: Int, directory: String) throws -> SendmailTransport {
        let configuration = directory + "/msmtprc"
        try """
        account default
        host 127.0.0.1
        port \(port)
        auth off
        tls off
        domain client.test

        """.write(toFile: configuration, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: configuration)
        return SendmailTransport(
            path: Support.msmtp ?? "msmtp", extraArguments: ["-C", configuration], timeout: .seconds(20))
    }

    @Test("delivers the message as rendered")
    func delivers() async throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let message = try Samples.full()
        try await TestSMTPServer.with([]) { server async throws in
            try await Self.transport(port: server.port, directory: directory).send(
                message, envelopeFrom: from, recipients: [guest])
            let received = try server.messages()
            try #require(received.count == 1)
            #expect(Support.maskingBoundaries(received[0]) == Support.maskingBoundaries(message.rendered()))
            let envelope = try #require(try server.envelopes().first)
            #expect(envelope["mail_from"] as? String == "bounces@dialogue.example")
            #expect(envelope["rcpt_tos"] as? [String] == ["guest@example.com"])
        }
    }

    @Test("a refused recipient is permanent, a 451 temporary, with msmtp's words")
    func failures() async throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let message = try Samples.plain()
        let unknown = try MailAddress(parsing: "nobody@example.com")
        try await TestSMTPServer.with(["--reject-rcpt", "nobody@example.com", "--tempfail-first", "1"]) {
            server async throws in
            let transport = try Self.transport(port: server.port, directory: directory)
            let temporary = await #expect(throws: MailDeliveryError.self) {
                try await transport.send(message, envelopeFrom: from, recipients: [guest])
            }
            #expect(temporary?.isTemporary == true, "\(String(describing: temporary))")
            #expect(temporary?.reason.contains("451") == true, "\(String(describing: temporary))")
            let permanent = await #expect(throws: MailDeliveryError.self) {
                try await transport.send(message, envelopeFrom: from, recipients: [unknown])
            }
            #expect(permanent?.isTemporary == false, "\(String(describing: permanent))")
            #expect(permanent?.reason.contains("nobody@example.com") == true, "\(String(describing: permanent))")
            #expect(try server.messages().isEmpty)
        }
    }
}
