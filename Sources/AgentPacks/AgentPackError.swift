import Foundation

/// A malformed agent pack or agents folder: which file, which line, and what is wrong.
package enum AgentPackError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// `file` as shown to the operator, its 1-based `line` when one can be given, the reason.
    case invalid(file: String, line: Int?, reason: String)

    /// The file or folder at fault, relative to the working directory when inside it.
    package var file: String {
        switch self {
        case .invalid(let file, _, _): file
        }
    }

    /// The 1-based line at fault, or nil when the fault has no place in a text.
    package var line: Int? {
        switch self {
        case .invalid(_, let line, _): line
        }
    }

    /// What is wrong, in words, without the location.
    package var reason: String {
        switch self {
        case .invalid(_, _, let reason): reason
        }
    }

    /// `Agents/x/agent.json:12: greeting missing for language "ko"`, as compilers print it.
    package var description: String {
        if let line { return "\(file):\(line): \(reason)" }
        return "\(file): \(reason)"
    }

    /// Same as `description`, so that `localizedDescription` and logs show file and line.
    package var errorDescription: String? { description }

    /// An error about the file or folder at `url`.
    static func at(_ url: URL, line: Int? = nil, _ reason: String) -> AgentPackError {
        .invalid(file: displayPath(url), line: line, reason: reason)
    }

    /// `url`'s path relative to the working directory when it lies inside it, else absolute.
    static func displayPath(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        var directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .standardizedFileURL.path
        if !directory.hasSuffix("/") { directory += "/" }
        return path.hasPrefix(directory) ? String(path.dropFirst(directory.count)) : path
    }
}
