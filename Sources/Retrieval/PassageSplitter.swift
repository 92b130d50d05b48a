import Foundation

/// Cuts a Markdown document into passages of a few sentences, overlapping by one, that
/// never cross a heading: a passage is what the assistant quotes and cites, so it must
/// read on its own.
package enum PassageSplitter {
    /// A passage: its section heading (empty before the first), and its text.
    package struct Passage: Sendable, Equatable {
        package var heading: String
        package var text: String
        /// Position in the document, from 0.
        package var position: Int
    }

    /// Sentences per passage, and how many a passage shares with the next one.
    package static let sentencesPerPassage = 3
    package static let overlap = 1
    /// A passage stops growing past this many characters (one long sentence still fits).
    package static let maximumCharacters = 700

    package static func passages(markdown: String) -> [Passage] {
        var passages: [Passage] = []
        for section in sections(markdown) {
            let sentences = section.blocks.flatMap(Self.sentences)
            var start = 0
            while start < sentences.count {
                var end = start
                var length = 0
                while end < sentences.count && end - start < sentencesPerPassage
                    && (end == start || length + sentences[end].count <= maximumCharacters)
                {
                    length += sentences[end].count + 1
                    end += 1
                }
                passages.append(
                    Passage(
                        heading: section.heading, text: sentences[start..<end].joined(separator: " "),
                        position: passages.count))
                if end >= sentences.count { break }
                start = max(start + 1, end - overlap)
            }
        }
        return passages
    }

    /// A heading and the paragraphs and list items under it, as plain text.
    package struct Section: Sendable, Equatable {
        package var heading: String
        /// The heading's `{#anchor}`, the same in every language version of a document.
        package var anchor: String? = nil
        /// Paragraphs and list items, in order.
        package var blocks: [String]
    }

    package static func sections(_ markdown: String) -> [Section] {
        var sections: [Section] = [Section(heading: "", blocks: [])]
        var paragraph: [String] = []
        func endParagraph() {
            if !paragraph.isEmpty { sections[sections.count - 1].blocks.append(paragraph.joined(separator: " ")) }
            paragraph = []
        }
        for rawLine in markdown.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty {
                endParagraph()
                continue
            }
            if line.hasPrefix("#") {
                endParagraph()
                let (heading, anchor) = anchored(String(line.drop(while: { $0 == "#" })))
                sections.append(Section(heading: plain(heading), anchor: anchor, blocks: []))
                continue
            }
            if let item = listItem(line) {
                endParagraph()
                sections[sections.count - 1].blocks.append(plain(item))
                continue
            }
            if line.hasPrefix("|") || line.hasPrefix("---") || line.hasPrefix("```") { continue }
            paragraph.append(plain(line.hasPrefix(">") ? String(line.dropFirst()) : line))
        }
        endParagraph()
        return sections.filter { !$0.blocks.isEmpty }
    }

    /// `Heading {#anchor}` → (`Heading`, `anchor`); a heading without one keeps its text.
    static func anchored(_ heading: String) -> (String, String?) {
        let trimmed = heading.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix("}"), let open = trimmed.range(of: "{#", options: .backwards) else { return (trimmed, nil) }
        let anchor = String(trimmed[open.upperBound..<trimmed.index(before: trimmed.endIndex)])
        guard !anchor.isEmpty, !anchor.contains(" ") else { return (trimmed, nil) }
        return (trimmed[..<open.lowerBound].trimmingCharacters(in: .whitespaces), anchor)
    }

    /// The text of a `- `, `* ` or `1. ` list item.
    static func listItem(_ line: String) -> String? {
        if line.hasPrefix("- ") || line.hasPrefix("* ") || line.hasPrefix("+ ") { return String(line.dropFirst(2)) }
        let digits = line.prefix(while: \.isNumber)
        if !digits.isEmpty, digits.count <= 3, line.dropFirst(digits.count).hasPrefix(". ") {
            return String(line.dropFirst(digits.count + 2))
        }
        return nil
    }

    /// Markdown emphasis, code and link syntax removed: `**a**` → `a`, `[t](u)` → `t`.
    static func plain(_ text: String) -> String {
        var out = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "*" || character == "`" || (character == "_" && isEmphasisUnderscore(text, index)) {
                index = text.index(after: index)
                continue
            }
            if character == "[", let close = text[index...].firstIndex(of: "]"),
                text.index(after: close) < text.endIndex, text[text.index(after: close)] == "(",
                let end = text[close...].firstIndex(of: ")")
            {
                out += text[text.index(after: index)..<close]
                index = text.index(after: end)
                continue
            }
            out.append(character)
            index = text.index(after: index)
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    private static func isEmphasisUnderscore(_ text: String, _ index: String.Index) -> Bool {
        let before = index > text.startIndex ? text[text.index(before: index)] : " "
        let afterIndex = text.index(after: index)
        let after = afterIndex < text.endIndex ? text[afterIndex] : " "
        return !(before.isLetter && after.isLetter)
    }

    /// Sentences of a block: cut after `.`, `!`, `?`, `;` followed by a space, and after
    /// `。！？`, but not inside numbers (`16.7`) or after a one-letter initial.
    package static func sentences(_ block: String) -> [String] {
        var sentences: [String] = []
        var current = ""
        let characters = Array(block)
        for (index, character) in characters.enumerated() {
            current.append(character)
            let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
            let ends: Bool
            switch character {
            case "。", "！", "？":
                ends = true
            case ".", "!", "?":
                let previousWord = current.dropLast().split(separator: " ").last ?? ""
                ends = (next == nil || next == " ") && previousWord.count != 1
            default:
                ends = false
            }
            if ends {
                let sentence = current.trimmingCharacters(in: .whitespaces)
                if !sentence.isEmpty { sentences.append(sentence) }
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespaces)
        if !rest.isEmpty { sentences.append(rest) }
        return sentences
    }
}
