import Dispatch
import Foundation
import Logging
import Store
import Synchronization
import Transcripts

#if canImport(Glibc)
    import Glibc
#endif

/// Every head this node signed, in a file of its data folder (`signed-heads`, 0600): a
/// record outside the database. A database writer who deletes checkpoints, hides that a
/// session ended or rewrites what was signed is found on this node whatever they did to
/// the database, and the node never signs over it. One line per signature:
/// `SESSION SEQ live|ended CHAIN_HEX`. It protects against a database writer only: whoever
/// can write the data folder can edit this file too (docs/transcripts.md, "The node's own record").
///
/// The file is parsed once: later reads parse only the bytes appended since. A line that
/// does not parse (one cut short by a crash, then completed by the next append) is skipped
/// and logged, never a reason to refuse every later verification. Reads, appends and their
/// `fsync` run on a serial queue of their own, off the cooperative pool.
package final class SignatureLedger: Sendable {
    /// File name inside the data folder.
    package static let fileName = "signed-heads"

    private let path: String
    private let logger: Logger
    /// Where the file's I/O runs, one call at a time.
    private let queue = DispatchQueue(label: "dialogue.signed-heads")

    /// What was parsed of the file so far (touched on `queue` only).
    private struct Parsed {
        /// The file it was read from (a file replaced, from a backup say, is read again).
        var device: UInt64 = 0
        var inode: UInt64 = 0
        /// Bytes parsed: up to the end of the last complete line.
        var offset: UInt64 = 0
        /// Complete lines parsed, for the line numbers of skipped ones.
        var lines = 0
        /// Lines skipped since the file was first read.
        var skipped = 0
        var entries: [String: [SignatureCheck.Recorded]] = [:]
    }
    private let parsed = Mutex(Parsed())

    /// The ledger of the data folder `dataDirectory`.
    package init(dataDirectory: String, logger: Logger = Logger(label: "dialogue.signed-heads")) {
        path = (dataDirectory as NSString).appendingPathComponent(Self.fileName)
        self.logger = logger
    }

    /// What this node signed in `session`, in the order it signed.
    package func entries(session: String) async throws -> [SignatureCheck.Recorded] {
        try await onQueue { try self.readNew { $0.entries[session] ?? [] } }
    }

    /// Lines skipped because they did not parse, since the file was first read.
    package func skippedLines() async throws -> Int {
        try await onQueue { try self.readNew { $0.skipped } }
    }

    /// Appends a signed head, durably. When the file does not end with a line break (the
    /// last append was cut short), one is written first: the cut line stays a line of its
    /// own (skipped), and the new one is whole.
    func append(_ head: SignedHead) async throws {
        let state = head.state ?? .live
        let line = "\(head.session) \(head.seq) \(state.rawValue) \(Hex.encode(head.chain))\n"
        try await onQueue { try self.appendLine(line) }
    }

    private func onQueue<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    private func failure(_ what: String) -> StoreError {
        StoreError.writeFailed("\(path): \(what): \(String(cString: strerror(errno)))")
    }

    /// On `queue`.
    private func appendLine(_ line: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("cannot open") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw failure("cannot stat") }
        var bytes = Array(line.utf8)
        if status.st_size > 0 {
            var last: UInt8 = 0
            guard pread(fd, &last, 1, status.st_size - 1) == 1 else { throw failure("cannot read its last byte") }
            if last != UInt8(ascii: "\n") { bytes.insert(UInt8(ascii: "\n"), at: 0) }
        }
        var done = 0
        while done < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw failure("cannot append") }
            done += written
        }
        guard fsync(fd) == 0 else { throw failure("cannot sync") }
    }

    /// On `queue`: parses what was appended since the last read (in place, so the entries
    /// are not copied), then reads the result with `body`.
    private func readNew<T: Sendable>(_ body: (borrowing Parsed) -> T) throws -> T {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            guard errno == ENOENT else {
                throw StoreError.readFailed("\(path): cannot open: \(String(cString: strerror(errno)))")
            }
            return parsed.withLock {
                $0 = Parsed()
                return body($0)
            }
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw StoreError.readFailed("\(path): cannot stat: \(String(cString: strerror(errno)))")
        }
        let size = UInt64(status.st_size)
        let (device, inode) = (UInt64(status.st_dev), UInt64(status.st_ino))
        let start = parsed.withLock {
            // Another file (restored from a backup) or a shorter one: read it from the start.
            if $0.device != device || $0.inode != inode || size < $0.offset {
                $0 = Parsed(device: device, inode: inode)
            }
            return $0.offset
        }
        if size > start {
            var buffer = [UInt8](repeating: 0, count: Int(size - start))
            var done = 0
            while done < buffer.count {
                let count = buffer.withUnsafeMutableBytes {
                    pread(fd, $0.baseAddress! + done, $0.count - done, off_t(start) + off_t(done))
                }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else {
                    throw StoreError.readFailed("\(path): cannot read: \(String(cString: strerror(errno)))")
                }
                done += count
            }
            // An unterminated tail is a line being written or cut short: left for later.
            if let end = buffer.lastIndex(of: UInt8(ascii: "\n")) {
                parsed.withLock { state in
                    for line in buffer[...end].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                        .dropLast()
                    {
                        state.lines += 1
                        if line.isEmpty { continue }
                        if let (session, recorded) = Self.parse(line) {
                            state.entries[session, default: []].append(recorded)
                        } else {
                            state.skipped += 1
                            logger.error(
                                "signed-heads line skipped: not SESSION SEQ STATE CHAIN_HEX",
                                metadata: ["file": "\(path)", "line": "\(state.lines)"])
                        }
                    }
                    state.offset += UInt64(end + 1)
                }
            }
        }
        return parsed.withLock { body($0) }
    }

    /// One line, without its line break: the session and its record, or nil.
    static func parse(_ line: ArraySlice<UInt8>) -> (String, SignatureCheck.Recorded)? {
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 4, !parts[0].isEmpty,
            let seq = Int64(String(decoding: parts[1], as: UTF8.self)),
            let state = SignedHead.State(rawValue: String(decoding: parts[2], as: UTF8.self)),
            let chain = Hex.decode(String(decoding: parts[3], as: UTF8.self)), chain.count == 32
        else { return nil }
        return (
            String(decoding: parts[0], as: UTF8.self),
            SignatureCheck.Recorded(seq: seq, chain: chain, ended: state == .ended)
        )
    }
}
