import Foundation
import Testing

@testable import DocumentIntake

/// A zip's central directory with the declared sizes given (no data: the reader never
/// looks at it), as APPNOTE.TXT lays it out.
private func zip(_ entries: [(name: String, compressed: UInt32, uncompressed: UInt32)], padding: Int = 64) -> [UInt8] {
    func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    func u32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(v >> (8 * $0) & 0xFF) } }
    var bytes: [UInt8] = [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: padding)
    let directoryStart = bytes.count
    for entry in entries {
        let name = Array(entry.name.utf8)
        bytes += [0x50, 0x4B, 0x01, 0x02] + [UInt8](repeating: 0, count: 16)
        bytes += u32(entry.compressed) + u32(entry.uncompressed) + u16(name.count) + u16(0) + u16(0)
        bytes += [UInt8](repeating: 0, count: 12) + name
    }
    let size = bytes.count - directoryStart
    bytes += [0x50, 0x4B, 0x05, 0x06, 0, 0, 0, 0] + u16(entries.count) + u16(entries.count)
    bytes += u32(UInt32(size)) + u32(UInt32(directoryStart)) + u16(0)
    return bytes
}

@Suite struct ZipDirectoryTests {
    @Test func readsEntriesAndTheirSizes() throws {
        let bytes = zip([("[Content_Types].xml", 300, 1200), ("word/document.xml", 2000, 9000)])
        let directory = try ZipDirectory(bytes)
        #expect(directory.entries.map(\.name) == ["[Content_Types].xml", "word/document.xml"])
        #expect(directory.entries[1].uncompressedSize == 9000)
        try directory.checkNotABomb(fileSize: 20_000)
    }

    @Test func refusesWhatWouldUnpackToFarMoreThanItWeighs() throws {
        // 150 MiB of zeros packs into about 150 KiB: a ratio of 1,000.
        let bomb = try ZipDirectory(zip([("word/document.xml", 153_000, 157_286_400)]))
        #expect(throws: IntakeError.self) { try bomb.checkNotABomb(fileSize: 160_000) }
        let huge = try ZipDirectory(zip([("a", 4_000_000_000, 4_000_000_000)]))
        #expect(throws: IntakeError.self) { try huge.checkNotABomb(fileSize: 4_100_000_000) }
    }

    @Test func refusesTruncatedOrDamagedDirectories() {
        #expect(throws: IntakeError.self) { try ZipDirectory([0x50, 0x4B, 0x03, 0x04, 1, 2, 3]) }
        var damaged = zip([("word/document.xml", 10, 20)])
        damaged[68] = 0  // the central directory's signature
        #expect(throws: IntakeError.self) { try ZipDirectory(damaged) }
    }
}

@Suite struct FileKindTests {
    @Test func judgesBinaryKindsByTheirSignatures() throws {
        #expect(try FileKind.sniff(Array("%PDF-1.7\n".utf8), declared: nil).get() == .pdf)
        #expect(try FileKind.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0], declared: nil).get() == .png)
        #expect(try FileKind.sniff([0xFF, 0xD8, 0xFF, 0xE0], declared: .jpeg).get() == .jpeg)
        #expect(try FileKind.sniff(Array("RIFF\0\0\0\0WEBPVP8 ".utf8), declared: nil).get() == .webp)
    }

    @Test func aClaimTheContentContradictsIsRefused() {
        // A PDF sent as an image, an executable sent as a PDF.
        #expect(throws: IntakeError.self) { try FileKind.sniff(Array("%PDF-1.7".utf8), declared: .png).get() }
        #expect(throws: IntakeError.self) { try FileKind.sniff([0x7F, 0x45, 0x4C, 0x46, 0, 1], declared: .pdf).get() }
        #expect(throws: IntakeError.self) { try FileKind.sniff(Array("plain words".utf8), declared: .html).get() }
    }

    @Test func textIsMarkdownTextOrHTML() throws {
        #expect(try FileKind.sniff(Array("# Title\n\nVân Đồn".utf8), declared: .markdown).get() == .markdown)
        #expect(try FileKind.sniff(Array("Vân Đồn".utf8), declared: nil).get() == .text)
        #expect(try FileKind.sniff(Array("<!DOCTYPE html><html><body>x".utf8), declared: .html).get() == .html)
        #expect(FileKind.declared("text/markdown; charset=utf-8") == .markdown)
    }
}

@Suite struct ConversionTextTests {
    @Test func pdfLinesBecomeParagraphsWithoutSpacesBetweenCJKLines() {
        let text = "Vân Đồn là khu kinh tế\nven biển.\n\n雲屯経済区は\n沿岸にあります。\u{0C}Page two"
        let markdown = DocumentConverter.paragraphs(fromPDFText: text)
        #expect(markdown == "Vân Đồn là khu kinh tế ven biển.\n\n雲屯経済区は沿岸にあります。\n\nPage two")
    }

    @Test func anUploadedFrontMatterIsDroppedAndFencesCannotCloseOurs() {
        #expect(DocumentConverter.withoutFrontMatter("---\ntitle: x\n---\nBody") == "Body")
        #expect(DocumentConverter.tidy("a\n---\n\n\n\nb  \r\n") == "a\n* * *\n\nb")
        #expect(DocumentConverter.sections(of: "# One\ntext\n## Two\n#\n") == ["One", "Two"])
    }
}
