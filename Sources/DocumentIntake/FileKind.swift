import Foundation

/// What an uploaded file is, judged from its bytes (the `Content-Type` a client sends is
/// only a claim): the types officers may upload as documents or share in a session.
public enum FileKind: String, Sendable, CaseIterable {
    case pdf, docx, html, markdown, text, png, jpeg, webp

    /// The media type stored and served.
    public var mediaType: String {
        switch self {
        case .pdf: return "application/pdf"
        case .docx: return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .html: return "text/html"
        case .markdown: return "text/markdown"
        case .text: return "text/plain"
        case .png: return "image/png"
        case .jpeg: return "image/jpeg"
        case .webp: return "image/webp"
        }
    }

    /// The kind a declared media type names (parameters such as `charset` ignored).
    public static func declared(_ contentType: String?) -> FileKind? {
        guard let contentType else { return nil }
        let bare = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if bare == "text/x-markdown" { return .markdown }
        return allCases.first { $0.mediaType == bare }
    }

    /// The kind the bytes show, checked against what the client declared: binary formats by
    /// their signatures, text ones by being UTF-8 (HTML when it looks like markup). Nil
    /// with the reason when the content does not match any kind or the declared one.
    public static func sniff(_ bytes: [UInt8], declared: FileKind?) -> Result<FileKind, IntakeError> {
        let found: FileKind?
        if bytes.starts(with: Array("%PDF-".utf8)) {
            found = .pdf
        } else if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            // A zip: a DOCX only when it holds word/document.xml (checked by ZipDirectory).
            found = .docx
        } else if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            found = .png
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            found = .jpeg
        } else if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) {
            found = .webp
        } else if bytes.contains(0) || String(validating: bytes, as: UTF8.self) == nil {
            found = nil
        } else {
            // Text: HTML if it says so, else what the client declared among the text kinds.
            let head = String(decoding: bytes.prefix(1024), as: UTF8.self).lowercased()
            let looksLikeHTML = head.contains("<html") || head.contains("<!doctype html") || head.contains("<body")
            if looksLikeHTML || declared == .html {
                found = looksLikeHTML ? .html : nil
            } else {
                found = declared == .markdown ? .markdown : .text
            }
        }
        guard let found else {
            return .failure(.unknownType("the file is not a PDF, DOCX, HTML, Markdown or UTF-8 text file, nor a PNG, JPEG or WebP image"))
        }
        if let declared, declared != found, !(declared.isText && found.isText) {
            return .failure(
                .unknownType("the file was sent as \(declared.mediaType) but its content is \(found.mediaType)"))
        }
        return .success(found)
    }

    /// Kinds that are UTF-8 text.
    public var isText: Bool { self == .markdown || self == .text || self == .html }

    /// Kinds that become pack documents.
    public var isDocument: Bool { [.pdf, .docx, .html, .markdown, .text].contains(self) }
}
