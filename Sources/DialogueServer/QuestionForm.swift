import Glossary

/// What shape of answer a question asks for, in any of the six languages: an enumeration
/// ("which parks…"), a figure ("how much…"), a date ("when…"), or anything else. The
/// assistant prefers the sentence of that shape among those that hold the question's words.
struct QuestionForm: Sendable, Equatable {
    enum Kind: String, Sendable { case which, howMuch = "how-much", when, other }

    let kind: Kind

    init(_ question: String) {
        let folded = Self.fold(question)
        func has(_ cues: [String]) -> Bool { cues.contains { Self.contains(folded, Self.fold($0)) } }
        if has(Self.figureCues) {
            kind = .howMuch
        } else if has(Self.whenCues) {
            kind = .when
        } else if has(Self.whichCues) {
            kind = .which
        } else {
            kind = .other
        }
    }

    /// Extra score for a sentence of the shape asked for (0 when it has not that shape);
    /// `names` is how many names (the glossary's `keep` concepts) the sentence holds: a list
    /// of names is what "which parks…" asks for, more than a list of common nouns.
    func bonus(for sentence: String, names: Int = 0) -> Double {
        switch kind {
        case .which:
            guard Self.enumerates(sentence) else { return 0 }
            // The longer the list, the more likely it is the list asked for.
            let items = min(4, sentence.filter { [",", "、", "，", ";", "；"].contains($0) }.count)
            return (names >= 3 ? 3.5 : names >= 2 ? 3 : 2) + 0.25 * Double(items)
        case .howMuch:
            guard Self.hasQuantity(sentence) else { return 0 }
            return Self.hasYear(sentence) ? 2.5 : 2
        case .when: return Self.hasYear(sentence) ? 2 : 0
        case .other: return 0
        }
    }

    /// A sentence listing several things: two separators, or one and a conjunction.
    static func enumerates(_ sentence: String) -> Bool {
        let separators = sentence.filter { [",", "、", "，", ";", "；"].contains($0) }.count
        if separators >= 2 { return true }
        let conjunctions = [" and ", " et ", " và ", "및", "와 ", "과 ", "和", "及", "と", "や"]
        return separators >= 1 && conjunctions.contains { sentence.contains($0) }
    }

    /// A number other than a bare year, with a unit or a counted noun.
    static func hasQuantity(_ sentence: String) -> Bool {
        let folded = fold(sentence)
        var digits = ""
        var numbers: [String] = []
        for character in folded {
            if character.isNumber || ((character == "." || character == ",") && !digits.isEmpty) {
                digits.append(character)
            } else if !digits.isEmpty {
                numbers.append(digits)
                digits = ""
            }
        }
        if !digits.isEmpty { numbers.append(digits) }
        let quantities = numbers.filter { !isYear($0) }
        guard !quantities.isEmpty else { return false }
        return units.contains { contains(folded, fold($0)) }
    }

    /// Whether `text` holds `cue`; a cue that starts or ends with a Latin letter or digit only
    /// on a word boundary there ("ha" the hectare is not in "that", "ty" not in "city").
    static func contains(_ text: String, _ cue: String) -> Bool {
        guard !cue.isEmpty else { return false }
        func isWordCharacter(_ character: Character?) -> Bool {
            guard let character else { return false }
            return (character.isLetter || character.isNumber) && character.unicodeScalars.allSatisfy { $0.value < 0x2E80 }
        }
        let checkStart = isWordCharacter(cue.first)
        let checkEnd = isWordCharacter(cue.last)
        var searchRange = text.startIndex..<text.endIndex
        while let found = text.range(of: cue, range: searchRange) {
            let before = found.lowerBound > text.startIndex ? text[text.index(before: found.lowerBound)] : nil
            let after = found.upperBound < text.endIndex ? text[found.upperBound] : nil
            // A number right before a unit is fine: "63ha", "14%".
            let startOK = !checkStart || !isWordCharacter(before) || (before?.isNumber == true && !(cue.first?.isNumber ?? false))
            if startOK && (!checkEnd || !isWordCharacter(after)) { return true }
            searchRange = text.index(after: found.lowerBound)..<text.endIndex
        }
        return false
    }

    static func hasYear(_ sentence: String) -> Bool {
        var run = ""
        for character in sentence + " " {
            if character.isASCII && character.isNumber {
                run.append(character)
            } else {
                if isYear(run) { return true }
                run = ""
            }
        }
        return false
    }

    static func isYear(_ digits: String) -> Bool {
        digits.count == 4 && (digits.hasPrefix("19") || digits.hasPrefix("20"))
    }

    /// Lower case, diacritics and width folded as the glossary compares, and the typographic
    /// apostrophe made plain (a desk written "d’accueil" in contacts.json, "d'accueil" in a sheet).
    static func fold(_ text: String) -> String {
        TextFolding.string(TextFolding.looseKey(text.replacingOccurrences(of: "\u{2019}", with: "'").unicodeScalars))
    }

    static let figureCues = [
        "how much", "how many", "what share", "what percentage", "percent", "what is the value", "how large",
        "combien", "quel montant", "quelle part", "pourcentage", "quel est le montant",
        "bao nhieu", "ty le", "la bao", "muc nao",
        "いくら", "いくつ", "何社", "何件", "何パーセント", "何%", "どのくらい", "どれくらい", "どの程度", "何台", "何トン", "何ヘクタール", "何人", "規模",
        "몇", "얼마", "퍼센트", "규모",
        "多少", "几", "百分之", "比例", "多大", "规模",
    ]
    static let whenCues = [
        "when", "what year", "since when", "by when", "quand", "quelle date", "quelle annee", "a partir de quand",
        "khi nao", "bao gio", "nam nao", "luc nao", "thoi diem nao",
        "いつ", "何年", "何月", "언제", "몇 년", "몇년", "什么时候", "何时", "哪一年", "哪年", "几月",
    ]
    static let whichCues = [
        "which", "what are", "what kind", "what types", "what sectors", "what products", "what industrial",
        "what projects", "what measures", "list",
        "quels", "quelles", "lesquels", "lesquelles", "quel secteur", "quels sont",
        // Chinese "什么" and Vietnamese "nào" (as in "như thế nào", how) are mostly a plain
        // "what" or "how"; Korean "무엇" and Japanese "何が/何を" ask for a list often enough
        // to count (answers-dev.json: without them, ko and ja answers held the fact less).
        "nhung", "cac linh vuc", "nhung gi",
        "どの", "どんな", "どれ", "どういう", "どのような", "何が", "何を",
        "어떤", "어느", "무슨", "무엇",
        "哪些", "哪个", "哪几",
    ]
    /// Units and counted nouns that make a number a quantity.
    static let units = [
        "%", "％", "usd", "dollar", "billion", "million", "ty", "trieu", "nghin", "milliard", "ha", "hectare", "km",
        "億", "万", "ドル", "円", "ヘクタール", "社", "件", "人", "台", "억", "만", "달러", "헥타르", "명", "개", "건", "대",
        "亿", "美元", "公顷", "家", "个", "项", "辆", "enterprises", "entreprises", "doanh nghiep", "projects", "projets",
        "du an", "cars", "voitures", "xe", "products", "produits", "san pham", "countries", "pays", "quoc gia",
    ]
}
