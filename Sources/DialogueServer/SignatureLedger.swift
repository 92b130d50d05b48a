import Foundation
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
/// `SESSION SEQ live|ended CHAIN_HEX`.
package final class SignatureLedger: Sendable {
    /// File name inside the data folder.
    package static let fileName = "signed-heads"

    private let path: String
    /// The entries read, and the file size they were read at (the file only grows).
    private let cache = Mutex<(size: UInt64, entries: [String: [SignatureCheck.Recorded]])>((0, [:]))

    /// The ledger of the data folder `dataDirectory`.
    package init(dataDirectory: String) {
        path = (dataDirectory as NSString).appendingPathComponent(Self.fileName)
    }

    /// What this node signed in `session`, in the order it signed.
    package func entries(session: String) throws -> [SignatureCheck.Recorded] {
        try entries()[session] ?? []
    }

    /// Appends a signed head, durably.
    func append(_ head: SignedHead) throws {
        let state = head.state ?? .live
        let line = Array("\(head.session) \(head.seq) \(state.rawValue) \(Hex.encode(head.chain))\n".utf8)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.writeFailed("\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count, fsync(fd) == 0 else {
            throw StoreError.writeFailed("\(path): \(String(cString: strerror(errno)))")
        }
    }

    private func entries() throws -> [String: [SignatureCheck.Recorded]] {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let size = (attributes[.size] as? NSNumber)?.uint64Value
        else { return [:] }
        if let cached = cache.withLock({ $0.size == size ? $0.entries : nil }) { return cached }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError.readFailed("\(path): cannot be read")
        }
        var entries: [String: [SignatureCheck.Recorded]] = [:]
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            let parts = line.split(separator: " ")
            guard parts.count == 4, let seq = Int64(parts[1]), let state = SignedHead.State(rawValue: String(parts[2])),
                let chain = Hex.decode(String(parts[3])), chain.count == 32
            else {
                // A line cut short by a crash while appending is the last one: ignored.
                if index == data.split(separator: UInt8(ascii: "\n")).count - 1, data.last != UInt8(ascii: "\n") {
                    break
                }
                throw StoreError.readFailed("\(path): line \(index + 1) is not SESSION SEQ STATE CHAIN_HEX")
            }
            entries[String(parts[0]), default: []].append(
                SignatureCheck.Recorded(seq: seq, chain: chain, ended: state == .ended))
        }
        cache.withLock { $0 = (UInt64(data.count), entries) }
        return entries
    }
}
