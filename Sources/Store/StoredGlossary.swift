/// One version of an agent's glossary as stored: versions are never changed or deleted, so
/// a transcript can always be shown with the glossary its events were matched against.
package struct StoredGlossary: Sendable, Equatable {
    /// The agent pack it belongs to.
    package var agent: String
    /// 1, 2, … per agent.
    package var version: Int
    /// The TSV text exactly as loaded or uploaded.
    package var tsv: String
    /// SHA-256 of the TSV's UTF-8 bytes, hex.
    package var sha256: String
    /// Where it came from: `file` (the pack's glossary.tsv at start-up) or `api` (a PUT).
    package var origin: String
    /// Number of concepts.
    package var concepts: Int
    /// RFC 3339.
    package var createdAt: String
    /// Staff id for `api`, `server` for `file`.
    package var createdBy: String

    package init(
        agent: String, version: Int, tsv: String, sha256: String, origin: String, concepts: Int, createdAt: String,
        createdBy: String
    ) {
        self.agent = agent
        self.version = version
        self.tsv = tsv
        self.sha256 = sha256
        self.origin = origin
        self.concepts = concepts
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}
