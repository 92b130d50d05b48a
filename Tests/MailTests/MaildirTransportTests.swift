import Foundation
import Testing

@testable import Mail

#if canImport(Glibc)
    import Glibc
#endif

@Suite("MaildirTransport")
struct MaildirTransportTests {
    static func files(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    @Test("a message lands in new/, nothing stays in tmp/, the bytes are the message's")
    func delivers() async throws {
        let root = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let maildir = root + "/deep/inbox"  // created, parents too
        let message = try Samples.full()
        let from = try MailAddress(parsing: "bounces@dialogue.example")
        let recipients = [try MailAddress(parsing: "guest@example.com"), try MailAddress(parsing: "other@example.org")]
        try await MaildirTransport(directory: maildir).send(message, envelopeFrom: from, recipients: recipients)

        #expect(Self.files(maildir + "/tmp").isEmpty)
        #expect(Self.files(maildir + "/cur").isEmpty)
        let names = Self.files(maildir + "/new")
        try #require(names.count == 1)
        let name = names[0]
        #expect(name.contains("P\(getpid())Q"), "unique name with the pid: \(name)")
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(maildir)/new/\(name)")))
        let envelope = Array(
            "Return-Path: <bounces@dialogue.example>\r\nX-Envelope-To: guest@example.com, other@example.org\r\n".utf8)
        #expect(Array(bytes.prefix(envelope.count)) == envelope)
        #expect(
            Support.maskingBoundaries(Array(bytes.dropFirst(envelope.count)))
                == Support.maskingBoundaries(message.rendered()))
        var info = stat()
        #expect(stat("\(maildir)/new/\(name)", &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
    }

    @Test("exact bytes, and one file per message")
    func exactBytes() throws {
        let root = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bytes = Array("Subject: x\r\n\r\n.body\r\n".utf8)
        let first = try MaildirTransport.deliver(bytes, into: root)
        let second = try MaildirTransport.deliver(bytes, into: root)
        #expect(first != second)
        #expect(Self.files(root + "/new").count == 2)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: first))) == bytes)
        #expect(Self.files(root + "/tmp").isEmpty)
    }

    @Test("many concurrent deliveries, all distinct")
    func concurrent() async throws {
        let root = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let transport = MaildirTransport(directory: root)
        let message = try Samples.plain()
        let recipient = try MailAddress(parsing: "guest@example.com")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask { try await transport.send(message, envelopeFrom: message.from, recipients: [recipient]) }
            }
            try await group.waitForAll()
        }
        #expect(Self.files(root + "/new").count == 40)
        #expect(Self.files(root + "/tmp").isEmpty)
    }

    @Test("a path through a regular file is an error naming it, temporary (the operator fixes the folder)")
    func notADirectory() async throws {
        let root = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = FileManager.default.createFile(atPath: root + "/file", contents: Data("x".utf8))
        let message = try Samples.plain()
        await #expect {
            try await MaildirTransport(directory: root + "/file/maildir").send(
                message, envelopeFrom: message.from, recipients: message.to)
        } throws: { error in
            guard let error = error as? MailDeliveryError, case .temporary(let reason) = error else { return false }
            return reason.contains(root + "/file") && reason.contains("Not a directory")
        }
    }

    @Test("no recipients is refused")
    func noRecipients() async throws {
        let message = try Samples.plain()
        await #expect(throws: MailDeliveryError.permanent("no recipients in the envelope")) {
            try await MaildirTransport(directory: "/nonexistent").send(
                message, envelopeFrom: message.from, recipients: [])
        }
    }

    @Test("every error is temporary: none is about the message")
    func classification() {
        #expect(
            MaildirTransport.failure("write", "/m/tmp/x", ENOSPC)
                == .temporary("Maildir: cannot write /m/tmp/x: No space left on device"))
        for code in [EDQUOT, EIO, EMFILE, EACCES, EROFS, ENOTDIR] {
            #expect(MaildirTransport.failure("open", "/m", code).isTemporary, "errno \(code)")
        }
    }
}
