import Foundation

/// How the glossary compares text: per Unicode scalar, so every folded scalar still knows
/// which scalar of the original text it came from (terms report offsets into what was
/// written, not into a normalised copy).
///
/// Two foldings:
/// - **exact**: compatibility decomposition (which also folds full- and half-width forms),
///   lower case, curly apostrophes and dashes unified, whitespace runs as one space, marks in
///   canonical order. Two spellings with the same exact key differ only in normalisation,
///   case or width: `Vân Đồn` = `VÂN ĐỒN` = NFD `Vân Đồn`.
/// - **loose**: the exact key without Latin, Greek and Cyrillic diacritics, with `đ`→`d`,
///   `ø`→`o`, `ł`→`l`, `ı`→`i`: `Vân Đồn` = `van don`. Japanese voicing marks (゛) and Hangul
///   jamo are not diacritics and stay.
package enum TextFolding {
    /// Flat tables over the Basic Multilingual Plane, built once: how each scalar folds, and
    /// what kind of character it is. A message is folded with array look-ups only.
    struct Tables: Sendable {
        /// Per BMP scalar: the folded scalar itself; `dropped`; or `multi` | start << 8 | count
        /// into `pool`.
        var loose: [UInt32]
        var exact: [UInt32]
        var pool: [UInt32]
        /// Per BMP scalar, `Flag` bits.
        var flags: [UInt8]
    }

    static let dropped: UInt32 = 0xFFFF_FFFF
    static let multi: UInt32 = 0x8000_0000

    enum Flag {
        static let space: UInt8 = 1
        static let word: UInt8 = 2
        static let unspaced: UInt8 = 4
        static let insideHangulSyllable: UInt8 = 8
        static let spacedWord: UInt8 = 16
    }

    static let tables: Tables = buildTables()

    @inline(__always)
    static func append(_ value: UInt32, table: [UInt32], pool: [UInt32], to out: inout [UInt32]) -> Int {
        if value < 0x80 {
            out.append(value >= 0x41 && value <= 0x5A ? value + 0x20 : value)
            return 1
        }
        guard value < 0x10000 else {
            guard let scalar = Unicode.Scalar(value), scalar.properties.changesWhenLowercased else {
                out.append(value)
                return 1
            }
            let lower = scalar.properties.lowercaseMapping.unicodeScalars.map(\.value)
            out.append(contentsOf: lower)
            return lower.count
        }
        let entry = table[Int(value)]
        if entry & multi == 0 {
            out.append(entry)
            return 1
        }
        if entry == dropped { return 0 }
        let start = Int((entry & ~multi) >> 8)
        let count = Int(entry & 0xFF)
        out.append(contentsOf: pool[start..<start + count])
        return count
    }

    /// Appends the loose folding of one scalar (lower case, no Latin diacritics, full-width
    /// forms as ASCII); for other modules that tokenise text the way the glossary matches it.
    @inline(__always)
    package static func appendLoose(_ value: UInt32, to out: inout [UInt32]) {
        _ = append(value, table: tables.loose, pool: tables.pool, to: &out)
    }

    /// The kind of a (folded) scalar: `Flag` bits.
    @inline(__always)
    static func flags(_ value: UInt32) -> UInt8 {
        if value < 0x10000 { return tables.flags[Int(value)] }
        return computeFlags(value)
    }

    /// Whether a folded scalar is a letter, digit or mark (not a word separator).
    package static func isWordScalar(_ value: UInt32) -> Bool { flags(value) & Flag.word != 0 }

    /// A word character of a script written with spaces (Latin, Vietnamese, Greek,
    /// Cyrillic…): terms in these scripts start and end at word boundaries. Han, kana, Thai,
    /// Lao, Khmer and Myanmar are written without spaces; Hangul is matched by syllables.
    @inline(__always)
    package static func isSpacedWordScalar(_ value: UInt32) -> Bool { flags(value) & Flag.spacedWord != 0 }

    /// A conjoining jamo vowel or final consonant: a position inside a Hangul syllable.
    @inline(__always)
    static func isInsideHangulSyllable(_ value: UInt32) -> Bool { flags(value) & Flag.insideHangulSyllable != 0 }

    @inline(__always)
    static func isSpace(_ value: UInt32) -> Bool {
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        return flags(value) & Flag.space != 0
    }

    /// The exact key of a whole string (a glossary form, or text already cut to a term).
    package static func exactKey<S: Sequence<Unicode.Scalar>>(_ scalars: S) -> [UInt32] {
        var out = fold(scalars, table: tables.exact)
        reorderMarks(&out)
        return out
    }

    /// The loose key of a whole string.
    package static func looseKey<S: Sequence<Unicode.Scalar>>(_ scalars: S) -> [UInt32] {
        fold(scalars, table: tables.loose)
    }

    /// `scalars` folded through `table`, whitespace runs as one space, trimmed.
    private static func fold<S: Sequence<Unicode.Scalar>>(_ scalars: S, table: [UInt32]) -> [UInt32] {
        let pool = tables.pool
        var out: [UInt32] = []
        for scalar in scalars {
            if isSpace(scalar.value) {
                if out.last != 0x20 { out.append(0x20) }
                continue
            }
            _ = append(scalar.value, table: table, pool: pool, to: &out)
        }
        trimSpaces(&out)
        return out
    }

    /// `key` as a String, for messages and tests.
    package static func string(_ key: [UInt32]) -> String {
        var text = String.UnicodeScalarView()
        text.append(contentsOf: key.compactMap(Unicode.Scalar.init))
        return String(text)
    }

    private static func trimSpaces(_ key: inout [UInt32]) {
        while key.last == 0x20 { key.removeLast() }
        if key.first == 0x20 { key.removeFirst() }
    }

    /// Canonical ordering: runs of combining marks sorted by combining class (stable), so
    /// `e` + circumflex + dot below equals `e` + dot below + circumflex.
    private static func reorderMarks(_ key: inout [UInt32]) {
        var index = 0
        while index < key.count {
            guard combiningClass(key[index]) != 0 else {
                index += 1
                continue
            }
            var end = index
            while end < key.count, combiningClass(key[end]) != 0 { end += 1 }
            if end - index > 1 {
                let run = key[index..<end].enumerated().sorted {
                    (combiningClass($0.element), $0.offset) < (combiningClass($1.element), $1.offset)
                }
                key.replaceSubrange(index..<end, with: run.map(\.element))
            }
            index = end
        }
    }

    private static func combiningClass(_ value: UInt32) -> UInt8 {
        guard value >= 0x300, let scalar = Unicode.Scalar(value) else { return 0 }
        return scalar.properties.canonicalCombiningClass.rawValue
    }

    /// Diacritics that loose matching ignores: the combining blocks used by Latin, Greek and
    /// Cyrillic (not the kana voicing marks, which change the sound).
    static func isFoldedDiacritic(_ value: UInt32) -> Bool {
        switch value {
        case 0x0300...0x036F, 0x0483...0x0489, 0x1AB0...0x1AFF, 0x1DC0...0x1DFF, 0x20D0...0x20FF, 0xFE20...0xFE2F:
            return true
        default:
            return false
        }
    }

    /// Letters with no decomposition that readers still expect to match their base letter.
    static let looseLetters: [UInt32: [UInt32]] = [
        0x0111: [0x64], 0x0110: [0x64],  // đ Đ
        0x00F8: [0x6F], 0x00D8: [0x6F],  // ø Ø
        0x0142: [0x6C], 0x0141: [0x6C],  // ł Ł
        0x0131: [0x69],  // ı
        0x0127: [0x68], 0x0126: [0x68],  // ħ Ħ
        0x00F0: [0x64], 0x00D0: [0x64],  // ð Ð
    ]

    /// Punctuation that people type in several shapes.
    static let punctuation: [UInt32: UInt32] = [
        0x2018: 0x27, 0x2019: 0x27, 0x02BC: 0x27, 0x2032: 0x27, 0xFF07: 0x27,  // apostrophes
        0x201C: 0x22, 0x201D: 0x22,  // quotes
        0x2010: 0x2D, 0x2011: 0x2D, 0x2012: 0x2D, 0x2013: 0x2D, 0x2014: 0x2D, 0x2212: 0x2D,  // dashes
    ]

    /// The blocks where decomposition or width changes a scalar's folding.
    private static let foldedBlocks: [ClosedRange<UInt32>] = [
        0x0080...0x052F,  // Latin-1, Latin Extended A/B, IPA, modifiers, combining, Greek, Cyrillic
        0x1E00...0x1FFF,  // Latin Extended Additional (Vietnamese), Greek Extended
        0x2000...0x24FF,  // punctuation, letterlike symbols, number forms, enclosed alphanumerics
        0x3000...0x30FF,  // ideographic space, CJK punctuation, kana
        0x3130...0x318F,  // Hangul compatibility jamo
        0x3200...0x33FF,  // enclosed CJK, CJK compatibility
        0xF900...0xFAFF,  // CJK compatibility ideographs
        0xFB00...0xFB4F,  // ligatures
        0xFE30...0xFE6F,  // CJK compatibility and small forms
        0xFF00...0xFFEF,  // full- and half-width forms
    ]

    private static func computeFlags(_ value: UInt32) -> UInt8 {
        guard let scalar = Unicode.Scalar(value) else { return 0 }
        let properties = scalar.properties
        var flags: UInt8 = 0
        if properties.isWhitespace { flags |= Flag.space }
        let isWord =
            properties.isAlphabetic || properties.numericType != nil
            || properties.generalCategory == .nonspacingMark || properties.generalCategory == .spacingMark
        if isWord { flags |= Flag.word }
        let unspaced: Bool
        switch value {
        case 0x0E00...0x0EFF, 0x1000...0x109F, 0x1780...0x17FF,  // Thai, Lao, Myanmar, Khmer
            0x2E80...0x2FDF, 0x3005...0x3007, 0x3021...0x3029, 0x3040...0x30FF, 0x31F0...0x31FF,
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0xFF66...0xFF9F, 0x20000...0x3FFFF:
            unspaced = true
        default:
            unspaced = false
        }
        if unspaced { flags |= Flag.unspaced }
        let hangul = (0x1100...0x11FF).contains(value) || (0xAC00...0xD7FF).contains(value)
        if (0x1161...0x11FF).contains(value) || (0xD7B0...0xD7FF).contains(value) {
            flags |= Flag.insideHangulSyllable
        }
        if isWord && !unspaced && !hangul { flags |= Flag.spacedWord }
        return flags
    }

    private static func buildTables() -> Tables {
        var loose = [UInt32](repeating: 0, count: 0x10000)
        var exact = [UInt32](repeating: 0, count: 0x10000)
        var flags = [UInt8](repeating: 0, count: 0x10000)
        var pool: [UInt32] = []
        func encode(_ mapped: [UInt32], for value: UInt32) -> UInt32 {
            if mapped.isEmpty { return dropped }
            if mapped.count == 1 && mapped[0] & multi == 0 { return mapped[0] }
            let start = UInt32(pool.count)
            pool.append(contentsOf: mapped)
            return multi | start << 8 | UInt32(mapped.count)
        }
        for value in UInt32(0)..<0x10000 {
            flags[Int(value)] = computeFlags(value)
            guard let scalar = Unicode.Scalar(value) else {
                loose[Int(value)] = value
                exact[Int(value)] = value
                continue
            }
            var exactMapping: [UInt32] = [value]
            if let target = punctuation[value] {
                exactMapping = [target]
            } else if (0xAC00...0xD7A3).contains(value) {
                // A Hangul syllable as its conjoining jamo (the Unicode algorithm), so NFD
                // Korean input and syllable boundaries inside words both work.
                let index = value - 0xAC00
                exactMapping = [0x1100 + index / 588, 0x1161 + (index % 588) / 28]
                if index % 28 != 0 { exactMapping.append(0x11A7 + index % 28) }
            } else if foldedBlocks.contains(where: { $0.contains(value) }) {
                let decomposed = String(Character(scalar)).decomposedStringWithCompatibilityMapping
                exactMapping = []
                for part in decomposed.unicodeScalars {
                    if let target = punctuation[part.value] {
                        exactMapping.append(target)
                    } else if part.properties.changesWhenLowercased {
                        exactMapping.append(contentsOf: part.properties.lowercaseMapping.unicodeScalars.map(\.value))
                    } else {
                        exactMapping.append(part.value)
                    }
                }
            } else if scalar.properties.changesWhenLowercased {
                exactMapping = scalar.properties.lowercaseMapping.unicodeScalars.map(\.value)
            }
            var looseMapping: [UInt32] = []
            for part in exactMapping where !isFoldedDiacritic(part) {
                looseMapping.append(contentsOf: looseLetters[part] ?? [part])
            }
            exact[Int(value)] = encode(exactMapping, for: value)
            loose[Int(value)] = encode(looseMapping, for: value)
        }
        return Tables(loose: loose, exact: exact, pool: pool, flags: flags)
    }
}

