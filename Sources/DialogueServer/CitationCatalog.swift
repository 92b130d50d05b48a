import AgentPacks
import Dialogue
import Retrieval

/// The passages an officer may cite in a session: exactly those the retrieval index holds
/// for the session's agent pack (each document cut by `PassageSplitter`, as `SearchIndex`
/// does), so a `say` cannot show an invented quote or link under the agency's "Sources".
///
/// A citation is accepted when `document` is the id of a document of the pack, `title` and
/// `source` are that document's own, and `passage` is one of its index passages as
/// `/v1/search` returns it (runs of white space count as one space, ends trimmed).
struct CitationCatalog: Sendable {
    /// What the index holds of one document.
    struct Entry: Sendable {
        /// The document's title (front matter).
        var title: String
        /// The document's source (front matter).
        var source: String
        /// Its passages, white space folded.
        var passages: Set<String>
    }

    /// The pack's id, for refusals.
    let agent: String
    /// Documents by id.
    let documents: [String: Entry]

    /// Cuts every document of `pack` as the index does.
    init(pack: AgentPack) {
        agent = pack.id
        var documents: [String: Entry] = [:]
        for document in pack.documents {
            documents[document.id] = Entry(
                title: document.title, source: document.source,
                passages: Set(PassageSplitter.passages(markdown: document.body).map { Self.folded($0.text) }))
        }
        self.documents = documents
    }

    /// Runs of white space as one space, without leading or trailing white space.
    static func folded(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Checks each citation against the index; the first one it does not hold is refused,
    /// naming the citation (from 1) and why.
    func check(_ citations: [Citation], ref: String? = nil) throws(DialogueError) {
        for (offset, citation) in citations.enumerated() {
            let number = offset + 1
            guard let entry = documents[citation.document] else {
                throw DialogueError(
                    .badRequest,
                    "citation \(number): no document \"\(citation.document)\" in the index of agent \(agent)", ref: ref)
            }
            guard citation.title == entry.title else {
                throw DialogueError(
                    .badRequest,
                    "citation \(number): the title of document \"\(citation.document)\" is \"\(entry.title)\", not \"\(citation.title)\"",
                    ref: ref)
            }
            guard citation.source == entry.source else {
                throw DialogueError(
                    .badRequest,
                    "citation \(number): the source of document \"\(citation.document)\" is \"\(entry.source)\", not \"\(citation.source)\"",
                    ref: ref)
            }
            guard entry.passages.contains(Self.folded(citation.passage)) else {
                throw DialogueError(
                    .badRequest,
                    "citation \(number): the passage is not one the index holds for document \"\(citation.document)\" (cite a passage exactly as /v1/search returns it)",
                    ref: ref)
            }
        }
    }
}
