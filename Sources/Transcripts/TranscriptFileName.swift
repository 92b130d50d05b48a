import Dialogue
import Foundation

/// The base name of a session's transcript files: `YYYY-MM-DD_title-slug_SESSIONID`.
package enum TranscriptFileName {
    /// The longest slug kept from a title.
    package static let maximumSlugLength = 48

    /// The base name (no extension) for `session`: creation date (UTC), title slug, session id.
    package static func make(session: SessionInfo) -> String {
        "\(date(session.createdAt))_\(slug(session.title))_\(safeId(session.id))"
    }

    /// `title` in lowercase ASCII letters and digits, diacritics folded (đ → d), other runs
    /// as `-`, at most `maximumSlugLength` characters, "session" when nothing is left.
    package static func slug(_ title: String) -> String {
        let folded = title.lowercased().folding(options: .diacriticInsensitive, locale: nil)
        var out = ""
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            let replacement: String
            switch scalar {
            case "a"..."z", "0"..."9": replacement = String(scalar)
            // Letters that Unicode does not decompose into a base letter and a mark.
            case "đ", "ð": replacement = "d"
            case "ø": replacement = "o"
            case "ł": replacement = "l"
            case "ß": replacement = "ss"
            case "æ": replacement = "ae"
            case "œ": replacement = "oe"
            case "þ": replacement = "th"
            case "ı": replacement = "i"
            default:
                pendingDash = true
                continue
            }
            if pendingDash, !out.isEmpty { out += "-" }
            pendingDash = false
            out += replacement
        }
        if out.count > maximumSlugLength {
            out = String(out.prefix(maximumSlugLength))
            while out.hasSuffix("-") { out.removeLast() }
        }
        return out.isEmpty ? "session" : out
    }

    /// `YYYY-MM-DD` of an RFC 3339 time, in UTC.
    private static func date(_ rfc3339: String) -> String {
        if let ms = Timestamp.parse(rfc3339) { return String(Timestamp.format(milliseconds: ms).prefix(10)) }
        let prefix = String(rfc3339.prefix(10))
        let shapeOK =
            prefix.utf8.count == 10
            && prefix.utf8.enumerated().allSatisfy { i, c in i == 4 || i == 7 ? c == 0x2D : (0x30...0x39).contains(c) }
        return shapeOK ? prefix : "0000-00-00"
    }

    /// The id with anything but ASCII letters, digits, `_` and `-` replaced, so it is safe in a path.
    private static func safeId(_ id: String) -> String {
        let safe = String(
            String.UnicodeScalarView(
                id.unicodeScalars.map { s in
                    s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "_" || s == "-")
                        ? s : "-"
                }))
        return safe.isEmpty ? "unknown" : safe
    }
}