/// A text folded loosely, scalar by scalar, remembering where each folded scalar came from.
package struct FoldedText: Sendable {
    /// The text as written.
    package let text: String
    /// The loose folding, with whitespace runs as one space.
    package private(set) var scalars: [UInt32] = []
    /// For each folded scalar, the UTF-8 and UTF-16 offsets of the original scalar it came from.
    private var sourceUTF8: [Int32] = []
    private var sourceUTF16: [Int32] = []
    private var utf16Count: Int32 = 0

    /// Folds `text`.
    package init(_ text: String) {
        self.text = text
        let capacity = text.utf8.count
        scalars.reserveCapacity(capacity)
        sourceUTF8.reserveCapacity(capacity)
        sourceUTF16.reserveCapacity(capacity)
        let tables = TextFolding.tables
        var utf8: Int32 = 0
        var utf16: Int32 = 0
        var lastWasSpace = false
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if TextFolding.isSpace(value) {
                if !lastWasSpace {
                    scalars.append(0x20)
                    sourceUTF8.append(utf8)
                    sourceUTF16.append(utf16)
                    lastWasSpace = true
                }
            } else {
                let count = TextFolding.append(value, table: tables.loose, pool: tables.pool, to: &scalars)
                for _ in 0..<count {
                    sourceUTF8.append(utf8)
                    sourceUTF16.append(utf16)
                }
                if count > 0 { lastWasSpace = false }
            }
            utf8 += value < 0x80 ? 1 : value < 0x800 ? 2 : value < 0x10000 ? 3 : 4
            utf16 += value > 0xFFFF ? 2 : 1
        }
        utf16Count = utf16
    }

    /// UTF-16 range in the original text of the folded range `start..<end`: from the first
    /// folded scalar's source to just before the next folded scalar's source, so trailing
    /// diacritics the folding dropped (NFD input) stay inside the term.
    package func utf16Range(folded start: Int, _ end: Int) -> (start: Int, end: Int) {
        (Int(sourceUTF16[start]), Int(end < sourceUTF16.count ? sourceUTF16[end] : utf16Count))
    }

    /// The original text under the folded range (the term as written).
    package func originalText(folded start: Int, _ end: Int) -> Substring {
        let utf8 = text.utf8
        let from = utf8.index(utf8.startIndex, offsetBy: Int(sourceUTF8[start]))
        let to = end < sourceUTF8.count ? utf8.index(utf8.startIndex, offsetBy: Int(sourceUTF8[end])) : utf8.endIndex
        return text[from..<to]
    }

    /// The exact key of the original text under the folded range.
    package func exactKey(folded start: Int, _ end: Int) -> [UInt32] {
        TextFolding.exactKey(originalText(folded: start, end).unicodeScalars)
    }
}
