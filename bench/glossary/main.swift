// Glossary benchmark (issue 4): load a 10,000-concept glossary and match 1 KB messages.
//
//   swift run -c release glossary-bench [--concepts 10000] [--messages 20000] [--glossary FILE]
//
// Concepts are synthetic (syllable words in the six languages' scripts) plus, with
// --glossary, a real file's concepts; messages are ~1 KB of text in each language with a
// few real terms inside. Prints one RESULT line of JSON per measurement.
import Dialogue
import Foundation
import Glossary

var conceptCount = 10_000
var messageCount = 20_000
var glossaryFile: String?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--concepts": conceptCount = Int(arguments.next() ?? "") ?? conceptCount
    case "--messages": messageCount = Int(arguments.next() ?? "") ?? messageCount
    case "--glossary": glossaryFile = arguments.next()
    default:
        FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
        exit(2)
    }
}

var random = SeededGenerator(state: 42)  // deterministic, so runs are comparable

let latinSyllables = ["khu", "công", "nghiệp", "kinh", "tế", "cảng", "đầu", "tư", "thuê", "đất", "park", "zone", "port", "land", "lease", "tax", "parc", "zone", "foncier", "nord", "tran", "minh", "long", "hai", "quang", "ninh", "son", "bac", "dong", "tay"]
let hanCharacters = Array("工业园区经济特区港口土地租赁税投资促进广宁云屯河内海防下龙科技创新数字转型物流电力供水")
let kana = Array("アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン")
let hangul = Array("산업단지경제구역항만토지임대세투자촉진광닌번돈하노이하롱과학기술혁신디지털전환물류전력")

@MainActor func word(_ syllables: Int) -> String {
    (0..<syllables).map { _ in latinSyllables.randomElement(using: &random)! }.joined(separator: " ")
}
@MainActor func cjk(_ alphabet: [Character], _ count: Int) -> String {
    String((0..<count).map { _ in alphabet.randomElement(using: &random)! })
}

// A synthetic glossary: unique forms per column (a counter suffix keeps them distinct).
var lines = ["id\tkeep\tvi\ten\tfr\tja\tko\tzh\tnote"]
var realLines: [String] = []
if let glossaryFile, let text = try? String(contentsOfFile: glossaryFile, encoding: .utf8) {
    realLines = Array(text.split(separator: "\n").dropFirst().map(String.init))
}
for index in 0..<max(0, conceptCount - realLines.count) {
    let tag = String(index, radix: 36)
    let cells = [
        "synthetic-\(index)", index % 7 == 0 ? "1" : "",
        "\(word(2)) \(tag)", "\(word(2)) \(tag)|\(word(1)) x\(tag)", "\(word(3)) \(tag)",
        "\(cjk(kana, 3))\(cjk(hanCharacters, 1))\(tag)", "\(cjk(hangul, 3))\(tag)", "\(cjk(hanCharacters, 3))\(tag)",
        "synthetic",
    ]
    lines.append(cells.joined(separator: "\t"))
}
lines.append(contentsOf: realLines)
let tsv = lines.joined(separator: "\n") + "\n"

func result(_ name: String, _ fields: [String: Any]) {
    var all = fields
    all["name"] = name
    let data = try! JSONSerialization.data(withJSONObject: all, options: [.sortedKeys])
    print("RESULT " + String(decoding: data, as: UTF8.self))
}

// Load: parse, validate and build the automaton, several times; the median counts.
var loadTimes: [Double] = []
var glossary: Glossary!
for _ in 0..<5 {
    let start = DispatchTime.now().uptimeNanoseconds
    glossary = try! Glossary(tsv: tsv)
    loadTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
}
loadTimes.sort()
result(
    "glossary-load",
    ["concepts": glossary.concepts.count, "bytes": tsv.utf8.count, "median_ms": loadTimes[2], "max_ms": loadTimes[4]])

// Messages of about 1 KB in each language, each with a few real terms.
let sampleTerms = glossary.concepts.shuffled(using: &random).prefix(200).flatMap { concept in
    concept.forms.values.compactMap(\.first)
}
@MainActor func message(_ language: Int) -> String {
    var text = ""
    while text.utf8.count < 1024 {
        switch language {
        case 0: text += word(6) + ", "
        case 1: text += "the investors asked about the \(word(2)) and "
        case 2: text += cjk(kana, 12) + "、"
        case 3: text += cjk(hangul, 6) + " "
        default: text += cjk(hanCharacters, 12) + "，"
        }
        if random.next() % 4 == 0 { text += sampleTerms.randomElement(using: &random)! + " " }
    }
    return text
}
let messages = (0..<1000).map { message($0 % 5) }
// Warm up, then time each call.
var hits = 0
for text in messages { hits += glossary.terms(in: text).count }
var times: [Double] = []
times.reserveCapacity(messageCount)
for index in 0..<messageCount {
    let text = messages[index % messages.count]
    let start = DispatchTime.now().uptimeNanoseconds
    hits += glossary.terms(in: text, language: "vi").count
    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
}
times.sort()
let mean = times.reduce(0, +) / Double(times.count)
result(
    "glossary-match",
    [
        "concepts": glossary.concepts.count, "messages": messageCount,
        "message_bytes": messages.map(\.utf8.count).reduce(0, +) / messages.count,
        "terms_per_message": Double(hits) / Double(messageCount + messages.count),
        "mean_us": mean, "p50_us": times[times.count / 2], "p99_us": times[times.count * 99 / 100],
        "max_us": times.last!,
    ])

// Folding alone, to see what the automaton adds.
var foldTimes: [Double] = []
var folded = 0
for index in 0..<messageCount {
    let text = messages[index % messages.count]
    let start = DispatchTime.now().uptimeNanoseconds
    folded += FoldedText(text).scalars.count
    foldTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
}
foldTimes.sort()
result("glossary-fold", ["p50_us": foldTimes[foldTimes.count / 2], "p99_us": foldTimes[foldTimes.count * 99 / 100]])
