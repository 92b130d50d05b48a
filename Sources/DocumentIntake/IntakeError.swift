/// Why an uploaded file was refused, in words for the officer who sent it.
public enum IntakeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Neither a known type nor the type it claims.
    case unknownType(String)
    /// A PDF that needs a password to be read.
    case encrypted
    /// A PDF whose pages hold no text (a scan): nothing to answer from.
    case noTextLayer
    /// Too many pages, too large once unpacked, or too long to convert.
    case tooLarge(String)
    /// A zip whose entries unpack to far more than it weighs.
    case zipBomb(String)
    /// The converter refused the file.
    case broken(String)
    /// The converter is missing or could not be run.
    case converterUnavailable(String)

    public var description: String {
        switch self {
        case .unknownType(let why): return why
        case .encrypted: return "the PDF is encrypted (password-protected); upload an unprotected copy"
        case .noTextLayer:
            return "the PDF has no text layer (a scanned document?); upload a PDF with selectable text, or its Word file"
        case .tooLarge(let why): return why
        case .zipBomb(let why): return "refused as a zip bomb: \(why)"
        case .broken(let why): return why
        case .converterUnavailable(let why): return why
        }
    }
}
