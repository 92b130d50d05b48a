/// Why the store refused or failed an operation.
package enum StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The database could not be opened or migrated.
    case openFailed(path: String, reason: String)
    /// SQLite refused a write (disk full, read-only file, I/O error).
    case writeFailed(String)
    /// A read failed.
    case readFailed(String)
    /// The named thing does not exist.
    case notFound(String)
    /// The operation conflicts with what is stored (duplicate name, role mismatch).
    case conflict(String)
    /// An event's seq does not follow the session's last stored seq.
    case outOfSequence(session: String, expected: Int64, got: Int64)
    /// The signing key file is unreadable or malformed.
    case badSigningKey(path: String, reason: String)

    package var description: String {
        switch self {
        case .openFailed(let path, let reason): return "cannot open database \(path): \(reason)"
        case .writeFailed(let reason): return "write failed: \(reason)"
        case .readFailed(let reason): return "read failed: \(reason)"
        case .notFound(let what): return "\(what) not found"
        case .conflict(let what): return what
        case .outOfSequence(let session, let expected, let got):
            return "session \(session): event seq \(got) does not follow the stored sequence (expected \(expected))"
        case .badSigningKey(let path, let reason): return "signing key \(path): \(reason)"
        }
    }
}
