/// The glossary check of a translation someone typed: the machine translator's markers
/// guarantee approved forms, a person's text is checked for them.
extension Glossary {
    /// Whether `translation` holds, for every concept among `hits` (the terms of the
    /// original), the concept's approved form for a reader of `language`. Case, width and
    /// Unicode normalisation do not count; diacritics do (`Vân Đồn`, not `Van Don`).
    package func keepsTerms(_ hits: [TermHit], in translation: String, language: String) -> Bool {
        let text = TextFolding.exactKey(translation.unicodeScalars)
        for conceptIndex in Set(hits.map(\.conceptIndex)) {
            let form = TextFolding.exactKey(approvedForm(of: conceptIndex, for: language).unicodeScalars)
            guard form.isEmpty || Self.contains(text, form) else { return false }
        }
        return true
    }

    /// Whether `needle` occurs in `haystack` as a contiguous run.
    private static func contains(_ haystack: [UInt32], _ needle: [UInt32]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
