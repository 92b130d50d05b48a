import Foundation

/// Writes header fields: RFC 2047 encoded words for non-ASCII text, RFC 2231 parameters for
/// non-ASCII file names, and folding so that every line stays within 78 characters.
///
/// A header is built from tokens that are each written whole, separated by one space; a line
/// break may replace any of those spaces (folding). The callers choose the tokens so that
/// none is longer than a line: encoded words are at most 75 characters (RFC 2047 §2).
enum HeaderWriter {
    /// RFC 5322 §2.1.1: lines SHOULD be at most 78 characters, without the CRLF.
    static let lineLimit = 78
    /// RFC 2047 §2: an encoded word is at most 75 characters.
    static let encodedWordLimit = 75
    private static let encodedWordPrefix = "=?UTF-8?B?"
    private static let encodedWordSuffix = "?="

    /// `Name: token token…`, folded; lines joined with CRLF, no CRLF at the end.
    static func field(_ name: String, tokens: [String]) -> String {
        var text = name + ":"
        var lineLength = text.utf8.count
        for token in tokens {
            let length = token.utf8.count
            // Never fold before an empty token (a line of only whitespace is not allowed), nor
            // before one too long for any line: folding would only add a line.
            if lineLength + 1 + length > lineLimit, !token.isEmpty, 1 + length <= lineLimit {
                text += "\r\n " + token
                lineLength = 1 + length
            } else {
                text += " " + token
                lineLength += 1 + length
            }
        }
        return text
    }

    /// The tokens of an unstructured value (Subject, an extra header): its words as they are
    /// when it is plain ASCII that folding gives back exactly, otherwise encoded words.
    static func unstructuredTokens(_ text: String, fieldName: String) -> [String] {
        if text.isEmpty { return [] }
        if isPlainFoldable(text) {
            return text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        }
        return encodedWords(text, firstLimit: lineLimit - fieldName.utf8.count - 2)
    }

    /// The tokens of a display name in a mailbox (RFC 5322 §3.4 phrase): atoms, one quoted
    /// string, or encoded words.
    static func phraseTokens(_ name: String, fieldName: String) -> [String] {
        if isPlainFoldable(name), name.allSatisfy({ $0 == " " || isAtext($0) }) {
            return name.split(separator: " ").map(String.init)
        }
        if isPlainFoldable(name) {
            let quoted =
                "\""
                + name.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"") + "\""
            if quoted.utf8.count <= lineLimit - 2 { return [quoted] }
        }
        return encodedWords(name, firstLimit: lineLimit - fieldName.utf8.count - 2)
    }

    /// Printable ASCII words separated by single spaces, none longer than a line, and nothing
    /// a decoder would take for an encoded word.
    static func isPlainFoldable(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return false }
        guard !text.hasPrefix(" "), !text.hasSuffix(" "), !text.contains("  "), !text.contains("=?") else {
            return false
        }
        return text.split(separator: " ").allSatisfy { $0.utf8.count <= lineLimit - 2 }
    }

    /// RFC 2047 "B" encoded words for `text`, each at most 75 characters (the first at most
    /// `firstLimit`, so that it fits after the field name), each holding whole characters:
    /// a word never ends inside a UTF-8 sequence, nor inside a grapheme that fits in one word.
    static func encodedWords(_ text: String, firstLimit: Int) -> [String] {
        // Too little room after a long field name: the first word starts on the next line.
        var limit = firstLimit >= 24 ? min(firstLimit, encodedWordLimit) : encodedWordLimit
        var words: [String] = []
        var pending: [UInt8] = []
        func capacity(_ limit: Int) -> Int {
            (limit - encodedWordPrefix.utf8.count - encodedWordSuffix.utf8.count) / 4 * 3
        }
        func add(_ unit: [UInt8]) {
            if !pending.isEmpty, pending.count + unit.count > capacity(limit) {
                words.append(encodedWordPrefix + Data(pending).base64EncodedString() + encodedWordSuffix)
                pending = []
                limit = encodedWordLimit
            }
            pending += unit
        }
        for character in text {
            let bytes = Array(String(character).utf8)
            if bytes.count <= capacity(encodedWordLimit) {
                add(bytes)
            } else {
                // A grapheme longer than a whole word: split it between its scalars.
                for scalar in character.unicodeScalars { add(Array(String(scalar).utf8)) }
            }
        }
        if !pending.isEmpty || words.isEmpty {
            words.append(encodedWordPrefix + Data(pending).base64EncodedString() + encodedWordSuffix)
        }
        return words
    }

    /// The tokens of a MIME parameter, `name="value"` or, for a non-ASCII or long value, the
    /// RFC 2231 form `name*0*=UTF-8''%E2%80%A6; name*1*=…` cut between characters.
    /// A `;` ends every token but the last, so that the caller can append more parameters.
    static func parameterTokens(_ name: String, value: String) -> [String] {
        let plain = value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        if plain, value.utf8.count <= 60 {
            let quoted = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return ["\(name)=\"\(quoted)\""]
        }
        var sections: [String] = []
        var current = ""
        for character in value {
            let encoded = String(character).utf8.map(percentEncoded).joined()
            if !current.isEmpty, current.utf8.count + encoded.utf8.count > 50 {
                sections.append(current)
                current = ""
            }
            current += encoded
        }
        sections.append(current)
        return sections.enumerated().map { index, section in
            let prefix = index == 0 ? "UTF-8''" : ""
            let separator = index == sections.count - 1 ? "" : ";"
            return "\(name)*\(index)*=\(prefix)\(section)\(separator)"
        }
    }

    /// RFC 2231 attribute-char: everything else is percent-encoded.
    private static func percentEncoded(_ byte: UInt8) -> String {
        let safe = byte > 0x20 && byte < 0x7F && !"*'%()<>@,;:\\\"/[]?=".utf8.contains(byte)
        if safe { return String(UnicodeScalar(byte)) }
        let hex = String(byte, radix: 16, uppercase: true)
        return "%" + (hex.count == 1 ? "0" + hex : hex)
    }

    /// RFC 5322 §3.2.3 atext, for ASCII characters.
    static func isAtext(_ character: Character) -> Bool {
        guard character.isASCII else { return false }
        return character.isLetter || character.isNumber || "!#$%&'*+-/=?^_`{|}~".contains(character)
    }

    /// RFC 5322 §3.3 date-time in UTC: `Mon, 07 Dec 2026 04:36:00 +0000`. Computed by hand
    /// (days since 1970 to the civil date) rather than with a formatter and its locale.
    static func date(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Howard Hinnant's days_from_civil inverse, on a calendar whose years start in March.
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        // 1970-01-01 was a Thursday.
        let weekday = ((days % 7) + 7 + 4) % 7
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let time = "\(two(secondOfDay / 3_600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
        return "\(weekdays[Int(weekday)]), \(two(day)) \(months[Int(month - 1)]) \(year) \(time) +0000"
    }
}
