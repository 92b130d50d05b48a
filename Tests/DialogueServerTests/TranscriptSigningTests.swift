import Crypto
import Dialogue
import Foundation
import GRDB
import Logging
import Store
import Testing
import Transcripts

@testable import DialogueServer

/// The key file's rules and when the server signs (docs/transcripts.md, "Keys" and
/// "Signed heads"), on real files and a temporary SQLite store.
@Suite struct TranscriptSigningTests {
    /// A fresh folder under the system's temporary one.
    static func folder() throws -> String {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("signing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue & 0o777
    }

    @Test func aNewKeyIsPrivateAndReloads() throws {
        let path = (try Self.folder() as NSString).appendingPathComponent("keys/signing-key.ed25519")
        let key = try SigningKey.loadOrCreate(path: path)
        #expect(try Self.mode(path) == 0o600)
        #expect(try Self.mode((path as NSString).deletingLastPathComponent) == 0o700)
        #expect(try SigningKey.loadOrCreate(path: path).rawRepresentation == key.rawRepresentation)
    }

    @Test func aKeyOthersMayReadIsRefusedWithItsPathAndMode() throws {
        let path = (try Self.folder() as NSString).appendingPathComponent(SigningKey.fileName)
        _ = try SigningKey.loadOrCreate(path: path)
        for mode in [0o644, 0o640, 0o602] {
            chmod(path, mode_t(mode))
            #expect {
                _ = try SigningKey.loadOrCreate(path: path)
            } throws: { error in
                "\(error)".contains(path) && "\(error)".contains(String(mode, radix: 8))
            }
        }
    }

    @Test func rotationKeepsTheOldPublicKeyAsRetired() throws {
        let path = (try Self.folder() as NSString).appendingPathComponent(SigningKey.fileName)
        let first = try SigningKey.loadOrCreate(path: path)
        let (retired, second) = try SigningKey.rotate(path: path)
        #expect(retired == Array(first.publicKey.rawRepresentation))
        #expect(try SigningKey.load(path: path)?.rawRepresentation == second.rawRepresentation)
        #expect(try Self.mode(path) == 0o600 && Self.mode(SigningKey.retiredPath(keyPath: path)) == 0o600)
        _ = try SigningKey.rotate(path: path)
        let trusted = try SigningKey.trustedKeys(keyPath: path, current: try SigningKey.load(path: path)?.publicKey)
        #expect(trusted.keys.count == 3)
        #expect(trusted.trusts(Array(first.publicKey.rawRepresentation)))
        #expect(trusted.trusts(Array(second.publicKey.rawRepresentation)))
    }

    @Test func aBrokenRetiredFileIsRefusedWithItsLine() throws {
        let path = (try Self.folder() as NSString).appendingPathComponent(SigningKey.fileName)
        let retired = SigningKey.retiredPath(keyPath: path)
        FileManager.default.createFile(
            atPath: retired, contents: Data("# retired keys\nnot-a-key\n".utf8), attributes: [.posixPermissions: 0o600])
        #expect { _ = try SigningKey.retiredKeys(keyPath: path) } throws: { "\($0)".contains("line 2") }
        chmod(retired, 0o666)
        #expect { _ = try SigningKey.retiredKeys(keyPath: path) } throws: { "\($0)".contains("666") }
    }

    // MARK: When the service signs

    static let officer = Participant(id: "stf_officer", role: .officer, name: "Trần Thu Hà", language: "vi")

    /// A store with one session of a join and `messages` messages, ended when `end`.
    static func session(messages: Int, end: Bool) async throws -> (TranscriptService, SQLiteStore) {
        let (service, store, _) = try await session(messages: messages, end: end, later: 0)
        return (service, store)
    }

