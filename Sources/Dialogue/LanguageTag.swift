/// BCP 47-style language codes as this server accepts them: `vi`, `en`, `zh-Hant`, `pt-BR`.
package enum LanguageTag {
    /// A primary subtag of 2–3 letters, then up to three alphanumeric subtags of 2–8.
    package static func isValid(_ tag: String) -> Bool {
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false)
        guard let primary = parts.first, (2...3).contains(primary.count), primary.allSatisfy(\.isASCIILetter),
            parts.count <= 4
        else { return false }
        return parts.dropFirst().allSatisfy { part in
            (2...8).contains(part.count) && part.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit }
        }
    }

    /// Lowercases the primary subtag (`EN` → `en`), keeps the rest as written.
    package static func normalise(_ tag: String) -> String {
        var parts = tag.split(separator: "-").map(String.init)
        parts[0] = parts[0].lowercased()
        return parts.joined(separator: "-")
    }

    /// The primary subtag: `zh-Hant` → `zh`.
    package static func base(_ tag: String) -> String {
        String(tag.split(separator: "-").first ?? Substring(tag))
    }

    /// The primary subtag in lower case: what two readers must share to read one translation.
    package static func primary(_ tag: String) -> String { base(tag).lowercased() }
}

extension Character {
    fileprivate var isASCIILetter: Bool { isASCII && isLetter }
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
