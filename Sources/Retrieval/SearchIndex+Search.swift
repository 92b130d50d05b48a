import Foundation
import GRDB
import Glossary

/// A question to the index.
package struct SearchQuery: Sendable {
    /// The question as asked.
    package var text: String
    /// The asker's language: a preference (ranking, duplicates), never a filter.
    package var language: String?
    /// Results wanted, 1…50.
    package var k: Int = 5
    /// Only this agent's passages.
    package var agent: String?
    /// Only documents in this language.
    package var documentLanguage: String?
    /// Only documents whose `zone` / `sector` front matter contains this (case-insensitive).
    package var zone: String?
    package var sector: String?
    /// Add every language's forms of the glossary concepts found in the question.
    package var expandWithGlossary = true

    package init(
        text: String, language: String? = nil, k: Int = 5, agent: String? = nil, documentLanguage: String? = nil,
        zone: String? = nil, sector: String? = nil, expandWithGlossary: Bool = true
    ) {
        self.text = text
        self.language = language
        self.k = k
        self.agent = agent
        self.documentLanguage = documentLanguage
        self.zone = zone
        self.sector = sector
        self.expandWithGlossary = expandWithGlossary
    }
}

/// One passage found, best first; `score`: higher is better.
package struct SearchResult: Sendable, Equatable {
    package var document: String
    package var title: String
    package var heading: String
    package var passage: String
    package var language: String
    package var score: Double
    package var source: String
    package var date: String
    package var zone: String?
    package var sector: String?
    package var agent: String
    /// Concepts of the question this passage holds (for the assistant's confidence).
    package var matchedConcepts: Int
    /// The passage's number tokens: what its language versions share.
    var numbers: Set<String> = []

    package init(
        document: String, title: String, heading: String, passage: String, language: String, score: Double,
        source: String, date: String, zone: String?, sector: String?, agent: String, matchedConcepts: Int
    ) {
        self.document = document
        self.title = title
        self.heading = heading
        self.passage = passage
        self.language = language
        self.score = score
        self.source = source
        self.date = date
        self.zone = zone
        self.sector = sector
        self.agent = agent
        self.matchedConcepts = matchedConcepts
    }
}

extension SearchIndex {
    /// Candidates read from FTS5 before re-ranking and removing duplicates.
    static let candidateCount = 20
    static let candidatesPerLanguage = 15
    /// How many postings of single tokens a query may make FTS5 score (BM25 costs ≈ 2–4 µs
    /// a matching row here: 400 keeps a search near 1 ms on 100,000 passages). Tokens are kept
    /// rarest first while their passages add up to at most this; a token held by more
    /// passages than this alone is left out unless nothing else is left, and then only the
    /// first `postingsBudget` matching rows are scored. Phrases (glossary forms) always stay.
    /// Frequent tokens cannot rank anything, and scoring tens of thousands of rows is what
    /// makes a search slow.
    static let postingsBudget = 400

    /// The best passages for a question. `glossary` is the agent's (for expansion and
    /// concept boosts); nil searches the words alone.
    package func search(_ query: SearchQuery, glossary: Glossary?) throws -> [SearchResult] {
        try pool.read { db in try self.search(query, glossary: glossary, in: db) }
    }

    /// The same, waiting for a reader without blocking a thread of the caller's.
    package func search(_ query: SearchQuery, glossary: Glossary?) async throws -> [SearchResult] {
        try await pool.read { db in try self.search(query, glossary: glossary, in: db) }
    }

