import Crypto
import Foundation
import Store
import Testing
import Transcripts

@testable import DialogueServer

/// The node's `signed-heads` record (docs/transcripts.md, "The node's own record"): a cut
/// or damaged line never stops the node from verifying or signing, and the file is parsed
/// once, then only from where it was read to.
@Suite struct SignatureLedgerTests {
    /// A fresh data folder.
    static func folder() throws -> String {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("ledger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func chain(_ byte: UInt8) -> [UInt8] { [UInt8](repeating: byte, count: 32) }

    static func line(_ session: String, _ seq: Int64, _ byte: UInt8, ended: Bool = false) -> String {
        "\(session) \(seq) \(ended ? "ended" : "live") \(Hex.encode(chain(byte)))\n"
    }

    static func head(_ session: String, _ seq: Int64, _ byte: UInt8) throws -> SignedHead {
        try SignedHead.sign(
            session: session, seq: seq, chain: chain(byte), state: .live, signedAt: "2026-12-06T20:00:00Z",
            with: Curve25519.Signing.PrivateKey())
    }

    static func appendRaw(_ text: String, to folder: String) throws {
        let path = (folder as NSString).appendingPathComponent(SignatureLedger.fileName)
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try handle.close()
    }

    @Test func aLineCutShortThenAnAppendIsSkippedNotFatal() async throws {
        let folder = try Self.folder()
        // A crash while appending left half a line; the node then signs again.
        try Self.appendRaw(Self.line("ses_a", 64, 1) + "ses_a 128 li", to: folder)
        let ledger = SignatureLedger(dataDirectory: folder)
        #expect(try await ledger.entries(session: "ses_a") == [.init(seq: 64, chain: Self.chain(1), ended: false)])
        try await ledger.append(try Self.head("ses_a", 128, 2))
        try await ledger.append(try Self.head("ses_a", 192, 3))
        #expect(
            try await ledger.entries(session: "ses_a") == [
                .init(seq: 64, chain: Self.chain(1), ended: false), .init(seq: 128, chain: Self.chain(2), ended: false),
                .init(seq: 192, chain: Self.chain(3), ended: false),
            ])
        #expect(try await ledger.skippedLines() == 1)
        // A fresh reader (the node restarted) reads the same.
        let again = SignatureLedger(dataDirectory: folder)
        #expect(try await again.entries(session: "ses_a").map(\.seq) == [64, 128, 192])
        let text = try String(
            contentsOfFile: (folder as NSString).appendingPathComponent(SignatureLedger.fileName), encoding: .utf8)
        #expect(text.hasSuffix(Self.line("ses_a", 192, 3)) && text.contains("ses_a 128 li\nses_a 128 live "))
    }

    @Test func aDamagedLineAnywhereIsSkipped() async throws {
        let folder = try Self.folder()
        try Self.appendRaw(
            Self.line("ses_a", 1, 1) + "garbage\n" + "ses_b 2 live 00\n" + Self.line("ses_b", 3, 3, ended: true),
            to: folder)
        let ledger = SignatureLedger(dataDirectory: folder)
        #expect(try await ledger.entries(session: "ses_a").map(\.seq) == [1])
        #expect(try await ledger.entries(session: "ses_b") == [.init(seq: 3, chain: Self.chain(3), ended: true)])
        #expect(try await ledger.skippedLines() == 2)
    }

    @Test func onlyTheAppendedBytesAreReadAgain() async throws {
        let folder = try Self.folder()
        let ledger = SignatureLedger(dataDirectory: folder)
        #expect(try await ledger.entries(session: "ses_a").isEmpty)
        try await ledger.append(try Self.head("ses_a", 10, 1))
        #expect(try await ledger.entries(session: "ses_a").map(\.seq) == [10])
        // Bytes already parsed are not parsed again: overwriting them in place changes nothing here.
        let path = (folder as NSString).appendingPathComponent(SignatureLedger.fileName)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.write(Data("ses_z".utf8))
        try handle.close()
        try await ledger.append(try Self.head("ses_a", 20, 2))
        #expect(try await ledger.entries(session: "ses_a").map(\.seq) == [10, 20])
        // A line still being written (no line break yet) waits for its end.
        try Self.appendRaw("ses_a 30 live \(Hex.encode(Self.chain(3)))", to: folder)
        #expect(try await ledger.entries(session: "ses_a").map(\.seq) == [10, 20])
        try Self.appendRaw("\n", to: folder)
        #expect(try await ledger.entries(session: "ses_a").map(\.seq) == [10, 20, 30])
        #expect(try await ledger.skippedLines() == 0)
    }

    @Test func aReplacedFileIsReadFromItsStart() async throws {
        let folder = try Self.folder()
        let ledger = SignatureLedger(dataDirectory: folder)
        try await ledger.append(try Self.head("ses_a", 10, 1))
        #expect(try await ledger.entries(session: "ses_a").map(\.seq) == [10])
        let path = (folder as NSString).appendingPathComponent(SignatureLedger.fileName)
        let replacement = path + ".new"
        try (Self.line("ses_a", 5, 5) + Self.line("ses_a", 10, 1)).write(
            toFile: replacement, atomically: false, encoding: .utf8)
        _ = rename(replacement, path)
        #expect(try await ledger.entries(session: "ses_a").map(\.seq) == [5, 10])
    }
}
