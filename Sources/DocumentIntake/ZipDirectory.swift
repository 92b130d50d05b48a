/// The central directory of a zip file (a DOCX is one), read without unpacking anything:
/// entry names and their declared sizes, enough to refuse a zip bomb before pandoc opens it.
/// Written by hand because no maintained zip reader is among the packages this server may
/// use, and only the directory is needed (APPNOTE.TXT 4.3.12, 4.3.16, 4.3.6).
public struct ZipDirectory: Sendable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var compressedSize: UInt64
        public var uncompressedSize: UInt64
    }

    public let entries: [Entry]

    /// Limits a document's zip must keep: entries, total unpacked bytes, and ratio of unpacked
    /// to packed bytes (a text-heavy DOCX compresses about 5–10×; bombs reach thousands).
    public static let maximumEntries = 5_000
    public static let maximumUnpacked: UInt64 = 200 * 1024 * 1024
    public static let maximumRatio: UInt64 = 200

    public init(_ bytes: [UInt8]) throws(IntakeError) {
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> UInt64 { UInt64(u16(at)) | UInt64(u16(at + 2)) << 16 }
        // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
        guard bytes.count >= 22 else { throw .broken("the file is not a complete zip (a DOCX is one)") }
        var eocd: Int?
        var at = bytes.count - 22
        let floor = max(0, bytes.count - 22 - 65_535)
        while at >= floor {
            if bytes[at] == 0x50, bytes[at + 1] == 0x4B, bytes[at + 2] == 0x05, bytes[at + 3] == 0x06 {
                eocd = at
                break
            }
            at -= 1
        }
        guard let end = eocd else { throw .broken("the zip has no central directory: the DOCX is truncated or broken") }
        let count = u16(end + 10)
        let offset = Int(u32(end + 16))
        guard count != 0xFFFF, offset != 0xFFFF_FFFF else {
            throw .zipBomb("a zip64 archive is not a document this server takes")
        }
        guard count <= Self.maximumEntries else { throw .zipBomb("\(count) entries (at most \(Self.maximumEntries))") }
        var entries: [Entry] = []
        var position = offset
        for _ in 0..<count {
            guard position + 46 <= bytes.count, bytes[position] == 0x50, bytes[position + 1] == 0x4B,
                bytes[position + 2] == 0x01, bytes[position + 3] == 0x02
            else { throw .broken("the zip's central directory is damaged") }
            let compressed = u32(position + 20)
            let uncompressed = u32(position + 24)
            let nameLength = u16(position + 28)
            let extra = u16(position + 30)
            let comment = u16(position + 32)
            guard position + 46 + nameLength <= bytes.count else { throw .broken("the zip's central directory is damaged") }
            let name = String(decoding: bytes[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self)
            entries.append(Entry(name: name, compressedSize: compressed, uncompressedSize: uncompressed))
            position += 46 + nameLength + extra + comment
        }
        self.entries = entries
    }

    /// Refuses a zip that would unpack to too much, overall or relative to its size.
    public func checkNotABomb(fileSize: Int) throws(IntakeError) {
        let unpacked = entries.reduce(UInt64(0)) { $0 &+ $1.uncompressedSize }
        guard unpacked <= Self.maximumUnpacked else {
            throw .zipBomb("it would unpack to \(unpacked / 1_048_576) MiB (at most \(Self.maximumUnpacked / 1_048_576) MiB)")
        }
        let packed = max(UInt64(fileSize), 1)
        guard unpacked / packed <= Self.maximumRatio else {
            throw .zipBomb("it would unpack to \(unpacked / packed) times its size (at most \(Self.maximumRatio))")
        }
        for entry in entries where entry.compressedSize > 0 && entry.uncompressedSize / entry.compressedSize > 1_000 {
            throw .zipBomb("\(entry.name) would unpack to \(entry.uncompressedSize / entry.compressedSize) times its size")
        }
    }
}
