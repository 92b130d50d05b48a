import ArgumentParser
import Foundation
import Glossary

/// `glossary check|terms`: validate a glossary file before uploading it, and see which terms
/// a text holds — the server's own parser and matcher, offline.
struct GlossaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glossary", abstract: "Check a glossary file and try it on a text.",
        subcommands: [Check.self, Terms.self])

    static func load(_ path: String) -> Glossary {
        guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)", code: 2) }
        guard let text = String(data: data, encoding: .utf8) else { fail("\(path): not valid UTF-8", code: 1) }
        do {
            return try Glossary(tsv: text)
        } catch {
            fail("\(path):\(error.line.map { "\($0):" } ?? "") \(error.reason)", code: 1)
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a glossary TSV: exit 0 and a summary, or 1 and FILE:LINE: reason.")
        @Argument(help: "The TSV file.") var file: String

        func run() {
            let glossary = GlossaryCommand.load(file)
            let names = glossary.concepts.filter(\.keep).count
            printLine(
                "ok: \(glossary.concepts.count) concepts (\(names) names), languages \(glossary.languages.joined(separator: ", "))"
            )
        }
    }

    struct Terms: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the terms a text holds, as a reader of --lang would be shown them (JSON lines).")
        @Argument(help: "The TSV file.") var file: String
        @Argument(help: "The text; read from stdin when absent.") var text: String?
        @Option(help: "The reader's language.") var lang = "en"
        @Option(help: "The text's language (breaks ties between languages).") var textLang: String?

        func run() {
            let glossary = GlossaryCommand.load(file)
            let input = text ?? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            for hit in glossary.terms(in: input, language: textLang) {
                let object: [String: Any] = [
                    "text": hit.text, "start": hit.start, "end": hit.end,
                    "concept": glossary.concepts[hit.conceptIndex].id,
                    "translation": glossary.approvedForm(of: hit.conceptIndex, for: lang),
                ]
                let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                printLine(String(decoding: data, as: UTF8.self))
            }
        }
    }
}
