/// One concept of a glossary: a line of the TSV file.
package struct GlossaryConcept: Sendable, Equatable {
    /// The `id` column, or an id derived from the English (else first) form.
    package var id: String
    /// `keep` = 1: a name (place, company, programme), shown in the reader's column, else
    /// Vietnamese, else the first form there is.
    package var keep: Bool
    /// The `note` column, when there is one.
    package var note: String?
    /// Forms per language column (only non-empty cells): the approved form first, then the
    /// recognised variants.
    package var forms: [String: [String]]
    /// The 1-based line of the file.
    package var line: Int
}

/// A validated glossary: concepts, their forms per language, and the automaton that finds
/// them in text. Immutable, so one instance serves every session and thread.
package final class Glossary: Sendable {
    /// Language columns in file order.
    package let languages: [String]
    /// Concepts in file order.
    package let concepts: [GlossaryConcept]
    /// The file the glossary was parsed from, exactly as given.
    package let source: String
    /// Concept index by id.
    private let indexById: [String: Int]
    /// The automaton over every form's loose key.
    private let matcher: TermMatcher

    /// Parses and validates a TSV glossary (contract section 6); the whole file is refused
    /// on the first fault, naming its line.
    package convenience init(tsv: String) throws(GlossaryError) {
        let parsed = try GlossaryParser.parse(tsv)
        self.init(languages: parsed.languages, concepts: parsed.concepts, forms: parsed.forms, source: tsv)
    }

    /// A glossary from concepts already validated by the parser.
    init(languages: [String], concepts: [GlossaryConcept], forms: [GlossaryParser.FormKeys], source: String) {
        self.languages = languages
        self.concepts = concepts
        self.source = source
        var indexById: [String: Int] = [:]
        for (index, concept) in concepts.enumerated() { indexById[concept.id] = index }
        self.indexById = indexById
        self.matcher = TermMatcher(forms: forms, languages: languages)
    }

    /// The concept with this id.
    package func concept(id: String) -> GlossaryConcept? {
        indexById[id].map { concepts[$0] }
    }

    /// Every glossary term in `text`, longest first and without overlaps, in text order.
    /// `language` (the message's) breaks ties when one spelling names different concepts in
    /// different languages.
    package func terms(in text: String, language: String? = nil) -> [TermHit] {
        matcher.find(in: text, language: language.flatMap(column(for:)))
    }

    /// The approved form a reader of `language` is shown for a concept: the reader's column;
    /// for a `keep` name else Vietnamese, for other concepts else English then Vietnamese;
    /// else the first form in file order.
    package func approvedForm(of conceptIndex: Int, for language: String) -> String {
        let concept = concepts[conceptIndex]
        if let column = column(for: language), let form = concept.forms[column]?.first { return form }
        let fallbacks = concept.keep ? ["vi"] : ["en", "vi"]
        for fallback in fallbacks {
            if let form = concept.forms[fallback]?.first { return form }
        }
        for column in languages {
            if let form = concept.forms[column]?.first { return form }
        }
        return ""
    }

    /// The column serving a reader language: the same tag, else the same primary language
    /// (`zh-Hant` reads `zh`, `pt` reads `pt-BR`).
    package func column(for language: String) -> String? {
        let wanted = language.lowercased()
        if let exact = languages.first(where: { $0.lowercased() == wanted }) { return exact }
        let base = wanted.split(separator: "-").first.map(String.init) ?? wanted
        if let same = languages.first(where: { $0.lowercased() == base }) { return same }
        return languages.first { $0.lowercased().split(separator: "-").first.map(String.init) == base }
    }
}

/// One glossary term found in a text.
package struct TermHit: Sendable, Equatable {
    /// The term as written in the text.
    package var text: String
    /// UTF-16 offsets of the term in the text: `start..<end`.
    package var start: Int
    package var end: Int
    /// Index of the concept in the glossary's `concepts`.
    package var conceptIndex: Int
}

/// A glossary refused: the line (1-based; nil for faults of the whole file) and why.
package struct GlossaryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The line at fault, when there is one.
    package var line: Int?
    /// What is wrong.
    package var reason: String

    package init(line: Int?, _ reason: String) {
        self.line = line
        self.reason = reason
    }

    /// `line 12: ...`.
    package var description: String {
        if let line { return "line \(line): \(reason)" }
        return reason
    }
}
