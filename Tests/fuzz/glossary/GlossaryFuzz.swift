import FuzzSupport
import Glossary

/// Fuzzes the glossary's TSV parser (contract section 6) and the term matcher built from
/// what it accepts: a refusal names a line of the input, and an accepted glossary keeps the
/// file's rules and finds each of its own forms in a text that is only that form.
@main enum GlossaryFuzz {
    static func main() {
        FuzzDriver.main(target: "fuzz-glossary", folders: FuzzDriver.defaultFolders(besides: #filePath), check: check)
    }

    static func check(_ bytes: [UInt8]) throws(FuzzFailure) {
        // The server reads glossaries as UTF-8 and refuses anything else before parsing.
        guard let text = String(validating: bytes, as: UTF8.self) else { return }
        let lines = bytes.count(where: { $0 == 0x0A }) + 1
        let glossary: Glossary
        do {
            glossary = try Glossary(tsv: text)
        } catch {
            guard let line = error.line else { throw FuzzFailure("a refusal without a line: \(error.reason)") }
            try require((1...lines).contains(line), "refused at line \(line) of a \(lines)-line file: \(error.reason)")
            try require(!error.reason.isEmpty, "a refusal without a reason")
            return
        }
        try require(!glossary.languages.isEmpty, "a glossary without a language column")
        var ids: Set<String> = []
        for (index, concept) in glossary.concepts.enumerated() {
            try require((2...lines).contains(concept.line), "concept on line \(concept.line) of \(lines)")
            try require(!concept.id.isEmpty, "concept on line \(concept.line) has an empty id")
            try require(
                !concept.id.contains(where: { $0.isWhitespace || $0 == "|" }), "id \"\(concept.id)\" holds a space or |")
            try require(ids.insert(concept.id).inserted, "id \"\(concept.id)\" given twice")
            try require(glossary.concept(id: concept.id) == concept, "concept(id:) misses \"\(concept.id)\"")
            try require(!concept.forms.isEmpty, "concept \"\(concept.id)\" has no form")
            for (language, forms) in concept.forms {
                try require(glossary.languages.contains(language), "forms in unknown column \(language)")
                for form in forms {
                    try require(!form.isEmpty && form.count <= 200, "form of \(form.count) characters")
                    try checkFinds(glossary, form: form, language: language, concept: index)
                }
            }
            for language in glossary.languages {
                _ = glossary.approvedForm(of: index, for: language)
            }
        }
    }

    /// A form is recognised in a text that is only that form, as one term spanning it all
    /// (that term may be another concept's when the spelling is shared across languages).
    static func checkFinds(_ glossary: Glossary, form: String, language: String, concept: Int) throws(FuzzFailure) {
        let hits = glossary.terms(in: form, language: language)
        let length = form.utf16.count
        var previousEnd = 0
        for hit in hits {
            try require(
                hit.start >= previousEnd && hit.start < hit.end && hit.end <= length,
                "term \(hit.start)..<\(hit.end) out of order or outside 0..<\(length) in \"\(form)\"")
            try require(glossary.concepts.indices.contains(hit.conceptIndex), "term of concept \(hit.conceptIndex)")
            previousEnd = hit.end
        }
        try require(
            hits.contains { $0.start == 0 && $0.end == length },
            "form \"\(form)\" (\(language)) of \"\(glossary.concepts[concept].id)\" is not found in itself: \(hits)")
    }
}
