/// `phrases.tsv`: sentences an officer sends with one click, written once per language by
/// the agency, so that every reader gets the approved wording in their own language without
/// any translation service (contract section 7).
///
/// The glossary's file rules: a header naming the columns (`id`, language codes, `note`),
/// then one phrase per line, tab-separated; refused whole, naming the line and the reason.
package struct Phrasebook: Sendable, Equatable {
    /// One phrase: its id and its text per language.
    package struct Phrase: Sendable, Equatable {
        /// Stable, lowercase kebab-case: what `say` names.
        package var id: String
        /// Language code → text; every language of the file.
        package var texts: [String: String]
        /// When to use it, for the officer (may be empty).
        package var note: String
        /// 1-based line in the file.
        package var line: Int

        /// The text for a reader of `language` (its primary subtag too), if the phrase has it.
        package func text(in language: String) -> String? {
            texts[language] ?? texts[String(language.split(separator: "-").first ?? "")]
        }
    }

    /// The file's name inside a pack.
    package static let fileName = "phrases.tsv"
    /// Longest phrase accepted, in characters: the limit of a `say`.
    package static let maximumLength = 2_000

    /// The language columns, in file order.
    package var languages: [String]
    /// The phrases, in file order.
    package var phrases: [Phrase]

    /// The phrase with this id.
    package func phrase(id: String) -> Phrase? { phrases.first { $0.id == id } }

    /// A problem with the file: its 1-based line and what is wrong.
    package struct ParseError: Error, Equatable {
        package var line: Int
        package var reason: String
    }

    /// Parses the file's text; every line is checked and the first fault refuses the file.
    package static func parse(_ text: String) throws(ParseError) -> Phrasebook {
        // "\r\n" is one Character in Swift: split on both so Windows-edited files read alike.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map {
            line in line.hasSuffix("\r") ? line.dropLast() : line
        }
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = first.dropFirst() }
        guard let header = lines.first, !header.allSatisfy(\.isWhitespace) else {
            throw ParseError(line: 1, reason: "empty file: the first line must name the columns (id, vi, en, …, note)")
        }
        let columns = header.split(separator: "\t", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard let idColumn = columns.firstIndex(of: "id") else {
            throw ParseError(line: 1, reason: "the header has no \"id\" column")
        }
        let noteColumn = columns.firstIndex(of: "note")
        var languageColumns: [(Int, String)] = []
        for (index, name) in columns.enumerated() where index != idColumn && index != noteColumn {
            guard AgentManifest.isLanguageCode(name) else {
                throw ParseError(line: 1, reason: "column \"\(name)\" is neither id, note nor a language code like vi or zh")
            }
            guard !languageColumns.contains(where: { $0.1 == name }) else {
                throw ParseError(line: 1, reason: "language column \"\(name)\" appears twice")
            }
            languageColumns.append((index, name))
        }
        guard !languageColumns.isEmpty else { throw ParseError(line: 1, reason: "the header names no language column") }
        var phrases: [Phrase] = []
        var lineOfId: [String: Int] = [:]
        for (offset, line) in lines.enumerated().dropFirst() {
            let number = offset + 1
            if line.allSatisfy(\.isWhitespace) { continue }
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count == columns.count else {
                throw ParseError(
                    line: number, reason: "expected \(columns.count) tab-separated cells as in the header, found \(cells.count)")
            }
            let id = cells[idColumn]
            guard isPhraseId(id) else {
                throw ParseError(line: number, reason: "id \"\(id)\" is not lowercase letters, digits and hyphens")
            }
            if let earlier = lineOfId[id] {
                throw ParseError(line: number, reason: "id \"\(id)\" is already used on line \(earlier)")
            }
            lineOfId[id] = number
            var texts: [String: String] = [:]
            for (index, language) in languageColumns {
                let text = cells[index]
                guard !text.isEmpty else {
                    throw ParseError(line: number, reason: "phrase \"\(id)\" has no \(language) text")
                }
                // Control characters (a stray carriage return, NUL) would be sent to readers
                // as part of the approved wording. Found by fuzz-phrasebook.
                if let control = text.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
                    throw ParseError(
                        line: number,
                        reason:
                            "the \(language) text holds the control character U+\(String(control.value, radix: 16, uppercase: true)) (a stray carriage return or similar)"
                    )
                }
                guard text.count <= maximumLength else {
                    throw ParseError(line: number, reason: "the \(language) text is longer than \(maximumLength) characters")
                }
                texts[language] = text
            }
            phrases.append(Phrase(id: id, texts: texts, note: noteColumn.map { cells[$0] } ?? "", line: number))
        }
        return Phrasebook(languages: languageColumns.map(\.1), phrases: phrases)
    }

    /// `greeting-welcome`: lowercase ASCII letters and digits in hyphen-separated words.
    static func isPhraseId(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && !id.hasPrefix("-") && !id.hasSuffix("-") && !id.contains("--")
            && id.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
    }
}

/// The text and language a phrase is stored in: the sender's language when the phrase has
/// it, else the pack's default language, else the phrasebook's first.
package struct PhraseChoice: Sendable, Equatable {
    /// The stored `text`.
    package var text: String
    /// The stored `language`.
    package var language: String

    package init(phrase: Phrasebook.Phrase, senderLanguage: String, packLanguage: String) {
        let primary = String(senderLanguage.split(separator: "-").first ?? "")
        for language in [senderLanguage, primary, packLanguage] {
            if let text = phrase.texts[language] {
                self.text = text
                self.language = language
                return
            }
        }
        let first = phrase.texts.keys.sorted().first ?? packLanguage
        self.text = phrase.texts[first] ?? ""
        self.language = first
    }
}