    /// The same, with `later` more messages built but not committed (returned).
    static func session(messages: Int, end: Bool, later: Int) async throws -> (
        TranscriptService, SQLiteStore, [Event]
    ) {
        let data = try folder()
        let store = try SQLiteStore(dataDirectory: data)
        let info = SessionInfo(
            id: "ses_signing", title: "Ký", status: .live, languages: ["vi"], agent: "quang-ninh-ipa",
            assistant: .review,
            createdAt: "2026-11-26T04:40:00.000Z", endedAt: nil, createdBy: "stf_officer")
        try await store.createSession(info)
        var state = SessionState(info: info)
        var events = [try #require(try state.join(officer, at: "2026-11-26T04:41:00.000Z"))]
        /// `count` messages by the officer, decided in order.
        func said(_ count: Int, text: String, clientId: String, at: String) throws -> [Event] {
            try (0..<count).compactMap { i in
                guard
                    case .append(let event) = try state.say(
                        by: officer, text: "\(text) \(i)", clientId: "\(clientId)\(i)", language: "vi",
                        citations: nil, at: at)
                else { return nil }
                return event
            }
        }
        events += try said(messages, text: "tin", clientId: "c", at: "2026-11-26T04:42:00.000Z")
        let held = try said(later, text: "sau", clientId: "l", at: "2026-11-26T04:43:00.000Z")
        if end { events.append(try state.end(by: officer, at: "2026-11-26T05:00:00.000Z")) }
        store.writer.start()
        await commit(events, to: store)
        let service = TranscriptService(
            store: store, key: Curve25519.Signing.PrivateKey(), dataDirectory: data, logger: Logger(label: "test"),
            checkpointEvents: 4)
        return (service, store, held)
    }

    /// Commits `events` through the store's writer and waits for them.
    static func commit(_ events: [Event], to store: SQLiteStore) async {
        let stream = store.writer.results
        store.writer.submit(events)
        var seen = 0
        for await result in stream {
            seen += result.committed.count + result.failed.count
            if seen >= events.count { break }
        }
    }

    /// Changes a stored event's column behind the server's back, as a database writer can.
    static func tamper(_ service: TranscriptService, seq: Int64, set column: String, to value: [UInt8]) throws {
        let path = ((service.dataDirectory as NSString).appendingPathComponent(SQLiteStore.fileName))
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: "UPDATE events SET \(column) = ? WHERE session_id = 'ses_signing' AND seq = ?",
                arguments: [Data(value), seq])
        }
        try queue.close()
    }

    @Test func anEndedSessionIsSealedOnceAndNeverCheckpointed() async throws {
        let (service, store) = try await Self.session(messages: 3, end: true)
        #expect(try await service.checkpoint(session: "ses_signing") == nil)
        let sealed = try #require(try await service.seal(session: "ses_signing"))
        #expect(sealed.state == .ended && sealed.seq == 5)
        #expect(try await service.seal(session: "ses_signing") == nil)
        #expect(try await store.checkpoints(session: "ses_signing").count == 1)
        // Recorded outside the database too.
        #expect(try await service.ledger.entries(session: "ses_signing") == [.init(seq: 5, chain: sealed.chain, ended: true)])
        #expect(try await service.verify(session: "ses_signing")?.ok == true)
        await store.writer.shutdown()
    }

    @Test func aDeletedFinalHeadIsNotSignedAgain() async throws {
        let (service, store) = try await Self.session(messages: 3, end: true)
        // Nothing signed it (the crash right after `ended`, or the head deleted): tampered,
        // and checkpoints do not fill the gap.
        #expect(try await service.checkpoint(session: "ses_signing") == nil)
        let result = try #require(try await service.verify(session: "ses_signing"))
        #expect(!result.ok && result.reason == "ended session has no signed head")
        await store.writer.shutdown()
    }

    @Test func aLiveSessionIsCheckpointedUnlessItsTailIsTooLong() async throws {
        let (service, store) = try await Self.session(messages: 6, end: false)
        let first = try #require(try await service.checkpoint(session: "ses_signing"))
        #expect(first.state == .live && first.seq == 7)
        #expect(try await service.checkpoint(session: "ses_signing") == nil, "nothing new to sign")
        let verified = try #require(try await service.verify(session: "ses_signing"))
        #expect(verified.ok && verified.unsigned == 0 && verified.checkpoints == 1)

        // More unsigned events than 16 times the interval (signatures deleted): refused.
        let (other, otherStore) = try await Self.session(messages: 70, end: false)
        await #expect(throws: TranscriptService.SigningRefused.self) {
            _ = try await other.checkpoint(session: "ses_signing")
        }
        #expect(try await other.verify(session: "ses_signing")?.ok == false)
        await store.writer.shutdown()
        await otherStore.writer.shutdown()
    }

    /// A checkpoint starts after the last one this process signed (it reads and verifies only
    /// what came after), and still refuses a chain that no longer extends it.
    @Test func aCheckpointStartsFromTheLastOneAndStillRefusesARewrite() async throws {
        let (service, store, later) = try await Self.session(messages: 6, end: false, later: 8)
        let first = try #require(try await service.checkpoint(session: "ses_signing"))
        #expect(first.seq == 7)
        #expect(service.signedPrefixes.last(of: "ses_signing")?.seq == 7)
        await Self.commit(Array(later.prefix(4)), to: store)
        let second = try #require(try await service.checkpoint(session: "ses_signing"))
        #expect(second.seq == 11 && service.signedPrefixes.last(of: "ses_signing")?.seq == 11)
        #expect(try await service.verify(session: "ses_signing")?.ok == true)

        // An unsigned event's hash rewritten after the last checkpoint: the link check finds it.
        await Self.commit(Array(later[4..<6]), to: store)
        try Self.tamper(service, seq: 13, set: "hash", to: Array(repeating: 1, count: 32))
        await #expect(throws: TranscriptService.SigningRefused.self) {
            _ = try await service.checkpoint(session: "ses_signing")
        }
        // The chain value this process signed at seq 11 rewritten (a re-chained prefix): the
        // whole session is checked again, against what this node recorded signing.
        try Self.tamper(service, seq: 11, set: "chain", to: Array(repeating: 2, count: 32))
        do {
            _ = try await service.checkpoint(session: "ses_signing")
            Issue.record("a rewritten prefix was signed over")
        } catch let refused as TranscriptService.SigningRefused {
            #expect(refused.description.contains("differs from what this server signed at seq 11"), "\(refused)")
        }
        #expect(service.signedPrefixes.last(of: "ses_signing") == nil)
        #expect(try await store.checkpoints(session: "ses_signing").map(\.seq) == [7, 11])
        await store.writer.shutdown()
    }

    /// A rewrite before the last head this process signed that leaves that head's chain
    /// value in place is not re-read at signing time (docs/transcripts.md, "From the last
    /// head this process signed"): the next checkpoint still only extends what this process
    /// signed, and verification, which checks everything, reports the rewrite.
    @Test func aRewriteBeforeTheLastCheckpointIsLeftToVerification() async throws {
        let (service, store, later) = try await Self.session(messages: 6, end: false, later: 4)
        #expect(try await service.checkpoint(session: "ses_signing")?.seq == 7)
        try Self.tamper(service, seq: 3, set: "hash", to: Array(repeating: 3, count: 32))
        await Self.commit(later, to: store)
        let next = try #require(try await service.checkpoint(session: "ses_signing"))
        #expect(next.seq == 11)
        let verified = try #require(try await service.verify(session: "ses_signing"))
        #expect(!verified.ok && verified.firstBadSeq == 3, "\(verified)")
        await store.writer.shutdown()
    }
}
