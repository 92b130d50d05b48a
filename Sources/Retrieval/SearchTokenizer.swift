import Foundation
import Glossary

/// Turns text into search tokens, the same way for documents and for questions.
///
/// - Latin, Vietnamese and other spaced scripts: words, lower-cased and without diacritics
///   (`thời tiết` → `thoi tiet`, `Đồn` → `don`), as the glossary matches them.
/// - Numbers stay whole, whatever the language writes between their digits: a decimal
///   comma or point becomes `d` (`16,7` and `16.7` → `16d7`), a thousands separator
///   disappears (`2.500`, `2,500`, `2 500` → `2500`), a slash becomes `s` (`57/2025` → `57s2025`).
/// - Chinese and Japanese (Han and kana) runs: overlapping character bigrams, a lone
///   character as a unigram. Korean runs: syllable bigrams, so a particle glued to a word
///   (`산업단지에`) still shares the word's bigrams.
///
/// Tokens hold letters and digits only, so SQLite's `unicode61` tokenizer keeps them whole.
package enum SearchTokenizer {
    /// The tokens of `text`, in order.
    package static func tokens(_ text: String) -> [String] {
        var scanner = Scanner()
        // Compatibility composition is costly; most text has nothing it would change.
        let normalised = needsComposition(text) ? text.precomposedStringWithCompatibilityMapping : text
        for scalar in normalised.unicodeScalars {
            scanner.add(scalar.value)
        }
        scanner.flush()
        return scanner.tokens
    }

    /// Whether NFKC would change tokens: combining marks (NFD input), conjoining jamo,
    /// kana voicing marks, full- and half-width forms, compatibility letters and symbols.
    static func needsComposition(_ text: String) -> Bool {
        for scalar in text.unicodeScalars where scalar.value >= 0x300 {
            switch scalar.value {
            case 0x0300...0x036F, 0x1100...0x11FF, 0x2000...0x24FF, 0x3099...0x309A, 0x3131...0x318F, 0x3200...0x33FF,
                0xF900...0xFAFF, 0xFB00...0xFB4F, 0xFE30...0xFE6F, 0xFF00...0xFFEF:
                return true
            default:
                continue
            }
        }
        return false
    }

    private enum RunKind { case none, word, number, ideographic, hangul }

    private struct Scanner {
        var tokens: [String] = []
        var kind = RunKind.none
        /// Folded scalars of the current word or number (separators marked in `number`).
        var word: [UInt32] = []
        /// The current Han/kana or Hangul run.
        var run: [Unicode.Scalar] = []
        /// A separator seen after digits, waiting to see whether a digit follows.
        var pendingSeparator: UInt32?
        /// Spaces after digits: French writes `2 500`.
        var pendingSpace = false

        mutating func add(_ value: UInt32) {
            let isDigit = value >= 0x30 && value <= 0x39
            if kind == .number {
                if isDigit {
                    if let separator = pendingSeparator {
                        word.append(separator)
                        pendingSeparator = nil
                    } else if pendingSpace {
                        word.append(0x20)
                    }
                    pendingSpace = false
                    word.append(value)
                    return
                }
                if pendingSeparator == nil && !pendingSpace {
                    if value == 0x2C || value == 0x2E || value == 0x2F {  // , . /
                        pendingSeparator = value
                        return
                    }
                    if value == 0x20 || value == 0xA0 || value == 0x202F {
                        pendingSpace = true
                        return
                    }
                }
                flush()
            } else if isDigit && kind == .word {
                // Letters then digits (`H2`, `2025a`): one word.
                word.append(value)
                return
            }
            if isDigit {
                flush()
                kind = .number
                word.append(value)
                return
            }
            if (0xAC00...0xD7A3).contains(value) {
                if kind != .hangul { flush() }
                kind = .hangul
                run.append(Unicode.Scalar(value)!)
                return
            }
            if (value == 0x3099 || value == 0x309A), kind == .ideographic, let last = run.last {
                // A voicing mark left apart (half-width input): compose it with its kana.
                var pair = String.UnicodeScalarView()
                pair.append(last)
                pair.append(Unicode.Scalar(value)!)
                let composed = String(pair).precomposedStringWithCanonicalMapping.unicodeScalars
                if composed.count == 1 { run[run.count - 1] = composed.first! }
                return
            }
            if isIdeographic(value) {
                if kind != .ideographic { flush() }
                kind = .ideographic
                run.append(Unicode.Scalar(value)!)
                return
            }
            if TextFolding.isSpacedWordScalar(value) {
                if kind != .word { flush() }
                kind = .word
                TextFolding.appendLoose(value, to: &word)
                return
            }
            // A combining mark folds away; anything else ends the current token.
            if (0x0300...0x036F).contains(value) { return }
            flush()
        }

        mutating func flush() {
            switch kind {
            case .none:
                break
            case .word:
                if !word.isEmpty { tokens.append(Self.string(word)) }
            case .number:
                tokens.append(contentsOf: Self.numbers(word))
            case .ideographic, .hangul:
                if run.count == 1 {
                    tokens.append(String(Character(run[0])))
                } else {
                    for index in 0..<(run.count - 1) {
                        var pair = String.UnicodeScalarView()
                        pair.append(run[index])
                        pair.append(run[index + 1])
                        tokens.append(String(pair))
                    }
                }
            }
            kind = .none
            word.removeAll(keepingCapacity: true)
            run.removeAll(keepingCapacity: true)
            pendingSeparator = nil
            pendingSpace = false
        }

        /// `2 500` → `2500`, `2.500` → `2500`, `16,7` → `16d7`, `57/2025` → `57s2025`; digits
        /// that a space separates without grouping thousands (`2025 14`) are two numbers.
        static func numbers(_ scalars: [UInt32]) -> [String] {
            // Groups of digits and the separators between them.
            var groups: [[UInt32]] = [[]]
            var separators: [UInt32] = []
            for value in scalars {
                if value >= 0x30 && value <= 0x39 {
                    groups[groups.count - 1].append(value)
                } else {
                    separators.append(value)
                    groups.append([])
                }
            }
            var tokens: [String] = []
            var out: [UInt32] = groups[0]
            var leadingGroup = groups[0].count
            for (index, separator) in separators.enumerated() {
                let next = groups[index + 1]
                let isLast = index == separators.count - 1
                // Three digits, then the same separator or the end: a thousands separator.
                let groupsThousands =
                    next.count == 3 && leadingGroup <= 3 && (isLast || separators[index + 1] == separator)
                switch separator {
                case 0x2F:
                    out.append(0x73)  // s
                case 0x20:
                    if !groupsThousands {
                        tokens.append(string(out))
                        out = []
                        leadingGroup = next.count
                    }
                default:
                    if !groupsThousands { out.append(0x64) }  // d
                }
                out.append(contentsOf: next)
            }
            tokens.append(string(out))
            return tokens
        }

        static func string(_ scalars: [UInt32]) -> String {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars.compactMap(Unicode.Scalar.init))
            return String(view)
        }

        func isIdeographic(_ value: UInt32) -> Bool {
            switch value {
            case 0x3005...0x3007, 0x3021...0x3029, 0x3041...0x3096, 0x309D...0x309F, 0x30A1...0x30FA, 0x30FC...0x30FF,
                0x31F0...0x31FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3FFFF:
                return true
            default:
                return false
            }
        }
    }
}
