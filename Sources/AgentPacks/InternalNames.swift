/// Pack file names are the agency's internal references: investors read a document's title.
/// A text bound for investors (the assistant's answers and drafts) has every file name of
/// the pack's documents (`van-don-high-tech-zone.fr.md`, or the id without `.md`) replaced
/// by the document's title in quotes.
package enum InternalNames {
    package static func replacingFileNames(in text: String, documents: [PackDocument]) -> String {
        guard text.contains(".") else { return text }
        var out = text
        // Longest ids first, so `a-b.en` never eats part of `x-a-b.en`.
        for document in documents.sorted(by: { $0.id.count > $1.id.count }) where out.contains(document.id) {
            for name in [document.id + ".md", document.id] {
                out = replaceWhole(name, with: "“\(document.title)”", in: out)
            }
        }
        return out
    }

    /// Replaces `name` where it stands as a whole token (not inside a longer id or word).
    private static func replaceWhole(_ name: String, with replacement: String, in text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let range = rest.range(of: name) {
            let before = rest[..<range.lowerBound].last
            let after = rest[range.upperBound...].first
            let joined: (Character?) -> Bool = { c in
                guard let c else { return false }
                return c.isLetter || c.isNumber || c == "-" || c == "_" || c == "/"
            }
            // `.md` after the id is part of a longer name handled first; a dot then a letter continues it.
            let continues = after == "." && rest[range.upperBound...].dropFirst().first?.isLetter == true
            if joined(before) || joined(after) || continues {
                result += rest[..<range.upperBound]
            } else {
                result += rest[..<range.lowerBound] + replacement
            }
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
