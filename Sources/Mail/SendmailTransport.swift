import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Hands each message to a sendmail-compatible program (Postfix's or Exim's `sendmail`,
/// msmtp, nullmailer…), for hosts where the local mail system already knows how to relay.
///
/// Runs `PATH [extraArguments] -i -f ENVELOPE_FROM -- RECIPIENT...` directly, with no shell
/// (an address can never become a shell word), writes the rendered message on its standard
/// input and waits for it, at most `timeout` (then the program and everything it started are
/// killed). `-i` stops a line holding a single "." from ending the message early; `--` stops a
/// recipient from being read as an option.
///
/// The exit status is read as sysexits.h defines it; see `classify(exitStatus:)`. But when
/// the program quotes a 4xx reply of the SMTP server it talked to, the failure is temporary
/// whatever the status: msmtp, for one, exits with 69 (EX_UNAVAILABLE) for a 451 to MAIL FROM
/// and with 65 (EX_DATAERR) for any refused recipient, greylisting's 450 included. The error
/// carries the first 500 bytes of what the program printed.
package struct SendmailTransport: MailTransport {
    package let path: String
    /// Before the standard ones, e.g. `["-C", "/etc/msmtprc"]` for msmtp.
    package let extraArguments: [String]
    package let timeout: Duration

    package init(path: String = "/usr/sbin/sendmail", extraArguments: [String] = [], timeout: Duration = .seconds(60)) {
        self.path = path
        self.extraArguments = extraArguments
        self.timeout = timeout
    }

    package func arguments(envelopeFrom: MailAddress, recipients: [MailAddress]) -> [String] {
        extraArguments + ["-i", "-f", envelopeFrom.address, "--"] + recipients.map(\.address)
    }

    package func send(rendered: [UInt8], envelopeFrom: MailAddress, recipients: [MailAddress])
        async throws(MailDeliveryError)
    {
        try Self.checkRecipients(recipients)
        let (path, timeout, input) = (self.path, self.timeout, rendered)
        let arguments = self.arguments(envelopeFrom: envelopeFrom, recipients: recipients)
        // Waiting for the program blocks: on a thread of its own, not a Swift concurrency thread.
        let result = await BlockingWork.run(name: "sendmail") {
            () -> Result<ChildProcess.Outcome, ChildProcess.LaunchError> in
            do throws(ChildProcess.LaunchError) {
                return .success(try ChildProcess.run(path: path, arguments: arguments, input: input, timeout: timeout))
            } catch {
                return .failure(error)
            }
        }
        let outcome: ChildProcess.Outcome
        switch result {
        case .success(let value): outcome = value
        case .failure(let error):
            let reason =
                "cannot \(error.operation) the sendmail program \(path): \(String(cString: strerror(error.code)))"
            // A program that is missing or cannot run is the configuration's fault: fixed by the
            // operator, after which the queued mails must still go (temporary, with back-off).
            throw .temporary(reason)
        }
        let printed = String(decoding: outcome.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let said = printed.isEmpty ? "" : ": \(printed)"
        switch outcome.termination {
        case .exited(0):
            return
        case .exited(let status):
            let (isTemporary, meaning) = Self.classify(exitStatus: status)
            let reason = "the sendmail program \(path) exited with status \(status) (\(meaning))\(said)"
            throw isTemporary || Self.quotesTemporaryReply(printed) ? .temporary(reason) : .permanent(reason)
        case .signalled(let signal):
            throw .temporary("the sendmail program \(path) was killed by signal \(signal)\(said)")
        case .timedOut:
            throw .temporary("the sendmail program \(path) did not finish within \(timeout) and was killed\(said)")
        case .unknown(let code):
            throw .temporary(
                "the exit status of the sendmail program \(path) is unknown (\(String(cString: strerror(code))))\(said)"
            )
        }
    }

    /// Whether the output quotes an SMTP 4xx reply: three digits starting with 4 and followed by
    /// a space or hyphen, at the start of a line or after ": " (msmtp writes
    /// "msmtp: server message: 451 4.3.0 …").
    static func quotesTemporaryReply(_ output: String) -> Bool {
        for line in output.split(whereSeparator: \.isNewline) {
            var candidates = [Substring(line)]
            candidates += line.components(separatedBy: ": ").dropFirst().map { Substring($0) }
            for text in candidates {
                let bytes = Array(text.utf8.prefix(4))
                if bytes.count == 4, bytes[0] == UInt8(ascii: "4"),
                    bytes[1...2].allSatisfy({ (0x30...0x39).contains($0) }),
                    bytes[3] == 0x20 || bytes[3] == 0x2D
                {
                    return true
                }
            }
        }
        return false
    }

    /// sysexits.h, as sendmail-compatible programs use it. Permanent only when this message
    /// or its addressee is at fault (sending it again will fail the same way); a failure of the
    /// configuration, the network or the host is temporary: the operator fixes it and the
    /// queued mails still go, with back-off, rather than every mail failing for good at once.
    ///
    /// | status | name           | kind      | why                                              |
    /// |--------|----------------|-----------|--------------------------------------------------|
    /// | 64     | EX_USAGE       | temporary | the command line is wrong: configuration         |
    /// | 65     | EX_DATAERR     | permanent | the message or an address is malformed (msmtp:   |
    /// |        |                |           | a refused recipient)                             |
    /// | 66     | EX_NOINPUT     | temporary | an input file is missing: configuration          |
    /// | 67     | EX_NOUSER      | permanent | addressee unknown                                |
    /// | 68     | EX_NOHOST      | temporary | host name unknown (also a resolver that failed)  |
    /// | 69     | EX_UNAVAILABLE | temporary | service unavailable (msmtp: the relay refused    |
    /// |        |                |           | the session, e.g. a 4xx/5xx to MAIL FROM)        |
    /// | 70     | EX_SOFTWARE    | temporary | internal software error                          |
    /// | 71     | EX_OSERR       | temporary | system error (fork failed, out of memory)        |
    /// | 72     | EX_OSFILE      | temporary | a system file is missing: configuration          |
    /// | 73     | EX_CANTCREAT   | temporary | cannot create an output file (queue, disk)       |
    /// | 74     | EX_IOERR       | temporary | I/O error; msmtp's code for network errors       |
    /// | 75     | EX_TEMPFAIL    | temporary | temporary failure, the program says retry        |
    /// | 76     | EX_PROTOCOL    | temporary | remote protocol error, may be passing            |
    /// | 77     | EX_NOPERM      | temporary | permission denied: configuration                 |
    /// | 78     | EX_CONFIG      | temporary | configuration error                              |
    /// | other  |                | temporary | no known meaning: retrying is the safe side, and |
    /// |        |                |           | the caller's retry limit bounds it               |
    static func classify(exitStatus status: Int32) -> (isTemporary: Bool, meaning: String) {
        switch status {
        case 64: (true, "EX_USAGE: command line usage error")
        case 65: (false, "EX_DATAERR: data format error")
        case 66: (true, "EX_NOINPUT: cannot open input")
        case 67: (false, "EX_NOUSER: addressee unknown")
        case 68: (true, "EX_NOHOST: host name unknown")
        case 69: (true, "EX_UNAVAILABLE: service unavailable")
        case 70: (true, "EX_SOFTWARE: internal software error")
        case 71: (true, "EX_OSERR: system error")
        case 72: (true, "EX_OSFILE: critical OS file missing")
        case 73: (true, "EX_CANTCREAT: cannot create output file")
        case 74: (true, "EX_IOERR: input/output error")
        case 75: (true, "EX_TEMPFAIL: temporary failure")
        case 76: (true, "EX_PROTOCOL: remote error in protocol")
        case 77: (true, "EX_NOPERM: permission denied")
        case 78: (true, "EX_CONFIG: configuration error")
        default: (true, "no sysexits.h meaning")
        }
    }
}
