import Foundation

/// Makes an uploaded file into Markdown the assistant can answer from, with the real
/// converters run as separate processes: Debian's `pdftotext`/`pdfinfo` (poppler-utils) for
/// PDF and `pandoc` (in its `--sandbox`, which reads no other file and fetches nothing) for
/// DOCX and HTML. Markdown and text pass through.
public struct DocumentConverter: Sendable {
    /// The result: the body as Markdown, its page count for a PDF.
    public struct Converted: Sendable, Equatable {
        public var markdown: String
        public var pages: Int?
        public var kind: FileKind
    }

    /// Most pages of a PDF converted.
    public var maximumPages = 500
    /// Seconds a conversion may take.
    public var timeLimit: Double = 60
    /// Largest Markdown kept (characters of text are what the index holds).
    public var maximumOutput = 16 * 1024 * 1024
    /// Least text a document must have (a scanned PDF yields almost none).
    public var minimumLetters = 20
    /// Least text per page of a PDF, on average.
    public var minimumLettersPerPage = 10
    /// Conversions at once in this process: each may take a core and a gigabyte for a minute.
    static let slots = ConversionSlots(count: 2)
    /// Where the files are written while converting.
    public var scratch: URL

    public init(scratch: URL = FileManager.default.temporaryDirectory) {
        self.scratch = scratch
    }

    /// Converts `bytes`, whose type was sniffed as `kind`; throws the reason for refusing it.
    public func convert(_ bytes: [UInt8], kind: FileKind) async throws(IntakeError) -> Converted {
        await Self.slots.acquire()
        defer { Task { await Self.slots.release() } }
        return try await convertNow(bytes, kind: kind)
    }

    private func convertNow(_ bytes: [UInt8], kind: FileKind) async throws(IntakeError) -> Converted {
        guard kind.isDocument else {
            throw .unknownType("a \(kind.mediaType) file is not a document; upload PDF, DOCX, HTML, Markdown or text")
        }
        let markdown: String
        var pages: Int?
        switch kind {
        case .markdown, .text:
            guard bytes.count < maximumOutput else {
                throw .tooLarge("the document's text is over \(maximumOutput / 1_048_576) MiB")
            }
            markdown = Self.withoutFrontMatter(String(decoding: bytes, as: UTF8.self))
        case .pdf:
            (markdown, pages) = try await convertPDF(bytes)
        case .docx:
            let zip = try ZipDirectory(bytes)
            try zip.checkNotABomb(fileSize: bytes.count)
            guard zip.entries.contains(where: { $0.name == "word/document.xml" }) else {
                throw .unknownType("the zip file is not a Word document (it has no word/document.xml)")
            }
            markdown = try await pandoc(bytes, from: "docx")
        case .html:
            markdown = try await pandoc(bytes, from: "html")
        default:
            throw .unknownType("not a document")
        }
        let cleaned = Self.tidy(markdown)
        // A scan yields a few letters (a stamp, a page number) however long it is: ask for
        // some text per page too.
        let letters = cleaned.unicodeScalars.filter({ $0.properties.isAlphabetic }).count
        guard letters >= max(minimumLetters, (pages ?? 0) * minimumLettersPerPage) else {
            if kind == .pdf { throw .noTextLayer }
            throw .broken("the file holds no text to answer from")
        }
        return Converted(markdown: cleaned, pages: pages, kind: kind)
    }

    private func workFolder() throws(IntakeError) -> URL {
        let folder = scratch.appendingPathComponent("intake-\(UUID().uuidString)", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw .converterUnavailable("cannot write a scratch folder: \(error.localizedDescription)")
        }
        return folder
    }

    private func write(_ bytes: [UInt8], to file: URL) throws(IntakeError) {
        do {
            try Data(bytes).write(to: file)
        } catch {
            throw .converterUnavailable("cannot write the upload to a scratch file: \(error.localizedDescription)")
        }
    }