    func search(_ query: SearchQuery, glossary: Glossary?, in db: Database) throws -> [SearchResult] {
        let plan = QueryPlan(query: query, glossary: query.expandWithGlossary ? glossary : nil)
        let k = max(1, min(50, query.k))
        guard try passageCount(db) > 0 else { return [] }

        // Single tokens, rarest first, within the postings budget.
        let counted = try plan.tokens.map { ($0, try documentFrequency($0, db)) }.filter { $0.1 > 0 }
            .sorted { $0.1 < $1.1 }
        var singles: [String] = []
        var postings = 0
        for (token, count) in counted where postings + count <= Self.postingsBudget {
            singles.append(token)
            postings += count
        }
        var capRows = false
        if singles.isEmpty && plan.phrases.isEmpty, let rarest = counted.first {
            singles = [rarest.0]
            capRows = true
        }
        let clauses = singles.map(Self.quoted) + plan.phrases.map { Self.quoted($0.joined(separator: " ")) }
        guard !clauses.isEmpty else { return [] }
        var filter = ""
        if let agent = query.agent { filter += " AND meta:" + Self.quoted(Self.metaToken("agent", agent)) }

        // With glossary phrases in the query, candidates are read per document language:
        // otherwise the asker's own language, matching more of the question's words, would
        // crowd out the passage in another language that holds the answer.
        let languages: [String?]
        if let language = query.documentLanguage {
            languages = [language]
        } else if !plan.phrases.isEmpty {
            languages = try documentLanguages(db)
        } else {
            languages = [nil]
        }
        let postFilter = query.zone != nil || query.sector != nil
        let limit = postFilter ? 400 : max(2 * k, languages.count > 1 ? Self.candidatesPerLanguage : Self.candidateCount)
        var candidates: [SearchResult] = []
        for language in languages {
            var match = "(" + clauses.joined(separator: " OR ") + ")" + filter
            if let language { match += " AND meta:" + Self.quoted(Self.metaToken("lang", language)) }
            // Ranked inside FTS5 first, joined to the passages' columns after: only the
            // candidates are looked up.
            let ranked =
                capRows
                ? "SELECT rowid, rank FROM (SELECT rowid, bm25(passages_fts, 2.0, 1.0, 0.0) AS rank FROM passages_fts WHERE passages_fts MATCH ? LIMIT \(Self.postingsBudget)) ORDER BY rank LIMIT \(limit)"
                : "SELECT rowid, bm25(passages_fts, 2.0, 1.0, 0.0) AS rank FROM passages_fts WHERE passages_fts MATCH ? ORDER BY rank LIMIT \(limit)"
            // Columns in the order `QueryPlan.score` reads them by position (by name, GRDB
            // compares column names for every value, which dominated a search's time).
            var sql = """
                SELECT p.text, p.language, p.document, p.title, p.heading, p.source, p.date, p.zone, p.sector,
                    p.agent, r.rank, p.numbers FROM (\(ranked)) AS r
                JOIN passages p ON p.id = r.rowid
                """
            var arguments: [any DatabaseValueConvertible] = [match]
            if let zone = query.zone {
                sql += (arguments.count == 1 ? " WHERE" : " AND") + " p.zone LIKE ?"
                arguments.append("%" + zone + "%")
            }
            if let sector = query.sector {
                sql += (arguments.count == 1 ? " WHERE" : " AND") + " p.sector LIKE ?"
                arguments.append("%" + sector + "%")
            }
            sql += " ORDER BY r.rank LIMIT \(postFilter ? max(2 * k, Self.candidateCount) : limit)"
            // A cursor reads each value straight from the statement: no copied rows.
            let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
            var best = 0.0
            while let row = try rows.next() {
                if best == 0 { best = -(row[10] as Double) }
                guard best > 0 else { break }
                candidates.append(plan.score(row, best: best, glossary: glossary, askerLanguage: query.language))
            }
        }
        return Self.withoutDuplicates(
            candidates.sorted { $0.score > $1.score }, askerLanguage: query.language, keeping: k)
    }

    /// The single tokens a question is searched for (its stop words and kana-only bigrams
    /// left out, no repeats): what a benchmark gives a comparison engine.
    package static func queryTokens(_ text: String) -> [String] {
        QueryPlan(query: SearchQuery(text: text), glossary: nil).tokens
    }

    /// Passages in the index (cached until it changes).
    func passageCount(_ db: Database) throws -> Int {
        if let known = frequencies.passages() { return known }
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM passages") ?? 0
        frequencies.setPassages(count)
        return count
    }

    /// Languages of the indexed documents (cached until the index changes).
    func documentLanguages(_ db: Database) throws -> [String] {
        if let known = frequencies.languages() { return known }
        let languages = try String.fetchAll(db, sql: "SELECT DISTINCT language FROM passages ORDER BY language")
        frequencies.setLanguages(languages)
        return languages
    }

    /// Passages holding `token` (cached).
    func documentFrequency(_ token: String, _ db: Database) throws -> Int {
        if let known = frequencies.value(token) { return known }
        let count = try Int.fetchOne(db, sql: "SELECT doc FROM passages_vocab WHERE term = ?", arguments: [token]) ?? 0
        frequencies.set(token, count)
        return count
    }

