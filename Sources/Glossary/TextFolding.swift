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
    /// The folded scalars of one original scalar, in both foldings.
    struct Mapping: Sendable {
        var exact: [UInt32]
        var loose: [UInt32]
    }

    /// Mappings of the scalars whose folding is not just themselves, built once from
    /// Foundation's decompositions for the blocks where that matters.
    static let table: [UInt32: Mapping] = buildTable()

    /// The exact folding of one scalar (ASCII and CJK ideographs without a lookup).
    @inline(__always)
    static func appendExact(_ value: UInt32, to out: inout [UInt32]) {
        if value < 0x80 {
            out.append(value >= 0x41 && value <= 0x5A ? value + 0x20 : value)
        } else if let mapping = mapping(value) {
            out.append(contentsOf: mapping.exact)
        } else {
            out.append(value)
        }
    }

    /// The loose folding of one scalar.
    @inline(__always)
    static func appendLoose(_ value: UInt32, to out: inout [UInt32]) {
        if value < 0x80 {
            out.append(value >= 0x41 && value <= 0x5A ? value + 0x20 : value)
        } else if let mapping = mapping(value) {
            out.append(contentsOf: mapping.loose)
        } else {
            out.append(value)
        }
    }

    /// The mapping of a non-ASCII scalar, or nil when it folds to itself.
    @inline(__always)
    static func mapping(_ value: UInt32) -> Mapping? {
        if value >= 0x4E00 && value <= 0x9FFF { return nil }  // CJK unified ideographs
        if value >= 0xAC00 && value <= 0xD7A3 { return hangul(value) }
        if let mapping = table[value] { return mapping }
        guard let scalar = Unicode.Scalar(value), scalar.properties.changesWhenLowercased else { return nil }
        let lower = scalar.properties.lowercaseMapping.unicodeScalars.map(\.value)
        return Mapping(exact: lower, loose: lower)
    }

    /// A Hangul syllable as its conjoining jamo (the Unicode algorithm), so that NFD Korean
    /// input and syllable boundaries inside words both work.
    static func hangul(_ value: UInt32) -> Mapping {
        let index = value - 0xAC00
        var jamo: [UInt32] = [0x1100 + index / 588, 0x1161 + (index % 588) / 28]
        if index % 28 != 0 { jamo.append(0x11A7 + index % 28) }
        return Mapping(exact: jamo, loose: jamo)
    }

    /// Whether a folded scalar separates words: whitespace and punctuation do, letters,
    /// digits and marks do not.
    @inline(__always)
    static func isWordScalar(_ value: UInt32) -> Bool {
        if value < 0x80 {
            return (value >= 0x30 && value <= 0x39) || (value >= 0x61 && value <= 0x7A)
        }
        guard let scalar = Unicode.Scalar(value) else { return false }
        let properties = scalar.properties
        return properties.isAlphabetic || properties.numericType != nil
            || properties.generalCategory == .nonspacingMark || properties.generalCategory == .spacingMark
    }

    /// Scripts written without spaces between words, where a term may start and end
    /// anywhere: Han, kana, Thai, Lao, Khmer, Myanmar. Hangul is handled by syllables.
    @inline(__always)
    static func isUnspacedScript(_ value: UInt32) -> Bool {
        switch value {
        case 0x0E00...0x0EFF, 0x1000...0x109F, 0x1780...0x17FF,  // Thai, Lao, Myanmar, Khmer
            0x2E80...0x2FDF, 0x3005...0x3007, 0x3021...0x3029, 0x3040...0x30FF, 0x31F0...0x31FF,
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0xFF66...0xFF9F, 0x20000...0x3FFFF:
            return true
        default:
            return false
        }
    }

    /// A conjoining jamo vowel or final consonant: a position inside a Hangul syllable.
    @inline(__always)
    static func isInsideHangulSyllable(_ value: UInt32) -> Bool {
        (0x1161...0x11FF).contains(value) || (0xD7B0...0xD7FF).contains(value)
    }

    /// A word character of a script written with spaces (Latin, Vietnamese, Greek, Cyrillic…);
    /// terms in these scripts must start and end at word boundaries.
    @inline(__always)
    static func isSpacedWordScalar(_ value: UInt32) -> Bool {
        isWordScalar(value) && !isUnspacedScript(value) && !(0x1100...0x11FF).contains(value)
            && !(0xAC00...0xD7FF).contains(value)
    }

    /// The exact key of a whole string (a glossary form, or text already cut to a term).
    package static func exactKey<S: Sequence<Unicode.Scalar>>(_ scalars: S) -> [UInt32] {
        var out: [UInt32] = []
        for scalar in scalars {
            if isSpace(scalar.value) {
                if out.last != 0x20 { out.append(0x20) }
                continue
            }
            appendExact(scalar.value, to: &out)
        }
        trimSpaces(&out)
        reorderMarks(&out)
        return out
    }

    /// The loose key of a whole string.
    package static func looseKey<S: Sequence<Unicode.Scalar>>(_ scalars: S) -> [UInt32] {
        var out: [UInt32] = []
        for scalar in scalars {
            if isSpace(scalar.value) {
                if out.last != 0x20 { out.append(0x20) }
                continue
            }
            appendLoose(scalar.value, to: &out)
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

    @inline(__always)
    static func isSpace(_ value: UInt32) -> Bool {
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        return Unicode.Scalar(value)?.properties.isWhitespace ?? false
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

    /// The blocks where decomposition, width or case changes a scalar's folding.
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

    private static func buildTable() -> [UInt32: Mapping] {
        var table: [UInt32: Mapping] = [:]
        for block in foldedBlocks {
            for value in block {
                guard let scalar = Unicode.Scalar(value) else { continue }
                if let target = punctuation[value] {
                    table[value] = Mapping(exact: [target], loose: [target])
                    continue
                }
                let decomposed = String(Character(scalar)).decomposedStringWithCompatibilityMapping
                var exact: [UInt32] = []
                for part in decomposed.unicodeScalars {
                    if let target = punctuation[part.value] {
                        exact.append(target)
                    } else if part.properties.changesWhenLowercased {
                        exact.append(contentsOf: part.properties.lowercaseMapping.unicodeScalars.map(\.value))
                    } else {
                        exact.append(part.value)
                    }
                }
                var loose: [UInt32] = []
                for part in exact where !isFoldedDiacritic(part) {
                    loose.append(contentsOf: looseLetters[part] ?? [part])
                }
                if exact != [value] || loose != [value] {
                    table[value] = Mapping(exact: exact, loose: loose)
                }
            }
        }
        return table
    }
}

/// A text folded loosely, scalar by scalar, remembering where each folded scalar came from.
package struct FoldedText: Sendable {
    /// The loose folding, with whitespace runs as one space.
    package private(set) var scalars: [UInt32] = []
    /// For each folded scalar, the index of the original scalar it came from.
    package private(set) var sources: [Int32] = []
    /// UTF-16 offset of each original scalar, plus the text's UTF-16 length at the end.
    package private(set) var utf16Offsets: [Int32] = []
    /// The original scalars.
    package private(set) var original: [Unicode.Scalar] = []

    /// Folds `text`.
    package init(_ text: String) {
        let view = text.unicodeScalars
        original.reserveCapacity(text.utf8.count)
        scalars.reserveCapacity(text.utf8.count)
        sources.reserveCapacity(text.utf8.count)
        utf16Offsets.reserveCapacity(text.utf8.count + 1)
        var offset: Int32 = 0
        var index: Int32 = 0
        for scalar in view {
            original.append(scalar)
            utf16Offsets.append(offset)
            offset += scalar.value > 0xFFFF ? 2 : 1
            let value = scalar.value
            if TextFolding.isSpace(value) {
                if scalars.last != 0x20 {
                    scalars.append(0x20)
                    sources.append(index)
                }
            } else {
                let before = scalars.count
                TextFolding.appendLoose(value, to: &scalars)
                for _ in before..<scalars.count { sources.append(index) }
            }
            index += 1
        }
        utf16Offsets.append(offset)
    }

    /// UTF-16 range in the original text of the folded range `start..<end`: from the first
    /// folded scalar's source to just before the next folded scalar's source, so trailing
    /// diacritics the folding dropped (NFD input) stay inside the term.
    package func utf16Range(folded start: Int, _ end: Int) -> (start: Int, end: Int) {
        let first = Int(sources[start])
        let afterLast = end < sources.count ? Int(sources[end]) : original.count
        return (Int(utf16Offsets[first]), Int(utf16Offsets[afterLast]))
    }

    /// Original scalars covered by the folded range, as a String (the term as written).
    package func originalText(folded start: Int, _ end: Int) -> String {
        let first = Int(sources[start])
        let afterLast = end < sources.count ? Int(sources[end]) : original.count
        var view = String.UnicodeScalarView()
        view.append(contentsOf: original[first..<afterLast])
        return String(view)
    }

    /// The exact key of the original scalars under the folded range.
    package func exactKey(folded start: Int, _ end: Int) -> [UInt32] {
        let first = Int(sources[start])
        let afterLast = end < sources.count ? Int(sources[end]) : original.count
        return TextFolding.exactKey(original[first..<afterLast])
    }
}