    private func readOutput(_ file: URL) throws(IntakeError) -> String {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw .broken("the converter wrote nothing")
        }
        guard data.count < maximumOutput else {
            throw .tooLarge("the document's text is over \(maximumOutput / 1_048_576) MiB")
        }
        return String(decoding: data, as: UTF8.self)
    }

    private func convertPDF(_ bytes: [UInt8]) async throws(IntakeError) -> (String, Int) {
        guard let pdfinfo = ConverterProcess.find("pdfinfo"), let pdftotext = ConverterProcess.find("pdftotext") else {
            throw .converterUnavailable("pdftotext and pdfinfo (Debian's poppler-utils) are not installed")
        }
        let folder = try workFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("upload.pdf")
        let info = folder.appendingPathComponent("info.txt")
        try write(bytes, to: input)
        // pdfinfo prints to stdout; a shell-free redirection: it writes the metadata to a file.
        let infoRun = try await ConverterProcess(
            executable: "/bin/sh", arguments: ["-c", "exec \"$0\" \"$1\" > \"$2\"", pdfinfo, input.path, info.path],
            timeLimit: timeLimit, memoryLimit: 1 << 30, outputLimit: 1 << 20
        ).run()
        let metadata = (try? String(contentsOf: info, encoding: .utf8)) ?? ""
        guard !infoRun.timedOut else { throw .tooLarge("the PDF took over \(Int(timeLimit)) s to open") }
        if infoRun.status != 0 {
            if infoRun.standardError.lowercased().contains("password") { throw .encrypted }
            throw .broken("not a readable PDF: \(Self.firstLine(infoRun.standardError))")
        }
        if metadata.split(separator: "\n").contains(where: { $0.hasPrefix("Encrypted:") && $0.contains("yes") }) {
            throw .encrypted
        }
        let pages = metadata.split(separator: "\n").first { $0.hasPrefix("Pages:") }
            .flatMap { Int($0.dropFirst("Pages:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        guard pages > 0 else { throw .broken("the PDF has no pages") }
        guard pages <= maximumPages else {
            throw .tooLarge("the PDF has \(pages) pages; at most \(maximumPages) are taken")
        }
        let output = folder.appendingPathComponent("text.txt")
        let run = try await ConverterProcess(
            executable: pdftotext, arguments: ["-enc", "UTF-8", "-nopgbrk", "-l", String(maximumPages), input.path, output.path],
            timeLimit: timeLimit, memoryLimit: 1 << 30, outputLimit: maximumOutput
        ).run()
        guard !run.timedOut else { throw .tooLarge("the PDF took over \(Int(timeLimit)) s to convert") }
        guard run.status == 0 else {
            if run.standardError.lowercased().contains("password") { throw .encrypted }
            throw .broken("pdftotext could not read the PDF: \(Self.firstLine(run.standardError))")
        }
        return (Self.paragraphs(fromPDFText: try readOutput(output)), pages)
    }

    private func pandoc(_ bytes: [UInt8], from format: String) async throws(IntakeError) -> String {
        guard let pandoc = ConverterProcess.find("pandoc") else {
            throw .converterUnavailable("pandoc (Debian's pandoc) is not installed")
        }
        let folder = try workFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("upload.\(format)")
        let output = folder.appendingPathComponent("text.md")
        try write(bytes, to: input)
        // --sandbox: no file but the input is read, nothing is fetched; +RTS -M caps the heap
        // (pandoc's own advice for untrusted input; its runtime reserves address space, so
        // no --as limit).
        let run = try await ConverterProcess(
            executable: pandoc,
            arguments: [
                "--sandbox", "-f", format, "-t", "gfm-raw_html", "--wrap=none", "-o", output.path, input.path,
                "+RTS", "-M512m", "-RTS",
            ],
            timeLimit: timeLimit, memoryLimit: nil, outputLimit: maximumOutput
        ).run()
        guard !run.timedOut else { throw .tooLarge("the file took over \(Int(timeLimit)) s to convert") }
        guard run.status == 0 else {
            throw .broken("pandoc could not read the \(format == "docx" ? "Word" : "HTML") file: \(Self.firstLine(run.standardError))")
        }
        return try readOutput(output)
    }

    /// A pdftotext page text as Markdown paragraphs: lines of one paragraph joined, blank
    /// lines kept as breaks (pdftotext ends each visual line where the PDF did).
    static func paragraphs(fromPDFText text: String) -> String {
        var paragraphs: [String] = []
        var current: [String] = []
        for raw in text.replacingOccurrences(of: "\u{0C}", with: "\n\n").split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty {
                if !current.isEmpty { paragraphs.append(join(current)) }
                current = []
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { paragraphs.append(join(current)) }
        return paragraphs.joined(separator: "\n\n")
    }

    /// Lines of a paragraph joined: with a space between words of scripts that use spaces,
    /// without one after a CJK character (Chinese and Japanese do not space words).
    private static func join(_ lines: [String]) -> String {
        var out = ""
        for line in lines {
            if let last = out.unicodeScalars.last, let first = line.unicodeScalars.first, !isCJK(last) || !isCJK(first) {
                out += last == "-" ? "" : " "
            }
            out += line
        }
        return out
    }

    private static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3000...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0xFF00...0xFFEF: return true
        default: return false
        }
    }

    /// Text without a leading front-matter block (the server writes its own).
    static func withoutFrontMatter(_ text: String) -> String {
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        guard text.hasPrefix("---\n") || text.hasPrefix("---\r\n") else { return text }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let close = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) else {
            return text
        }
        return lines[(close + 1)...].joined(separator: "\n")
    }

    /// Line ends normalised, runs of blank lines made one, no trailing spaces; a line that
    /// is exactly `---` (a pack document's front-matter fence) made a rule that cannot close one.
    static func tidy(_ text: String) -> String {
        var out: [String] = []
        for raw in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(raw)
            while line.last?.isWhitespace == true { line.removeLast() }
            if line.trimmingCharacters(in: .whitespaces) == "---" { line = "* * *" }
            if line.isEmpty, out.last?.isEmpty ?? true { continue }
            out.append(line)
        }
        while out.last?.isEmpty == true { out.removeLast() }
        return out.joined(separator: "\n")
    }

    /// Headings of a Markdown text (ATX `#` lines), for the preview.
    public static func sections(of markdown: String) -> [String] {
        markdown.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("#") else { return nil }
            let title = trimmed.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
            return title.isEmpty ? nil : title
        }
    }

    private static func firstLine(_ text: String) -> String {
        text.split(separator: "\n").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "no reason given"
    }
}