    /// An FTS5 string: a token or a phrase in double quotes.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Passages of one document's language versions that say the same thing (the same
    /// numbers) count once: the asker's language when there, else the best. Stops once
    /// `keeping` results are kept; signatures are only compared between versions of one
    /// document.
    static func withoutDuplicates(_ results: [SearchResult], askerLanguage: String?, keeping: Int) -> [SearchResult] {
        var kept: [SearchResult] = []
        for result in results {
            if let index = kept.indices.first(where: {
                kept[$0].language != result.language && kept[$0].document != result.document
                    && family(kept[$0].document) == family(result.document) && similar(kept[$0].numbers, result.numbers)
            }) {
                // Same content in another language: prefer the asker's, keeping the better score.
                if let askerLanguage, result.language.hasPrefix(askerLanguage), !kept[index].language.hasPrefix(askerLanguage) {
                    var replacement = result
                    replacement.score = max(result.score, kept[index].score)
                    kept[index] = replacement
                }
                continue
            }
            kept.append(result)
            if kept.count == keeping { break }
        }
        return kept
    }

    static func family(_ document: String) -> String {
        guard let dot = document.lastIndex(of: ".") else { return document }
        return String(document[..<dot])
    }

    static func similar(_ a: Set<String>, _ b: Set<String>) -> Bool {
        guard !a.isEmpty, !b.isEmpty else { return false }
        let shared = Double(a.intersection(b).count)
        return shared / Double(a.union(b).count) >= 0.6
    }
}

/// A question turned into FTS5 clauses: its own tokens (minus stop words) and, with a
/// glossary, every language's forms of the concepts it names, as phrases.
struct QueryPlan {
    var tokens: [String]
    var phrases: [[String]]
    /// Concept indices found in the question.
    var concepts: Set<Int>
    /// Number tokens of the question.
    var numbers: Set<String>

    init(query: SearchQuery, glossary: Glossary?) {
        let words = StopWords.removing(from: query.text)
        var tokens: [String] = []
        var seen: Set<String> = []
        for token in SearchTokenizer.tokens(words) where seen.insert(token).inserted {
            if StopWords.isFunctionBigram(token) { continue }
            tokens.append(token)
        }
        self.tokens = tokens
        numbers = Set(tokens.filter { $0.first?.isNumber == true })
        var phrases: [[String]] = []
        var concepts: Set<Int> = []
        if let glossary {
            var seenPhrases: Set<[String]> = []
            for hit in glossary.terms(in: query.text, language: query.language) where concepts.insert(hit.conceptIndex).inserted {
                for phrase in Self.phrases(of: hit.conceptIndex, in: glossary) where seenPhrases.insert(phrase).inserted {
                    phrases.append(phrase)
                }
            }
        }
        self.phrases = phrases
        self.concepts = concepts
    }

    /// Every form of a concept, in every language, as index tokens (each form a phrase), without repeats.
    static func phrases(of conceptIndex: Int, in glossary: Glossary) -> [[String]] {
        var seen: Set<[String]> = []
        var phrases: [[String]] = []
        for forms in glossary.concepts[conceptIndex].forms.values {
            for form in forms {
                let phrase = SearchTokenizer.tokens(form)
                if !phrase.isEmpty, seen.insert(phrase).inserted { phrases.append(phrase) }
            }
        }
        return phrases
    }

    /// Final score of a candidate row: its BM25 relative to the best of its language
    /// (so each language's best match starts equal), raised for each concept and number
    /// of the question it holds, and a little for the asker's language.
    func score(_ row: Row, best: Double, glossary: Glossary?, askerLanguage: String?) -> SearchResult {
        let text: String = row[0]
        let language: String = row[1]
        var matched = 0
        if let glossary, !concepts.isEmpty {
            matched = Set(glossary.terms(in: text).map(\.conceptIndex)).intersection(concepts).count
        }
        // The passage's number tokens, kept at indexing: no need to tokenise it again.
        let tokens: String = row[11]
        var passageNumbers: Set<String> = []
        for token in tokens.utf8.split(separator: 0x20) where token.first.map({ $0 >= 0x30 && $0 <= 0x39 }) == true {
            passageNumbers.insert(String(decoding: token, as: UTF8.self))
        }
        let numbersHeld = numbers.intersection(passageNumbers).count
        let bm25 = -(row[10] as Double)
        var score = (bm25 / best) * (1 + 0.4 * Double(matched) + 0.5 * Double(numbersHeld))
        if let askerLanguage, language.hasPrefix(askerLanguage) { score *= 1.1 }
        var result = SearchResult(
            document: row[2], title: row[3], heading: row[4], passage: text, language: language,
            score: (score * 1000).rounded() / 1000, source: row[5], date: row[6], zone: row[7], sector: row[8],
            agent: row[9], matchedConcepts: matched)
        result.numbers = passageNumbers
        return result
    }

}
