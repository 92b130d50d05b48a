import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Delivers into a Maildir (https://cr.yp.to/proto/maildir.html): the embedded default, with no
/// mail server to run. Readable by Dovecot, mutt, or `cat`.
///
/// One file per message (not one per recipient), written the Maildir way so that a reader
/// never sees half a message and a crash never loses an accepted one: the file is written in
/// `tmp/` under a unique name, `fsync`ed, renamed into `new/`, and `new/` is `fsync`ed so that
/// the rename itself is on disk before `send` returns.
///
/// The file is the rendered message with CRLF line endings as it would go over SMTP, after
/// two envelope fields: `Return-Path: <envelopeFrom>` and `X-Envelope-To:` with the recipients
/// (the To header need not match the envelope).
///
/// Errors are all `.temporary`: none is about the message or its addressee. Disk full, quota
/// or I/O errors pass; permission denied, a read-only file system or a bad path are the
/// configuration's, fixed by the operator, after which the queued mails must still go. The
/// reason names the operation, the path and the system's error text.
package struct MaildirTransport: MailTransport {
    package let directory: String

    package init(directory: String) {
        self.directory = directory
    }

    package func send(rendered: [UInt8], envelopeFrom: MailAddress, recipients: [MailAddress])
        async throws(MailDeliveryError)
    {
        try Self.checkRecipients(recipients)
        let bytes = Self.envelopeHeaders(from: envelopeFrom, recipients: recipients) + rendered
        let directory = self.directory
        // open/write/fsync/rename block: on a thread of their own, not a Swift concurrency thread.
        let result = await BlockingWork.run(name: "maildir") { () -> Result<String, MailDeliveryError> in
            do throws(MailDeliveryError) {
                return .success(try Self.deliver(bytes, into: directory))
            } catch {
                return .failure(error)
            }
        }
        _ = try result.get()
    }

    static func envelopeHeaders(from: MailAddress, recipients: [MailAddress]) -> [UInt8] {
        var tokens = recipients.map(\.address)
        for index in tokens.indices.dropLast() { tokens[index] += "," }
        let fields = ["Return-Path: <\(from.address)>", HeaderWriter.field("X-Envelope-To", tokens: tokens)]
        return Array((fields.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// Writes one message file; returns its path in `new/`. Blocking.
    static func deliver(_ bytes: [UInt8], into directory: String) throws(MailDeliveryError) -> String {
        for sub in ["", "/tmp", "/new", "/cur"] { try makeDirectory(directory + sub) }
        var attempt = 0
        while true {
            let name = UniqueName.next()
            let temporaryPath = "\(directory)/tmp/\(name)"
            let finalPath = "\(directory)/new/\(name)"
            let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd < 0 {
                let code = errno
                attempt += 1
                // Another writer had the same name (clock, pid and random part alike): take another.
                if code == EEXIST, attempt < 5 { continue }
                throw failure("create", temporaryPath, code)
            }
            var writeFailure: MailDeliveryError?
            do throws(MailDeliveryError) {
                try writeAll(fd, bytes, path: temporaryPath)
                if fsync(fd) != 0 { throw failure("fsync", temporaryPath, errno) }
            } catch {
                writeFailure = error
            }
            // Closed exactly once, whatever happened: a second close could hit another file.
            if close(fd) != 0, writeFailure == nil { writeFailure = failure("close", temporaryPath, errno) }
            if let writeFailure {
                unlink(temporaryPath)
                throw writeFailure
            }
            if rename(temporaryPath, finalPath) != 0 {
                let code = errno
                unlink(temporaryPath)
                throw failure("rename into", finalPath, code)
            }
            try syncDirectory("\(directory)/new")
            return finalPath
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(MailDeliveryError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress.map { $0 + offset }, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw failure("write", path, errno)
            }
            offset += written
        }
    }

    private static func syncDirectory(_ path: String) throws(MailDeliveryError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw failure("open", path, errno) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw failure("fsync", path, errno) }
    }

    /// `mkdir -p`, mode 0700 (mail is private).
    private static func makeDirectory(_ path: String) throws(MailDeliveryError) {
        if mkdir(path, 0o700) == 0 { return }
        let code = errno
        switch code {
        case EEXIST:
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return }
            throw failure("create directory", path, ENOTDIR)
        case ENOENT:
            let parent = (path as NSString).deletingLastPathComponent
            guard !parent.isEmpty, parent != path else { throw failure("create directory", path, code) }
            try makeDirectory(parent)
            if mkdir(path, 0o700) != 0, errno != EEXIST { throw failure("create directory", path, errno) }
        default:
            throw failure("create directory", path, code)
        }
    }

    /// Which errors retrying cannot fix (see the type's comment).
    static func failure(_ operation: String, _ path: String, _ code: Int32) -> MailDeliveryError {
        .temporary("Maildir: cannot \(operation) \(path): \(String(cString: strerror(code)))")
    }
}

/// Maildir file names, `<seconds>.M<microseconds>P<pid>Q<counter>R<random>.<host>` as the
/// Maildir specification suggests: unique across processes and hosts sharing the directory.
enum UniqueName {
    private static let counter = LockedCounter()

    static func next() -> String {
        var now = timeval()
        gettimeofday(&now, nil)
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return "\(now.tv_sec).M\(now.tv_usec)P\(getpid())Q\(counter.next())R\(random).\(host)"
    }

    /// The host name with "/" and ":" escaped, as the specification asks.
    private static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        let name =
            gethostname(&buffer, buffer.count - 1) == 0
            ? String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : "localhost"
        return name.replacingOccurrences(of: "/", with: "\\057").replacingOccurrences(of: ":", with: "\\072")
    }()
}

/// A process-wide counter for unique names.
final class LockedCounter: @unchecked Sendable {
    // @unchecked: `value` is only touched with `lock` held.
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
