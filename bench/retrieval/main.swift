// Retrieval benchmark: a synthetic corpus of 100,000 passages in six languages, indexed by
// `SearchIndex` (SQLite FTS5), then searched with a few thousand questions of mixed kinds.
//
//   swift build -c release --product retrieval-bench
//   .build/release/retrieval-bench [--passages 100000] [--queries 2000] [--seed 42]
//       [--corpus-out .build-bench/retrieval-corpus.jsonl] [--queries-out .build-bench/retrieval-queries.jsonl]
//       [--batch 5000] [--index PATH [--reuse-index]] [--repeat 1] [--no-jsonl] [--results-out PATH]
//
// --index keeps the database (and --reuse-index searches it again without rebuilding, e.g.
// under perf); --results-out writes each question's top 5 document ids (first pass).
//
// The corpus: 40 % Vietnamese-like (syllables with diacritics), 25 % English-like, 15 %
// French-like, 10 % Chinese, 5 % Japanese, 5 % Korean; words drawn from a Zipf law over a
// vocabulary of 30,000 words per language, numbers sprinkled in (`16,7`, `2.500`, `57/2025`).
// Everything comes from a seeded generator, so runs are comparable. The corpus and the
// questions are written as JSONL with their search tokens (`SearchTokenizer.tokens`), so
// bench/retrieval/tantivy_anchor.py indexes and searches the very same tokens.
//
// Prints one `RESULT {json}` line per measurement: the corpus, the build, and search latency
// (all questions, those with a very frequent term, per kind).
import AgentPacks
import Dialogue
import Foundation
import Glossary
import Retrieval

// MARK: - Arguments

var passageCount = 100_000
var queryCount = 2_000
var seed: UInt64 = 42
var corpusOut = ".build-bench/retrieval-corpus.jsonl"
var queriesOut = ".build-bench/retrieval-queries.jsonl"
var resultsOut: String?
var batchSize = 5_000
var indexPath: String?
var reuseIndex = false
var repeatPasses = 1
var writeJSONL = true
var stopWordsFile = "Sources/Retrieval/StopWords.swift"
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--passages": passageCount = Int(arguments.next() ?? "") ?? passageCount
    case "--queries": queryCount = Int(arguments.next() ?? "") ?? queryCount
    case "--seed": seed = UInt64(arguments.next() ?? "") ?? seed
    case "--corpus-out": corpusOut = arguments.next() ?? corpusOut
    case "--queries-out": queriesOut = arguments.next() ?? queriesOut
    case "--results-out": resultsOut = arguments.next()
    case "--batch": batchSize = max(1, Int(arguments.next() ?? "") ?? batchSize)
    case "--index": indexPath = arguments.next()
    case "--reuse-index": reuseIndex = true
    case "--repeat": repeatPasses = max(0, Int(arguments.next() ?? "") ?? repeatPasses)
    case "--no-jsonl": writeJSONL = false
    case "--stop-words": stopWordsFile = arguments.next() ?? stopWordsFile
    default:
        FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
        exit(2)
    }
}

@MainActor func log(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

@MainActor func result(_ name: String, _ fields: [String: Any]) {
    var all = fields
    all["name"] = name
    let data = try! JSONSerialization.data(withJSONObject: all, options: [.sortedKeys])
    // Unbuffered, so RESULT lines keep their order with the log on a terminal or in a pipe.
    FileHandle.standardOutput.write(Data(("RESULT " + String(decoding: data, as: UTF8.self) + "\n").utf8))
}

func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

// MARK: - Randomness

/// Deterministic generator, so runs are comparable.
typealias SplitMix = SeededGenerator

extension SeededGenerator {
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ p: Double) -> Bool { unit() < p }
}

