import Foundation

/// Words too common to help find a passage, removed from questions (never from the index,
/// so phrases still match). Compared as written (lower case), before diacritics are folded:
/// Vietnamese `khi` (when) is a stop word, `khí` (as in `cơ khí`, mechanics) is not.
package enum StopWords {
    /// The tokens of a question that say what it is about: no stop words, no function
    /// bigrams (`ですか`). What the assistant measures an answer's coverage against.
    package static func contentTokens(_ question: String) -> [String] {
        SearchTokenizer.tokens(removing(from: question)).filter { !isFunctionBigram($0) }
    }

    static let words: Set<String> = [
        // English
        "a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "is", "are", "was", "were", "be", "been", "by",
        "with", "at", "from", "as", "that", "this", "these", "those", "what", "which", "who", "whom", "how", "when",
        "where", "why", "does", "do", "did", "can", "could", "would", "will", "shall", "should", "there", "their",
        "its", "it", "about", "any", "have", "has", "had", "into", "than", "much", "many", "me", "my", "we", "our",
        "you", "your", "i", "please", "tell", "know", "if", "so", "such", "also", "some", "they", "them",
        // French
        "le", "la", "les", "l", "d", "de", "des", "du", "un", "une", "et", "ou", "est", "sont", "au", "aux", "en",
        "dans", "pour", "par", "sur", "avec", "ce", "cet", "cette", "ces", "qui", "que", "qu", "quoi", "quel",
        "quelle", "quels", "quelles", "comment", "combien", "y", "il", "elle", "ils", "elles", "son", "sa", "ses",
        "leur", "leurs", "pas", "ne", "se", "nous", "vous", "je", "j", "mon", "ma", "mes", "notre", "votre",
        "pouvez", "peut", "savoir", "dire", "s", "c", "n", "été", "être", "a-t-il", "t", "lors",
        // Vietnamese (as written, with their diacritics)
        "của", "và", "các", "là", "có", "được", "trong", "cho", "với", "những", "một", "này", "đã", "để", "từ",
        "theo", "về", "tại", "không", "khi", "như", "nào", "bao", "nhiêu", "gì", "thế", "thì", "mà", "sẽ", "đang",
        "ở", "hay", "hoặc", "nhé", "ạ", "xin", "vui", "lòng", "biết", "tôi", "chúng", "bạn", "quý", "vị", "ông",
        "bà", "đó", "ra", "vào", "nên", "cần", "muốn", "hỏi", "hiện", "nay", "ấy",
    ]

    /// `text` without its stop words (split on anything that is not a letter, digit or
    /// apostrophe; digits and other scripts are left alone).
    static func removing(from text: String) -> String {
        var out = ""
        var word = ""
        func flush() {
            if !word.isEmpty && !words.contains(word.lowercased().precomposedStringWithCanonicalMapping) {
                out += word
            }
            word = ""
        }
        for character in text {
            // Digits belong to the word: `ref98ce` is one word, not `ref`, `98` and the stop word `ce`.
            let wordCharacter = character.isLetter || character.isNumber
            if wordCharacter && (character.unicodeScalars.first.map { $0.value < 0x2E80 } ?? false) {
                word.append(character)
            } else {
                flush()
                out.append(character == "'" || character == "’" ? " " : character)
            }
        }
        flush()
        return out
    }

    /// A bigram of kana only (particles, endings: `ます`, `ての`), or a lone kana (a particle
    /// written apart: `の が は`): no content.
    static func isFunctionBigram(_ token: String) -> Bool {
        let scalars = token.unicodeScalars
        guard (1...2).contains(scalars.count) else { return false }
        return scalars.allSatisfy { (0x3041...0x309F).contains($0.value) }
    }
}
