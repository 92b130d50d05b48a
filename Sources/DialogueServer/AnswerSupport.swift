import Foundation
import Retrieval

/// Whether an LLM's answer keeps to the passages it was given, sentence by sentence: the
/// rule an answer must pass before an investor may see it (`LLMComposer`).
///
/// Every sentence must cite at least one passage as `[n]` (`[1, 2]` and `[1][2]` too; a
/// marker after the full stop belongs to the sentence before it), only passages it was
/// given, and what it states must be in the passages *that sentence* cites:
/// - every number (as `SearchTokenizer` reads it: `16,7` and `16.7` alike);
/// - every URL, e-mail address and domain name (`fast@evil.example`, `evil.example`);
/// - every phone number (seven digits or more, whatever separates them);
/// - every name: a capitalised word not opening its sentence, or an all-capitals word
///   anywhere (`FDI`), compared without case and diacritics; and every glossary name
///   (`keep` concept) the sentence holds, in any script;
/// - and at least half of its content words (stop words and numbers aside), when it has
///   three or more.
/// Words of the organisation's own name count as supported. An answer that breaks any rule
/// is refused whole, with the first reason.
struct AnswerSupport: Sendable {
    /// Why an answer was refused.
    enum Refusal: Error, Equatable, CustomStringConvertible {
        /// The answer has no sentence at all.
        case empty
        /// A sentence cites no passage.
        case uncited(sentence: String)
        /// A sentence cites a passage number it was not given.
        case unknownPassage(Int)
        /// Something a sentence states is in none of the passages it cites.
        case unsupported(what: String, value: String, sentence: String)

        var description: String {
            switch self {
            case .empty: return "the answer is empty"
            case .uncited(let sentence): return "a sentence cites no passage: \"\(sentence)\""
            case .unknownPassage(let n): return "it cites passage [\(n)], which it was not given"
            case .unsupported(let what, let value, let sentence):
                return "the \(what) \"\(value)\" is in no passage its sentence cites: \"\(sentence)\""
            }
        }
    }

    /// A sentence of the answer and the passages it cites (1-based).
    struct Sentence: Equatable {
        /// The sentence as written, markers included.
        var text: String
        /// The passage numbers it cites, in order of appearance.
        var cites: [Int]
    }

    /// The passages given to the model, in the order they were numbered.
    let passages: [String]
    /// Words always supported (the organisation's name), as search tokens.
    let ownWords: Set<String>
    /// The glossary names (`keep` concepts) a text holds, by concept id.
    let names: @Sendable (String) -> Set<String>

    /// The rule for an answer from `passages`; `ownWords` are always supported.
    init(passages: [String], ownWords: String = "", names: @escaping @Sendable (String) -> Set<String> = { _ in [] }) {
        self.passages = passages
        self.ownWords = Set(SearchTokenizer.tokens(ownWords))
        self.names = names
    }

    /// The passages the answer cites (sorted, 1-based), or why it is refused.
    func check(_ answer: String) -> Result<[Int], Refusal> {
        let sentences = Self.sentences(answer)
        guard !sentences.isEmpty else { return .failure(.empty) }
        var cited = Set<Int>()
        for sentence in sentences {
            guard !sentence.cites.isEmpty else { return .failure(.uncited(sentence: sentence.text)) }
            if let bad = sentence.cites.first(where: { !(1...passages.count).contains($0) }) {
                return .failure(.unknownPassage(bad))
            }
            let sources = sentence.cites.map { passages[$0 - 1] }
            if let refusal = unsupported(in: sentence.text, sources: sources) { return .failure(refusal) }
            cited.formUnion(sentence.cites)
        }
        return .success(cited.sorted())
    }