/// Ranks 0..<count with P(rank r) ∝ 1 / (r + 1)^exponent.
struct Zipf {
    let cdf: [Double]
    init(count: Int, exponent: Double) {
        var sum = 0.0
        var cdf = [Double](repeating: 0, count: count)
        for rank in 0..<count {
            sum += 1 / pow(Double(rank + 1), exponent)
            cdf[rank] = sum
        }
        self.cdf = cdf.map { $0 / sum }
    }
    func rank(_ random: inout SplitMix) -> Int {
        let u = random.unit()
        var low = 0
        var high = cdf.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cdf[mid] < u { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

// MARK: - Vocabularies

let vocabularySize = 30_000
let wordExponent = 1.05
/// A term among the first `frequentRanks` of its language's Zipf law is "very frequent".
let frequentRanks = 20

enum Script { case latin, han, hangul }

struct Language {
    var code: String
    var share: Double
    var script: Script
    /// Words by Zipf rank (rank 0 most frequent).
    var words: [String]
    var zipf: Zipf
}

func scalarString(_ values: [UInt32]) -> String {
    var view = String.UnicodeScalarView()
    for value in values { view.append(Unicode.Scalar(value)!) }
    return String(view)
}

/// Unique words from `make` until `count`, shortest first (frequent words are short), ties in
/// generation order (random).
@MainActor func vocabulary(_ count: Int, _ random: inout SplitMix, _ make: (inout SplitMix) -> String) -> [String] {
    var seen: Set<String> = []
    var words: [String] = []
    var attempts = 0
    while words.count < count && attempts < count * 50 {
        attempts += 1
        let word = make(&random)
        if seen.insert(word).inserted { words.append(word) }
    }
    return words.enumerated().sorted { ($0.element.count, $0.offset) < ($1.element.count, $1.offset) }.map(\.element)
}

/// Vietnamese syllables: onset, nucleus, coda and tone, precomposed (`nghiệp`, `đất`).
func vietnameseVocabulary(_ random: inout SplitMix) -> [String] {
    let onsets = [
        "", "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "nh", "p", "ph", "qu", "r", "s",
        "t", "th", "tr", "v", "x",
    ]
    let nuclei = [
        "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ia", "iê", "ua", "uô", "ưa", "ươ", "oa", "uy",
    ]
    let codas = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "o", "u"]
    let tones = ["", "\u{0301}", "\u{0300}", "\u{0309}", "\u{0303}", "\u{0323}"]
    var all: [String] = []
    for onset in onsets {
        for nucleus in nuclei {
            for coda in codas {
                for tone in tones {
                    // The tone sits on the nucleus' main vowel: the second of a pair before a coda
                    // or in iê/uô/ươ, the first otherwise.
                    let letters = Array(nucleus)
                    let second = letters.count == 2 && (!coda.isEmpty || ["iê", "uô", "ươ"].contains(nucleus))
                    var syllable = onset
                    for (index, letter) in letters.enumerated() {
                        syllable.append(letter)
                        if index == (second ? 1 : 0) { syllable += tone }
                    }
                    all.append((syllable + coda).precomposedStringWithCanonicalMapping)
                }
            }
        }
    }
    all.shuffle(using: &random)
    return Array(all.prefix(vocabularySize))
}

@MainActor func syllableWords(
    _ random: inout SplitMix, onsets: [String], vowels: [String], codas: [String], syllables: [Int]
) -> [String] {
    vocabulary(vocabularySize, &random) { random in
        let count = syllables.randomElement(using: &random)!
        var word = ""
        for _ in 0..<count {
            word +=
                onsets.randomElement(using: &random)! + vowels.randomElement(using: &random)!
                + codas.randomElement(using: &random)!
        }
        return word
    }
}

/// CJK unified ideographs U+4E00…U+9FFF in a random order (shared by Chinese and Japanese).
func hanCharacters(_ random: inout SplitMix) -> [UInt32] {
    var all = Array(UInt32(0x4E00)...UInt32(0x9FEF))
    all.shuffle(using: &random)
    return all
}

var vocabularyRandom = SplitMix(state: seed)
let vocabularyStart = DispatchTime.now().uptimeNanoseconds
let han = hanCharacters(&vocabularyRandom)
let characterZipf = Zipf(count: 12_000, exponent: 1.0)
let chineseCharacters = Array(han.prefix(12_000))
let japaneseKanji = Array(han[4_000..<16_000])
let hiragana = Array(UInt32(0x3041)...UInt32(0x3093))
let katakana = Array(UInt32(0x30A1)...UInt32(0x30F3))
var hangulSyllables = Array(UInt32(0xAC00)...UInt32(0xD7A3))
hangulSyllables.shuffle(using: &vocabularyRandom)
let hangulZipf = Zipf(count: 3_000, exponent: 1.0)

let vietnamese = vietnameseVocabulary(&vocabularyRandom)
let english = syllableWords(
    &vocabularyRandom,
    onsets: [
        "", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "st", "tr", "pr", "pl",
        "gr", "br", "ch", "sh", "th",
    ],
    vowels: ["a", "e", "i", "o", "u", "ea", "ou", "ai", "oo", "ie"],
    codas: ["", "n", "r", "s", "t", "l", "nd", "st", "ng", "ck", "m", "x"], syllables: [1, 1, 2, 2, 3])
let french = syllableWords(
    &vocabularyRandom,
    onsets: [
        "", "b", "c", "ç", "d", "f", "g", "j", "l", "m", "n", "p", "qu", "r", "s", "t", "v", "ch", "gr", "pr", "tr",
        "fl",
    ],
    vowels: ["a", "e", "é", "è", "ê", "i", "o", "u", "ou", "eau", "ai", "oi", "au", "à"],
    codas: ["", "", "s", "t", "x", "r", "n", "nt", "l", "que", "ment"], syllables: [1, 2, 2, 3])
let chinese = vocabulary(vocabularySize, &vocabularyRandom) { random in
    let length = [1, 1, 1, 2, 2, 2, 2, 2, 2, 3].randomElement(using: &random)!
    return scalarString((0..<length).map { _ in chineseCharacters[characterZipf.rank(&random)] })
}
let japanese = vocabulary(vocabularySize, &vocabularyRandom) { random in
    let roll = random.unit()
    if roll < 0.15 {  // particles and endings: hiragana
        return scalarString((0..<random.int(1...3)).map { _ in hiragana.randomElement(using: &random)! })
    } else if roll < 0.30 {  // loanwords: katakana
        return scalarString((0..<random.int(3...5)).map { _ in katakana.randomElement(using: &random)! })
    } else if roll < 0.60 {  // a kanji and its okurigana
        return scalarString(
            [japaneseKanji[characterZipf.rank(&random)]]
                + (0..<random.int(1...2)).map { _ in hiragana.randomElement(using: &random)! })
    }
    return scalarString((0..<random.int(1...2)).map { _ in japaneseKanji[characterZipf.rank(&random)] })
}
let korean = vocabulary(vocabularySize, &vocabularyRandom) { random in
    scalarString((0..<random.int(1...4)).map { _ in hangulSyllables[hangulZipf.rank(&random)] })
}

let languages = [
    Language(
        code: "vi", share: 0.40, script: .latin, words: vietnamese,
        zipf: Zipf(count: vietnamese.count, exponent: wordExponent)),
    Language(
        code: "en", share: 0.25, script: .latin, words: english,
        zipf: Zipf(count: english.count, exponent: wordExponent)),
    Language(
        code: "fr", share: 0.15, script: .latin, words: french, zipf: Zipf(count: french.count, exponent: wordExponent)),
    Language(
        code: "zh", share: 0.10, script: .han, words: chinese, zipf: Zipf(count: chinese.count, exponent: wordExponent)),
    Language(
        code: "ja", share: 0.05, script: .han, words: japanese,
        zipf: Zipf(count: japanese.count, exponent: wordExponent)),
    Language(
        code: "ko", share: 0.05, script: .hangul, words: korean, zipf: Zipf(count: korean.count, exponent: wordExponent)
    ),
]
let vocabularySeconds = seconds(since: vocabularyStart)

@MainActor func pickLanguage(_ random: inout SplitMix) -> Int {
    var u = random.unit()
    for (index, language) in languages.enumerated() {
        u -= language.share
        if u < 0 { return index }
    }
    return languages.count - 1
}

// MARK: - Numbers

/// Numbers also follow a Zipf law (the same figures recur), each written the language's way.
let numberZipf = Zipf(count: 20_000, exponent: 1.0)

func number(_ rank: Int, _ language: String) -> String {
    let base = rank / 4 + 1
    let decimalComma = language == "vi" || language == "fr"
    switch rank % 4 {
    case 0:  // a decimal: 16,7 / 16.7
        return "\(base % 1000)\(decimalComma ? "," : ".")\(rank % 10)"
    case 1:  // thousands: 2.500 / 2 500 / 2,500
        let thousands = 1 + base % 99
        let rest = String(format: "%03d", (base * 37) % 1000)
        let separator = language == "vi" ? "." : language == "fr" ? " " : ","
        return "\(thousands)\(separator)\(rest)"
    case 2:  // a decision number: 57/2025
        return "\(1 + base % 300)/\(2015 + base % 11)"
    default:  // a year
        return "\(1990 + base % 36)"
    }
}

// MARK: - Text

@MainActor func capitalized(_ word: String) -> String { word.prefix(1).uppercased() + word.dropFirst() }

/// One passage of a spaced (Latin-script) language: 40–80 words in 2–3 sentences, a few numbers.
@MainActor func latinPassage(_ language: Language, _ random: inout SplitMix) -> String {
    var words = (0..<random.int(40...80)).map { _ in language.words[language.zipf.rank(&random)] }
    for _ in 0..<numberCount(&random) {
        words.insert(number(numberZipf.rank(&random), language.code), at: random.int(1...words.count))
    }
    let sentenceCount = random.int(2...3)
    var cuts = Set<Int>()
    while cuts.count < sentenceCount - 1 { cuts.insert(random.int(5...(words.count - 5))) }
    var sentences: [[String]] = []
    var current: [String] = []
    for (index, word) in words.enumerated() {
        if cuts.contains(index), !current.isEmpty {
            sentences.append(current)
            current = []
        }
        current.append(random.chance(0.08) && !current.isEmpty ? word + "," : word)
    }
    sentences.append(current)
    var text = sentences.map { capitalized($0.joined(separator: " ")) + "." }.joined(separator: " ")
    // More than 700 characters in three sentences would be cut into two passages: one sentence.
    if text.count > 690 {
        text = capitalized(sentences.map { $0.joined(separator: " ") }.joined(separator: ", ")) + "."
    }
    return text
}

@MainActor func numberCount(_ random: inout SplitMix) -> Int {
    let u = random.unit()
    return u < 0.40 ? 0 : u < 0.75 ? 1 : u < 0.90 ? 2 : 3
}

/// Chinese or Japanese: Zipf words run together, 60–150 characters, commas, a full stop or two.
@MainActor func hanPassage(_ language: Language, _ random: inout SplitMix) -> String {
    let target = random.int(60...150)
    var text = ""
    var length = 0
    var sinceComma = 0
    var numbers = numberCount(&random)
    var stops = random.int(0...1)
    while length < target {
        let word = language.words[language.zipf.rank(&random)]
        text += word
        length += word.unicodeScalars.count
        sinceComma += word.unicodeScalars.count
        if numbers > 0 && random.chance(0.05) {
            text += number(numberZipf.rank(&random), language.code)
            numbers -= 1
        }
        if sinceComma > random.int(8...20) && length < target - 4 {
            if stops > 0 && random.chance(0.3) {
                text += "。"
                stops -= 1
            } else {
                text += language.code == "ja" ? "、" : "，"
            }
            sinceComma = 0
        }
    }
    while numbers > 0 {
        text += "，" + number(numberZipf.rank(&random), language.code)
        numbers -= 1
    }
    return text + "。"
}

/// Korean: Zipf words (1–4 syllables) separated by spaces, 60–150 syllables.
@MainActor func hangulPassage(_ language: Language, _ random: inout SplitMix) -> String {
    let target = random.int(60...150)
    var words: [String] = []
    var length = 0
    while length < target {
        let word = language.words[language.zipf.rank(&random)]
        words.append(random.chance(0.06) ? word + "," : word)
        length += word.unicodeScalars.count
    }
    for _ in 0..<numberCount(&random) {
        words.insert(number(numberZipf.rank(&random), language.code), at: random.int(1...words.count))
    }
    if words.count > 12 { words[words.count / 2] += "." }
    return words.joined(separator: " ") + "."
}

@MainActor func passageText(_ language: Language, _ random: inout SplitMix) -> String {
    switch language.script {
    case .latin: return latinPassage(language, &random)
    case .han: return hanPassage(language, &random)
    case .hangul: return hangulPassage(language, &random)
    }
}

@MainActor func title(_ language: Language, _ random: inout SplitMix) -> String {
    switch language.script {
    case .latin:
        return capitalized(
            (0..<random.int(3...7)).map { _ in language.words[language.zipf.rank(&random)] }.joined(separator: " "))
    case .han:
        return (0..<random.int(2...5)).map { _ in language.words[language.zipf.rank(&random)] }.joined()
    case .hangul:
        return (0..<random.int(2...4)).map { _ in language.words[language.zipf.rank(&random)] }.joined(separator: " ")
    }
}

// MARK: - JSON lines

func jsonString(_ text: String) -> String {
    var out = "\""
    out.reserveCapacity(text.utf8.count + 2)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                out += String(format: "\\u%04x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

func jsonArray(_ items: [String]) -> String { "[" + items.map(jsonString).joined(separator: ",") + "]" }

/// Appends lines to a file, a few megabytes at a time.
struct LineWriter {
    let handle: FileHandle
    var buffer = ""
    init(path: String) {
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        handle = FileHandle(forWritingAtPath: path)!
    }
    mutating func write(_ line: String) {
        buffer += line
        buffer += "\n"
        if buffer.utf8.count > 4 << 20 { flush() }
    }
    mutating func flush() {
        handle.write(Data(buffer.utf8))
        buffer = ""
    }
    mutating func close() {
        flush()
        try? handle.close()
    }
}

// MARK: - The corpus

struct CorpusPassage {
    var id: String
    var language: Int
    var title: String
    var text: String
}

log(
    "retrieval-bench: vocabularies in \(String(format: "%.1f", vocabularySeconds)) s; generating \(passageCount) passages…"
)
let generateStart = DispatchTime.now().uptimeNanoseconds
var corpusRandom = SplitMix(state: seed &+ 1)
var corpus: [CorpusPassage] = []
corpus.reserveCapacity(passageCount)
for index in 0..<passageCount {
    let language = pickLanguage(&corpusRandom)
    corpus.append(
        CorpusPassage(
            id: "doc-" + String(repeating: "0", count: max(0, 6 - String(index).count)) + String(index) + "."
                + languages[language].code, language: language,
            title: title(languages[language], &corpusRandom), text: passageText(languages[language], &corpusRandom)))
}
let generateSeconds = seconds(since: generateStart)

// Passages as the splitter cuts them (each synthetic text is one passage: at most three
// sentences, at most 700 characters), and their tokens as `SearchIndex` indexes them.
let tokenizeStart = DispatchTime.now().uptimeNanoseconds
var rows: [(agent: String, document: PackDocument, passage: PassageSplitter.Passage)] = []
rows.reserveCapacity(passageCount)
/// Passages holding each token (title or body), as FTS5's vocabulary counts them.
var documentFrequency: [String: Int] = [:]
var tokenCount = 0
var splitExtra = 0
var corpusWriter = writeJSONL ? LineWriter(path: corpusOut) : nil
for item in corpus {
    let document = PackDocument.synthetic(
        id: item.id, title: item.title, language: languages[item.language].code, body: item.text)
    let passages = PassageSplitter.passages(markdown: item.text)
    splitExtra += passages.count - 1
    for passage in passages {
        rows.append((agent: "bench", document: document, passage: passage))
    }
    let titleTokens = SearchTokenizer.tokens(item.title + " \n " + (passages.first?.heading ?? ""))
    let bodyTokens = passages.flatMap { SearchTokenizer.tokens($0.text) }
    tokenCount += bodyTokens.count
    for token in Set(titleTokens).union(bodyTokens) { documentFrequency[token, default: 0] += 1 }
    if corpusWriter != nil {
        corpusWriter!.write(
            "{\"id\":\(jsonString(item.id)),\"language\":\"\(languages[item.language].code)\",\"title\":\(jsonString(item.title)),"
                + "\"text\":\(jsonString(item.text)),\"title_tokens\":\(jsonString(titleTokens.joined(separator: " "))),"
                + "\"tokens\":\(jsonString(bodyTokens.joined(separator: " ")))}")
    }
}
corpusWriter?.close()
let tokenizeSeconds = seconds(since: tokenizeStart)
var perLanguage: [String: Int] = [:]
for item in corpus { perLanguage[languages[item.language].code, default: 0] += 1 }
let sortedFrequencies = documentFrequency.values.sorted(by: >)
result(
    "retrieval-corpus",
    [
        "passages": corpus.count, "indexed_passages": rows.count, "split_extra": splitExtra,
        "languages": perLanguage, "distinct_tokens": documentFrequency.count,
        "tokens_per_passage": Double(tokenCount) / Double(max(1, corpus.count)),
        "chars_per_passage": Double(corpus.map { $0.text.count }.reduce(0, +)) / Double(max(1, corpus.count)),
        "top_token_df": Array(sortedFrequencies.prefix(5)),
        "tokens_over_5pct": documentFrequency.values.filter { Double($0) > 0.05 * Double(corpus.count) }.count,
        "generate_s": generateSeconds, "tokenize_s": tokenizeSeconds, "vocabulary_s": vocabularySeconds,
        "corpus_file": writeJSONL ? corpusOut : "",
    ])

// MARK: - The questions

/// The tokens `SearchIndex` searches for (stop words and kana-only bigrams removed), so
/// the anchor gets exactly the same query terms.
@MainActor func queryTokens(_ text: String) -> [String] { SearchIndex.queryTokens(text) }

struct Question {
    var id: Int
    var language: Int
    var kind: String
    var text: String
    var tokens: [String]
    /// Tokens left after the frequent-token cap, as `SearchIndex.search` sends them to FTS5.
    var cappedTokens: [String]
    /// A token of one of the first 20 Zipf ranks of some language.
    var frequent: Bool
    /// Tokens held by more than the cap's share of passages, and whether all are.
    var overCap: Int
}

/// Tokens of the 20 most frequent words of every language, and of the 20 most frequent numbers.
var topTokens: Set<String> = []
for language in languages {
    for word in language.words.prefix(frequentRanks) { topTokens.formUnion(SearchTokenizer.tokens(word)) }
    for rank in 0..<frequentRanks { topTokens.formUnion(SearchTokenizer.tokens(number(rank, language.code))) }
}
// `SearchIndex.search` drops a token held by more than 5 % of the passages once the index has
// more than 2,000 (its `frequentCapMinimum`, `frequentShare`), unless every token is that frequent.
let frequentCap = max(2000, Int(Double(rows.count) * 0.05))

@MainActor func zipfWords(_ language: Language, _ count: Int, _ random: inout SplitMix) -> [String] {
    (0..<count).map { _ in language.words[language.zipf.rank(&random)] }
}

@MainActor func joined(_ words: [String], _ language: Language) -> String {
    language.script == .han ? words.joined() : words.joined(separator: " ")
}

@MainActor func makeQuestion(_ id: Int, _ random: inout SplitMix) -> Question {
    let languageIndex = pickLanguage(&random)
    let language = languages[languageIndex]
    let code = language.code
    var kind: String
    var text: String
    let roll = random.unit()
    if roll < 0.40 {
        kind = "words"
        text = joined(zipfWords(language, random.int(2...6), &random), language)
    } else if roll < 0.50 {
        kind = "frequent"
        text = language.words[random.int(0...(frequentRanks - 1))]
    } else if roll < 0.65 {
        kind = "rare"
        let words = (0..<random.int(1...3)).map { _ in
            language.words[random.int((language.words.count / 2)...(language.words.count - 1))]
        }
        text = joined(words, language)
    } else if roll < 0.80 {
        kind = "question"
        switch code {
        case "zh", "ja":
            let target = random.int(4...13)
            var body = ""
            while body.unicodeScalars.count < target { body += language.words[language.zipf.rank(&random)] }
            text = String(String.UnicodeScalarView(body.unicodeScalars.prefix(target))) + (code == "zh" ? "吗？" : "ですか？")
        case "ko":
            let target = random.int(4...13)
            var words: [String] = []
            while words.joined().unicodeScalars.count < target {
                words.append(language.words[language.zipf.rank(&random)])
            }
            text = words.joined(separator: " ") + "입니까?"
        case "en": text = "What is the " + zipfWords(language, random.int(2...4), &random).joined(separator: " ") + "?"
        case "fr": text = "Quel est le " + zipfWords(language, random.int(2...4), &random).joined(separator: " ") + " ?"
        default: text = zipfWords(language, random.int(2...4), &random).joined(separator: " ") + " là gì?"
        }
    } else if roll < 0.90 {
        kind = "number"
        let figure = number(numberZipf.rank(&random), code)
        let words = zipfWords(language, random.int(0...2), &random)
        text = language.script == .han ? joined(words, language) + figure : (words + [figure]).joined(separator: " ")
    } else {
        // Words copied from a passage of the corpus: a question that certainly has an answer.
        kind = "passage"
        var passage = corpus[random.int(0...(corpus.count - 1))]
        while passage.language != languageIndex { passage = corpus[random.int(0...(corpus.count - 1))] }
        if language.script == .han {
            let scalars = Array(passage.text.unicodeScalars)
            let length = min(scalars.count, random.int(6...12))
            let start = random.int(0...(scalars.count - length))
            text = String(String.UnicodeScalarView(scalars[start..<(start + length)]))
        } else {
            let words = passage.text.split(separator: " ")
            let length = min(words.count, random.int(3...6))
            let start = random.int(0...(words.count - length))
            text = words[start..<(start + length)].joined(separator: " ")
        }
    }
    let tokens = queryTokens(text)
    var capped = tokens
    if rows.count > 2000 {
        let kept = tokens.filter { documentFrequency[$0, default: 0] <= frequentCap }
        if !kept.isEmpty { capped = kept }
    }
    return Question(
        id: id, language: languageIndex, kind: kind, text: text, tokens: tokens, cappedTokens: capped,
        frequent: tokens.contains { topTokens.contains($0) },
        overCap: tokens.filter { documentFrequency[$0, default: 0] > frequentCap }.count)
}

var queryRandom = SplitMix(state: seed &+ 2)
let questions = (0..<queryCount).map { makeQuestion($0, &queryRandom) }
var warmupRandom = SplitMix(state: seed &+ 3)
let warmup = (0..<min(200, max(20, queryCount / 10))).map { makeQuestion($0, &warmupRandom) }
if writeJSONL {
    var writer = LineWriter(path: queriesOut)
    for question in questions {
        writer.write(
            "{\"id\":\(question.id),\"language\":\"\(languages[question.language].code)\",\"kind\":\"\(question.kind)\","
                + "\"text\":\(jsonString(question.text)),\"tokens\":\(jsonArray(question.tokens)),"
                + "\"capped_tokens\":\(jsonArray(question.cappedTokens)),\"frequent\":\(question.frequent),"
                + "\"over_cap\":\(question.overCap)}")
    }
    writer.close()
}

// MARK: - The build

let temporaryFolder = FileManager.default.temporaryDirectory.appendingPathComponent("retrieval-bench-\(getpid())")
let databasePath: String
if let indexPath {
    databasePath = indexPath
} else {
    try! FileManager.default.createDirectory(at: temporaryFolder, withIntermediateDirectories: true)
    databasePath = temporaryFolder.appendingPathComponent(SearchIndex.fileName).path
}
@MainActor func removeDatabase() {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: databasePath + suffix) }
}
@MainActor func databaseBytes() -> Int {
    ["", "-wal"].compactMap { try? FileManager.default.attributesOfItem(atPath: databasePath + $0)[.size] as? Int }
        .reduce(0, +)
}

let index: SearchIndex
if reuseIndex, FileManager.default.fileExists(atPath: databasePath) {
    index = try! SearchIndex(path: databasePath)
    log("retrieval-bench: reusing \(databasePath) (\(try! index.passageCount()) passages)")
} else {
    removeDatabase()
    log("retrieval-bench: indexing \(rows.count) passages in batches of \(batchSize) into \(databasePath)…")
    let buildStart = DispatchTime.now().uptimeNanoseconds
    index = try! SearchIndex(path: databasePath)
    var batchTimes: [Double] = []
    var offset = 0
    while offset < rows.count {
        let end = min(rows.count, offset + batchSize)
        let batchStart = DispatchTime.now().uptimeNanoseconds
        try! index.insertSynthetic(Array(rows[offset..<end]))
        batchTimes.append(seconds(since: batchStart))
        offset = end
    }
    let buildSeconds = seconds(since: buildStart)
    result(
        "retrieval-build",
        [
            "passages": try! index.passageCount(), "build_s": buildSeconds,
            "passages_per_s": Double(rows.count) / buildSeconds, "batch": batchSize,
            "first_batch_s": batchTimes.first ?? 0, "last_batch_s": batchTimes.last ?? 0,
            "max_batch_s": batchTimes.max() ?? 0, "database_bytes": databaseBytes(), "goal_s": 30,
        ])
}

// MARK: - Tokenizing

// `SearchIndex.search` tokenizes candidate passages again (numbers held, duplicate signatures):
// what one passage costs.
do {
    let sample = corpus.prefix(2000).map(\.text)
    var count = 0
    let start = DispatchTime.now().uptimeNanoseconds
    for text in sample { count += SearchTokenizer.tokens(text).count }
    let total = seconds(since: start)
    result(
        "retrieval-tokenize",
        ["passages": sample.count, "us_per_passage": total * 1e6 / Double(max(1, sample.count)), "tokens": count])
}

// MARK: - Searches

/// Latencies in ms: p50, p99, p99.9 (nearest rank), max, mean.
@MainActor func summary(_ times: [Double]) -> [String: Any] {
    guard !times.isEmpty else { return ["count": 0] }
    let sorted = times.sorted()
    func percentile(_ p: Double) -> Double {
        sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
    }
    return [
        "count": sorted.count, "p50_ms": percentile(0.50), "p90_ms": percentile(0.90), "p99_ms": percentile(0.99),
        "p999_ms": percentile(0.999), "max_ms": sorted.last!, "mean_ms": sorted.reduce(0, +) / Double(sorted.count),
    ]
}

/// The times of the questions that `keep` selects.
@MainActor func subset(_ times: [Double], _ keep: (Question) -> Bool) -> [Double] {
    var out: [Double] = []
    for (index, question) in questions.enumerated() where keep(question) { out.append(times[index]) }
    return out
}

@MainActor func run(_ question: Question) -> (ms: Double, documents: [String]) {
    let query = SearchQuery(text: question.text, language: languages[question.language].code, k: 5)
    let start = DispatchTime.now().uptimeNanoseconds
    let found = try! index.search(query, glossary: nil)
    return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6, found.map(\.document))
}

log("retrieval-bench: \(warmup.count) warm-up questions, then \(questions.count) measured…")
for question in warmup { _ = run(question) }

for pass in 0...repeatPasses {
    var times: [Double] = []
    var resultCounts = 0
    var empty = 0
    var resultsWriter = pass == 0 ? resultsOut.map { LineWriter(path: $0) } : nil
    for question in questions {
        let (ms, documents) = run(question)
        times.append(ms)
        resultCounts += documents.count
        if documents.isEmpty { empty += 1 }
        resultsWriter?.write("{\"id\":\(question.id),\"documents\":\(jsonArray(documents))}")
    }
    resultsWriter?.close()
    let suffix = pass == 0 ? "" : "-repeat\(pass > 1 ? String(pass) : "")"
    var fields = summary(times)
    fields["passages"] = rows.count
    fields["mean_results"] = Double(resultCounts) / Double(max(1, questions.count))
    fields["empty"] = empty
    fields["goal_p50_ms"] = 1
    fields["goal_p99_ms"] = 10
    fields["pass"] = pass == 0 ? "first" : "repeat"
    result("retrieval-search" + suffix, fields)
    var frequent = summary(subset(times, \.frequent))
    frequent["definition"] = "a token of the 20 most frequent words (or numbers) of a language"
    result("retrieval-search-frequent" + suffix, frequent)
    var capped = summary(subset(times) { $0.overCap > 0 && $0.overCap < $0.tokens.count })
    capped["definition"] = "some but not all tokens over the cap (\(frequentCap) passages): frequent tokens dropped"
    result("retrieval-search-capped" + suffix, capped)
    var uncapped = summary(subset(times) { $0.overCap > 0 && $0.overCap == $0.tokens.count })
    uncapped["definition"] = "every token over the cap (\(frequentCap) passages): nothing dropped"
    result("retrieval-search-all-frequent" + suffix, uncapped)
    if pass == 0 {
        var kinds: [String: Any] = [:]
        for kind in ["words", "frequent", "rare", "question", "number", "passage"] {
            kinds[kind] = summary(subset(times) { $0.kind == kind })
        }
        var byLanguage: [String: Any] = [:]
        for (position, language) in languages.enumerated() {
            byLanguage[language.code] = summary(subset(times) { $0.language == position })
        }
        result("retrieval-search-kinds", ["kinds": kinds, "languages": byLanguage])
        // The slowest questions, to see what they have in common.
        let slowest = zip(questions, times).sorted { $0.1 > $1.1 }.prefix(10).map { question, ms in
            [
                "ms": ms, "kind": question.kind, "language": languages[question.language].code, "text": question.text,
                "tokens": question.tokens.count, "over_cap": question.overCap,
                "max_df": question.tokens.map { documentFrequency[$0, default: 0] }.max() ?? 0,
                "sum_df_sent": question.cappedTokens.map { documentFrequency[$0, default: 0] }.reduce(0, +),
            ] as [String: Any]
        }
        result("retrieval-search-slowest", ["questions": slowest])
    }
}

if indexPath == nil {
    removeDatabase()
    try? FileManager.default.removeItem(at: temporaryFolder)
}
