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
}

extension SearchIndex {
    /// Candidates read from FTS5 before re-ranking and removing duplicates.
    static let candidateCount = 40
    static let candidatesPerLanguage = 20
    /// Above this many passages, a single token held by more than `frequentShare` of them
    /// is left out of the query: it cannot rank anything and would cost a scan.
    static let frequentCapMinimum = 2000
    static let frequentShare = 0.05

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
        do {
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM passages") ?? 0
            guard total > 0 else { return [] }
            // Frequent single tokens are dropped when the index is large; phrases stay.
            var clauses: [String] = []
            var singles = plan.tokens
            if total > Self.frequentCapMinimum {
                let cap = max(Self.frequentCapMinimum, Int(Double(total) * Self.frequentShare))
                let kept = try singles.filter { try self.documentFrequency($0, db) <= cap }
                if !kept.isEmpty || !plan.phrases.isEmpty { singles = kept }
            }
            clauses += singles.map(Self.quoted)
            clauses += plan.phrases.map { Self.quoted($0.joined(separator: " ")) }
            guard !clauses.isEmpty else { return [] }
            var sql = """
                SELECT p.*, bm25(passages_fts, 2.0, 1.0) AS rank FROM passages_fts
                JOIN passages p ON p.id = passages_fts.rowid
                WHERE passages_fts MATCH ?
                """
            var arguments: [any DatabaseValueConvertible] = [clauses.joined(separator: " OR ")]
            if let agent = query.agent {
                sql += " AND p.agent = ?"
                arguments.append(agent)
            }
            if let zone = query.zone {
                sql += " AND p.zone LIKE ?"
                arguments.append("%" + zone + "%")
            }
            if let sector = query.sector {
                sql += " AND p.sector LIKE ?"
                arguments.append("%" + sector + "%")
            }
            // With glossary phrases in the query, candidates are read per document language:
            // otherwise the asker's own language, matching more of the question's words,
            // would crowd out the passage in another language that holds the answer.
            var groups: [[any DatabaseValueConvertible]] = []
            if let language = query.documentLanguage {
                groups = [[language, language + "-%"]]
            } else if !plan.phrases.isEmpty {
                groups = try documentLanguages(db).map { [$0, $0] }
            } else {
                groups = [[]]
            }
            var candidates: [SearchResult] = []
            for group in groups {
                var groupSQL = sql
                if !group.isEmpty { groupSQL += " AND (p.language = ? OR p.language LIKE ?)" }
                groupSQL += " ORDER BY rank LIMIT \(groups.count > 1 ? Self.candidatesPerLanguage : Self.candidateCount)"
                let rows = try Row.fetchAll(db, sql: groupSQL, arguments: StatementArguments(arguments + group))
                guard let best = rows.first.map({ -($0["rank"] as Double) }), best > 0 else { continue }
                candidates += rows.map { row in
                    plan.score(row, best: best, glossary: glossary, askerLanguage: query.language)
                }
            }
            return Self.withoutDuplicates(candidates.sorted { $0.score > $1.score }, askerLanguage: query.language)
                .prefix(k).map(\.self)
        }
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

    /// Passages of one document in several languages that say the same thing (the same
    /// numbers and concepts) count once: the asker's language when there, else the best.
    static func withoutDuplicates(_ results: [SearchResult], askerLanguage: String?) -> [SearchResult] {
        var kept: [SearchResult] = []
        var signatures: [Set<String>] = []
        for result in results {
            let signature = QueryPlan.signature(result.passage)
            if let index = kept.indices.first(where: {
                kept[$0].document != result.document && family(kept[$0].document) == family(result.document)
                    && kept[$0].language != result.language && similar(signatures[$0], signature)
            }) {
                // Same content in another language: prefer the asker's, keeping the better score.
                if let askerLanguage, result.language.hasPrefix(askerLanguage), !kept[index].language.hasPrefix(askerLanguage) {
                    var replacement = result
                    replacement.score = max(result.score, kept[index].score)
                    kept[index] = replacement
                    signatures[index] = signature
                }
                continue
            }
            kept.append(result)
            signatures.append(signature)
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
                for forms in glossary.concepts[hit.conceptIndex].forms.values {
                    for form in forms {
                        let phrase = SearchTokenizer.tokens(form)
                        if !phrase.isEmpty, seenPhrases.insert(phrase).inserted { phrases.append(phrase) }
                    }
                }
            }
        }
        self.phrases = phrases
        self.concepts = concepts
    }

    /// Final score of a candidate row: its BM25 relative to the best of its language
    /// (so each language's best match starts equal), raised for each concept and number
    /// of the question it holds, and a little for the asker's language.
    func score(_ row: Row, best: Double, glossary: Glossary?, askerLanguage: String?) -> SearchResult {
        let text: String = row["text"]
        let language: String = row["language"]
        var matched = 0
        if let glossary, !concepts.isEmpty {
            matched = Set(glossary.terms(in: text).map(\.conceptIndex)).intersection(concepts).count
        }
        var numbersHeld = 0
        if !numbers.isEmpty {
            let passageTokens = Set(SearchTokenizer.tokens(text))
            numbersHeld = numbers.intersection(passageTokens).count
        }
        let bm25 = -(row["rank"] as Double)
        var score = (bm25 / best) * (1 + 0.4 * Double(matched) + 0.5 * Double(numbersHeld))
        if let askerLanguage, language.hasPrefix(askerLanguage) { score *= 1.1 }
        return SearchResult(
            document: row["document"], title: row["title"], heading: row["heading"], passage: text, language: language,
            score: (score * 1000).rounded() / 1000, source: row["source"], date: row["date"], zone: row["zone"],
            sector: row["sector"], agent: row["agent"], matchedConcepts: matched)
    }

    /// What a passage says, independent of its language: its numbers.
    static func signature(_ text: String) -> Set<String> {
        Set(SearchTokenizer.tokens(text).filter { $0.first?.isNumber == true })
    }
}