    /// The first thing `sentence` states that `sources` do not hold.
    private func unsupported(in sentence: String, sources: [String]) -> Refusal? {
        let plain = Self.withoutMarkers(sentence)
        let joined = sources.joined(separator: "\n")
        let lowered = joined.lowercased()
        func refusal(_ what: String, _ value: String) -> Refusal {
            .unsupported(what: what, value: value, sentence: sentence.trimmingCharacters(in: .whitespaces))
        }
        // Addresses first: a URL or an e-mail address is also read as words and numbers.
        var rest = plain
        for (what, pattern) in [("URL", Self.urlPattern), ("e-mail address", Self.emailPattern), ("domain name", Self.domainPattern)] {
            for match in Self.matches(pattern, in: rest) {
                let value = match.trimmingCharacters(in: CharacterSet(charactersIn: ".,;:!?)'\""))
                if !lowered.contains(value.lowercased()) { return refusal(what, value) }
            }
            rest = rest.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        let sourcePhones = Set(Self.matches(Self.phonePattern, in: joined).map(Self.digits))
        for phone in Self.matches(Self.phonePattern, in: rest) where Self.digits(phone).count >= 7 {
            let digits = Self.digits(phone)
            if !sourcePhones.contains(where: { $0.contains(digits) }) { return refusal("phone number", phone) }
        }
        let available = Set(SearchTokenizer.tokens(joined)).union(ownWords)
        for token in SearchTokenizer.tokens(rest) where token.first?.isNumber == true && !available.contains(token) {
            return refusal("figure", token)
        }
        let words = rest.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "'" && $0 != "’" })
        for (index, word) in words.enumerated() {
            guard let first = word.first, first.isUppercase else { continue }
            let acronym = word.count > 1 && word.allSatisfy { !$0.isLetter || $0.isUppercase }
            // The first word of a sentence is capitalised anyway; an acronym is a name wherever it stands.
            if index == 0 && !acronym { continue }
            for token in SearchTokenizer.tokens(String(word)) where !available.contains(token) {
                return refusal("name", String(word))
            }
        }
        let sourceNames = names(joined)
        if let name = names(plain).subtracting(sourceNames).sorted().first { return refusal("glossary name", name) }
        // What is left is wording: a sentence of three content words or more must take at
        // least half of them from its passages ("we promise the licence within a week"
        // names nothing, but no passage says it).
        let content = StopWords.contentTokens(rest).filter { $0.first?.isNumber != true }
        let missing = content.filter { !available.contains($0) }
        if content.count >= Self.minimumWordingCheck, missing.count * 2 > content.count {
            return refusal("wording", missing.joined(separator: " "))
        }
        return nil
    }

    /// Content words a sentence needs before its wording is weighed (shorter ones, "Write
    /// to …", "Call …", are judged by what they name).
    static let minimumWordingCheck = 3

    // MARK: Sentences and markers

    /// `[1]`, `[2, 3]`: citation markers.
    static let markerPattern = #"\[\s*\d+(?:\s*,\s*\d+)*\s*\]"#
    /// `https://…`, `http://…`, `www.…`.
    static let urlPattern = #"(?i)\b(?:https?://|www\.)[^\s<>"'\[\]()]+"#
    /// `name@host.example`.
    static let emailPattern = #"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"#
    /// A bare domain name (`evil.example`): letters after the last dot.
    static let domainPattern = #"(?i)\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b"#
    /// Digits with spaces, dots, dashes or brackets between them (`+84 203 3835 555`).
    static let phonePattern = #"\+?\d[\d \u00A0().-]{5,}\d"#

    /// The answer cut into sentences (after `.`, `!`, `?`, `;` and a space, after `。！？`,
    /// and at line breaks), each with the passages its markers cite; markers that open a
    /// sentence belong to the one before, and a piece holding only markers and punctuation
    /// is not a sentence.
    static func sentences(_ text: String) -> [Sentence] {
        var pieces: [String] = []
        var current = ""
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            if character == "\n" || character == "\r" {
                pieces.append(current)
                current = ""
                continue
            }
            current.append(character)
            let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case "。", "！", "？", "；":
                pieces.append(current)
                current = ""
            case ".", "!", "?", ";":
                if next == nil || next!.isWhitespace || next == "[" {
                    pieces.append(current)
                    current = ""
                }
            default:
                break
            }
        }
        pieces.append(current)
        var sentences: [Sentence] = []
        for piece in pieces {
            var body = Substring(piece)
            // Leading markers cite for the sentence before ("… 5 USD. [1] Next …").
            while true {
                body = body.drop(while: { $0.isWhitespace })
                guard body.first == "[", let close = body.firstIndex(of: "]"),
                    let numbers = numbers(inMarker: body[body.index(after: body.startIndex)..<close])
                else { break }
                if !sentences.isEmpty { sentences[sentences.count - 1].cites.append(contentsOf: numbers) }
                body = body[body.index(after: close)...]
            }
            let text = String(body).trimmingCharacters(in: .whitespaces)
            let cites = matches(markerPattern, in: text).flatMap { marker in
                numbers(inMarker: marker.dropFirst().dropLast()) ?? []
            }
            guard withoutMarkers(text).contains(where: { $0.isLetter || $0.isNumber }) else {
                if !sentences.isEmpty { sentences[sentences.count - 1].cites.append(contentsOf: cites) }
                continue
            }
            sentences.append(Sentence(text: text, cites: cites))
        }
        return sentences
    }

    /// `1, 2` → [1, 2]; nil when the brackets hold anything else.
    private static func numbers(inMarker inside: Substring) -> [Int]? {
        let parts = inside.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let numbers = parts.compactMap { Int($0) }
        return !parts.isEmpty && numbers.count == parts.count ? numbers : nil
    }

    /// The text with its citation markers replaced by spaces.
    static func withoutMarkers(_ text: String) -> String {
        text.replacingOccurrences(of: markerPattern, with: " ", options: .regularExpression)
    }

    private static func matches(_ pattern: String, in text: String) -> [String] {
        var found: [String] = []
        var range = text.startIndex..<text.endIndex
        while let match = text.range(of: pattern, options: .regularExpression, range: range) {
            found.append(String(text[match]))
            guard match.upperBound < text.endIndex else { break }
            range = (match.isEmpty ? text.index(after: match.upperBound) : match.upperBound)..<text.endIndex
        }
        return found
    }

    private static func digits(_ text: String) -> String { String(text.filter(\.isNumber)) }
}
