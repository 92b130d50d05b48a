/// Why a transcript export could not be read: the one error type of this module.
package enum TranscriptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is not JSON, or a field is missing or of the wrong type; says which and where.
    case unreadable(String)
    /// The document is JSON but not a `dialogue-transcript` (the `format` found is given).
    case wrongFormat(String)
    /// A `dialogue-transcript` of a version this server does not know.
    case unsupportedVersion(Int64)
    /// A signature algorithm other than Ed25519.
    case unsupportedAlgorithm(String)

    /// A readable sentence for logs, HTTP errors and the command line.
    package var description: String {
        switch self {
        case .unreadable(let reason): return "unreadable transcript: \(reason)"
        case .wrongFormat(let format): return "not a dialogue transcript (format \"\(format)\")"
        case .unsupportedVersion(let version): return "unsupported transcript version \(version) (this server reads 1 and 2)"
        case .unsupportedAlgorithm(let name): return "unsupported signature algorithm \"\(name)\" (expected Ed25519)"
        }
    }
}
