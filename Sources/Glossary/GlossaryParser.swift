/// Reads the TSV glossary format (contract section 6) and checks every rule, so that a
/// glossary in force never has a broken line in it.
enum GlossaryParser {
    /// Longest form accepted, in characters: a form is a term, not a passage.
    static let maximumFormLength = 200

    struct Parsed {
        var languages: [String]
        var concepts: [GlossaryConcept]
        /// Every form's folded keys, so the matcher need not fold them again.
        var forms: [FormKeys]
    }

    /// One form of one concept, folded both ways.
    struct FormKeys {
        var concept: Int32
        var column: Int16
        var exact: [UInt32]
        var loose: [UInt32]
    }

    /// The columns of the header line, by role.
    private struct Header {
        var count: Int
        var id: Int?
        var keep: Int?
        var note: Int?
        /// (cell index, language tag) in file order.
        var languages: [(Int, String)]
    }

    static func parse(_ text: String) throws(GlossaryError) -> Parsed {
        var lines = split(text[...], at: 0x0A).map { line in
            line.utf8.last == 0x0D ? line.dropLast() : line
        }
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = first.dropFirst() }
        guard let headerLine = lines.first, !headerLine.allSatisfy(\.isWhitespace) else {
            throw GlossaryError(line: 1, "empty file: the first line must name the columns (vi, en, fr, ja, ko, zh, id, keep, note)")
        }
        let header = try parseHeader(headerLine)
        var concepts: [GlossaryConcept] = []
        var formKeys: [FormKeys] = []
        var lineOfId: [String: Int] = [:]
        // Exact key of a form, per language column → (concept index, line).
        var owners: [String: [[UInt32]: (Int, Int)]] = [:]
        for (offset, line) in lines.enumerated().dropFirst() {
            let number = offset + 1
            if line.utf8.allSatisfy({ $0 == 0x20 }) { continue }
            let cells = split(line, at: 0x09)
            guard cells.count == header.count else {
                throw GlossaryError(
                    line: number,
                    "expected \(header.count) tab-separated cells as in the header, found \(cells.count)")
            }
            var concept = GlossaryConcept(id: "", keep: false, note: nil, forms: [:], line: number)
            if let keep = header.keep {
                switch cells[keep].trimmingSpaces {
                case "", "0": concept.keep = false
                case "1": concept.keep = true
                case let other: throw GlossaryError(line: number, "keep must be 1, 0 or empty, not \"\(other)\"")
                }
            }
            if let note = header.note, !cells[note].trimmingSpaces.isEmpty {
                concept.note = cells[note].trimmingSpaces
            }
            for (cell, language) in header.languages {
                let forms = try parseForms(cells[cell], language: language, line: number)
                if !forms.isEmpty { concept.forms[language] = forms }
            }
            guard !concept.forms.isEmpty else {
                throw GlossaryError(line: number, "empty concept: no form in any language column")
            }
            if let idCell = header.id, !cells[idCell].trimmingSpaces.isEmpty {
                let id = cells[idCell].trimmingSpaces
                guard !id.contains(where: { $0.isWhitespace || $0 == "|" }) else {
                    throw GlossaryError(line: number, "id \"\(id)\" holds a space or |")
                }
                if let earlier = lineOfId[id] {
                    throw GlossaryError(line: number, "duplicate id \"\(id)\" (first on line \(earlier))")
                }
                concept.id = id
            } else {
                concept.id = derivedId(for: concept, header: header, taken: lineOfId)
            }
            lineOfId[concept.id] = number
            let index = concepts.count
            for (column, (_, language)) in header.languages.enumerated() {
                for form in concept.forms[language] ?? [] {
                    let key = TextFolding.exactKey(form.unicodeScalars)
                    let loose = TextFolding.looseKey(form.unicodeScalars)
                    guard !loose.isEmpty else {
                        throw GlossaryError(line: number, "form \"\(form)\" (\(language)) has no letters once folded")
                    }
                    formKeys.append(FormKeys(concept: Int32(index), column: Int16(column), exact: key, loose: loose))
                    if let (owner, ownerLine) = owners[language]?[key] {
                        if owner == index {
                            throw GlossaryError(line: number, "form \"\(form)\" (\(language)) is given twice")
                        }
                        throw GlossaryError(
                            line: number,
                            "form \"\(form)\" (\(language)) already belongs to concept \"\(concepts[owner].id)\" on line \(ownerLine); a form may name one concept per language"
                        )
                    }
                    owners[language, default: [:]][key] = (index, number)
                }
            }
            concepts.append(concept)
        }
        return Parsed(languages: header.languages.map(\.1), concepts: concepts, forms: formKeys)
    }

    private static func parseHeader(_ line: Substring) throws(GlossaryError) -> Header {
        let cells = split(line, at: 0x09).map(\.trimmingSpaces)
        var header = Header(count: cells.count, languages: [])
        var seen: Set<String> = []
        for (index, name) in cells.enumerated() {
            let lower = name.lowercased()
            guard !name.isEmpty else {
                throw GlossaryError(line: 1, "column \(index + 1) has no name")
            }
            guard seen.insert(lower).inserted else {
                throw GlossaryError(line: 1, "column \"\(name)\" appears twice")
            }
            switch lower {
            case "id": header.id = index
            case "keep": header.keep = index
            case "note": header.note = index
            default:
                guard LanguageCodes.isKnown(lower) else {
                    throw GlossaryError(
                        line: 1,
                        "unknown language code \"\(name)\" in column \(index + 1): columns are id, keep, note and ISO 639-1 codes such as vi, en, fr, ja, ko, zh"
                    )
                }
                header.languages.append((index, normalisedTag(name)))
            }
        }
        guard !header.languages.isEmpty else {
            throw GlossaryError(line: 1, "no language column: name columns by language code (vi, en, fr, ja, ko, zh)")
        }
        return header
    }

    /// `|`-separated forms of one cell, approved first; refuses empty and overlong forms.
    private static func parseForms(_ cell: Substring, language: String, line: Int) throws(GlossaryError) -> [String] {
        let trimmed = cell.trimmingSpaces
        guard !trimmed.isEmpty else { return [] }
        var forms: [String] = []
        for part in split(trimmed[...], at: 0x7C) {
            let form = part.trimmingSpaces
            guard !form.isEmpty else {
                throw GlossaryError(line: line, "empty form in the \(language) cell (two | in a row, or | at an end)")
            }
            guard form.count <= maximumFormLength else {
                throw GlossaryError(line: line, "form in the \(language) cell is longer than \(maximumFormLength) characters")
            }
            guard form.unicodeScalars.contains(where: { TextFolding.isWordScalar($0.value) }) else {
                throw GlossaryError(line: line, "form \"\(form)\" (\(language)) has no letters once folded")
            }
            // A carriage return not at the end of a line (or another control) would sit in
            // the approved form shown to readers; the matcher treats it as a space and never
            // finds the form whole. Found by fuzz-glossary.
            if let control = form.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
                throw GlossaryError(
                    line: line,
                    "form in the \(language) cell holds the control character U+\(String(control.value, radix: 16, uppercase: true)) (a stray carriage return or similar)"
                )
            }
            if let mark = orphanMark(in: form) {
                throw GlossaryError(
                    line: line,
                    "form \"\(form)\" (\(language)) has a combining mark U+\(String(mark.value, radix: 16, uppercase: true)) with no letter before it (a stray diacritic: retype the letter with its accent)"
                )
            }
            forms.append(form)
        }
        return forms
    }

    /// A combining mark at the start of a form or after a space: it belongs to no letter, so
    /// the matcher could never find the form as written (a mark after `|` or a leading space
    /// survived the cell's trimming, which works on Characters). Found by fuzz-glossary.
    private static func orphanMark(in form: String) -> Unicode.Scalar? {
        var previous: Unicode.Scalar?
        for scalar in form.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark:
                if previous.map({ $0.properties.isWhitespace }) ?? true { return scalar }
            default: break
            }
            previous = scalar
        }
        return nil
    }

    /// An id for a concept without one: its English (else first) approved form, folded to
    /// lower-case ASCII words joined by `-`; numbered when taken.
    private static func derivedId(for concept: GlossaryConcept, header: Header, taken: [String: Int]) -> String {
        let form = concept.forms["en"]?.first ?? header.languages.lazy.compactMap { concept.forms[$0.1]?.first }.first ?? ""
        var slug = ""
        for value in TextFolding.looseKey(form.unicodeScalars) {
            if let scalar = Unicode.Scalar(value), scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, !slug.hasSuffix("-") {
                slug += "-"
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        if slug.isEmpty { slug = "concept-\(concept.line)" }
        var id = slug
        var number = 2
        while taken[id] != nil {
            id = "\(slug)-\(number)"
            number += 1
        }
        return id
    }

    /// `text` cut at every `byte` (an ASCII separator), keeping empty pieces. Works on UTF-8
    /// bytes: splitting on Characters would be slower and would treat "\r\n" as one.
    static func split(_ text: Substring, at byte: UInt8) -> [Substring] {
        var pieces: [Substring] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex {
            if utf8[index] == byte {
                pieces.append(text[start..<index])
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        pieces.append(text[start..<utf8.endIndex])
        return pieces
    }

    /// `ZH-hant` → `zh-Hant`-style: primary subtag lower case, the rest as written.
    private static func normalisedTag(_ tag: String) -> String {
        var parts = tag.split(separator: "-").map(String.init)
        parts[0] = parts[0].lowercased()
        return parts.joined(separator: "-")
    }
}

extension Substring {
    /// Without leading and trailing spaces (tabs separate cells and are never inside one).
    fileprivate var trimmingSpaces: String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\u{A0}" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\u{A0}" { slice = slice.dropLast() }
        return String(slice)
    }
}
