/// A cheap check of a message's language by its script, used to correct an obvious mismatch
/// between the language a sender declared in `hello` and what they typed (a Korean investor
/// whose browser said `en`). Within the Latin script it only recognises Vietnamese, whose
/// letters say so (an officer whose console is in English typing Vietnamese); English and
/// French are never swapped for each other.
package enum LanguageGuess {
    /// The language to record for `text` sent by someone who declared `declared`: `declared`
    /// unless the letters are clearly in another script (or clearly Vietnamese, French or
    /// English when a CJK language was declared).
    package static func language(of text: String, declared: String) -> String {
        var counts = ScriptCounts()
        for scalar in text.unicodeScalars { counts.add(scalar.value) }
        let letters = counts.total
        guard letters >= 4 else { return declared }
        let base = declared.split(separator: "-").first.map { $0.lowercased() } ?? declared
        let expected = script(of: base)
        // Which script dominates (at least 60 % of the letters)?
        // Japanese mixes kana and kanji; Chinese never has kana.
        let dominant: Script
        if counts[.hangul] * 10 >= letters * 6 {
            dominant = .hangul
        } else if (counts[.kana] + counts[.han]) * 10 >= letters * 6 {
            dominant = counts[.kana] > 0 ? .kana : .han
        } else if counts[.latin] * 10 >= letters * 6 {
            dominant = .latin
        } else {
            return declared
        }
        // Most Latin messages have no Vietnamese-only letter: the word check below (which
        // allocates) runs only for those with a few.
        if dominant == .latin && expected == .latin && base != "vi" && counts.vietnamese >= 3
            && isClearlyVietnamese(text)
        {
            return "vi"
        }
        if dominant == expected || (expected == .kana && dominant == .han) { return declared }
        switch dominant {
        case .hangul: return "ko"
        case .kana: return "ja"
        case .han: return "zh"
        case .latin:
            guard expected != .latin else { return declared }
            return latinLanguage(of: text, vietnameseLetters: counts.vietnamese)
        }
    }

    enum Script: Int { case latin, han, kana, hangul }

    /// The script a language is written in, for the six languages served; Latin otherwise.
    static func script(of language: String) -> Script {
        switch language {
        case "ko": .hangul
        case "ja": .kana
        case "zh": .han
        default: .latin
        }
    }

    /// Latin text declared English or French that is Vietnamese all the same: at least three
    /// words, and a quarter of them, carry letters only Vietnamese has (ơ ư ă đ, tone marks on
    /// them and on other vowels), and not one English or French function word — so an
    /// English sentence naming Vân Đồn, Hạ Long and Cẩm Phả stays English.
    static func isClearlyVietnamese(_ text: String) -> Bool {
        let words = text.lowercased().split { !$0.isLetter }
        guard words.count >= 3 else { return false }
        let vietnamese = words.filter { word in
            word.unicodeScalars.contains { scalar in
                (0x1EA0...0x1EF9).contains(scalar.value)
                    || [0x0103, 0x0111, 0x01A1, 0x01B0].contains(scalar.value)
            }
        }.count
        guard vietnamese >= 3, vietnamese * 4 >= words.count else { return false }
        return !words.contains { functionWords.contains(String($0)) }
    }

    /// English and French words that no Vietnamese sentence contains.
    static let functionWords: Set<String> = [
        "the", "and", "of", "to", "is", "are", "in", "for", "with", "on", "at", "we", "you", "it", "this", "that",
        "le", "la", "les", "des", "du", "est", "et", "une", "un", "pour", "dans", "sur", "avec", "nous", "vous",
    ]

    /// Vietnamese when it has its own letters, else French or English by common words.
    static func latinLanguage(of text: String, vietnameseLetters: Int) -> String {
        if vietnameseLetters >= 2 { return "vi" }
        let words = text.lowercased().split { !$0.isLetter && $0 != "'" }
        let french: Set<Substring> = ["le", "la", "les", "des", "du", "est", "et", "une", "un", "pour", "quels", "quelle", "dans", "sur", "avec", "nous", "vous", "zone", "parc"]
        let english: Set<Substring> = ["the", "and", "of", "to", "is", "are", "what", "how", "in", "we", "you", "for", "with", "which", "park", "zone"]
        let frenchHits = words.filter { french.contains($0) }.count
        let englishHits = words.filter { english.contains($0) }.count
        return frenchHits > englishHits ? "fr" : "en"
    }

    struct ScriptCounts {
        private var counts = [0, 0, 0, 0]
        /// Letters with Vietnamese-only shapes (ơ ư ă đ, and the tone marks on them).
        var vietnamese = 0
        var total: Int { counts.reduce(0, +) }
        subscript(script: Script) -> Int { counts[script.rawValue] }

        mutating func add(_ value: UInt32) {
            switch value {
            case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F:
                counts[Script.latin.rawValue] += 1
                if [0x0102, 0x0103, 0x0110, 0x0111, 0x01A0, 0x01A1, 0x01AF, 0x01B0].contains(value) { vietnamese += 1 }
            case 0x1EA0...0x1EF9:  // Latin Extended Additional: Vietnamese tone letters
                counts[Script.latin.rawValue] += 1
                vietnamese += 1
            case 0x3040...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F:
                counts[Script.kana.rawValue] += 1
            case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF:
                counts[Script.han.rawValue] += 1
            case 0x1100...0x11FF, 0x3130...0x318F, 0xAC00...0xD7A3:
                counts[Script.hangul.rawValue] += 1
            default:
                break
            }
        }
    }
}
