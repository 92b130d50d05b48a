/// A passage of the agency's documents quoted beside a message: what an officer attaches to
/// `say` and the assistant to its answers, `{"document","title","passage","source"}`.
///
/// The shape is checked here (strings, bounded, nothing else); whether the index holds the
/// passage is the server's check against the session's agent pack (`CitationCatalog`).
package struct Citation: Sendable, Equatable {
    /// The document's id in the agent pack (`documents/<id>.md`).
    package var document: String
    /// The document's title.
    package var title: String
    /// The passage quoted, as the retrieval index holds it.
    package var passage: String
    /// The document's source (front matter `source`).
    package var source: String

    /// Most citations one message may carry: an officer shares a search result or a few.
    package static let maximumCount = 8
    /// Longest accepted field, in UTF-8 bytes: an index passage is a few sentences (about
    /// 700 characters, one long sentence more), so 8 KiB fits any script.
    package static let maximumLength = ["document": 256, "title": 1024, "passage": 8192, "source": 2048]
    /// The fields of a citation, in the order errors name them.
    package static let fields = ["document", "title", "passage", "source"]

    /// A citation from its four fields.
    package init(document: String, title: String, passage: String, source: String) {
        self.document = document
        self.title = title
        self.passage = passage
        self.source = source
    }

    /// The citation as stored and sent.
    package var json: JSONValue {
        ["document": .string(document), "title": .string(title), "passage": .string(passage), "source": .string(source)]
    }

    /// Reads a `citations` field: an array of at most `maximumCount` objects holding exactly
    /// the four string fields, none empty but `source`, each within its bound. Every
    /// refusal names the citation (from 1) and the field.
    package static func list(from value: JSONValue, ref: String? = nil) throws(DialogueError) -> [Citation] {
        guard let elements = value.arrayValue else {
            throw DialogueError(.badRequest, "field \"citations\" must be an array", ref: ref)
        }
        guard elements.count <= maximumCount else {
            throw DialogueError(
                .badRequest, "field \"citations\" holds \(elements.count) citations; at most \(maximumCount) are accepted",
                ref: ref)
        }
        var citations: [Citation] = []
        for (offset, element) in elements.enumerated() {
            let number = offset + 1
            guard let members = element.objectValue else {
                throw DialogueError(
                    .badRequest,
                    "citation \(number) must be an object {\"document\",\"title\",\"passage\",\"source\"}", ref: ref)
            }
            if let unknown = members.keys.filter({ !fields.contains($0) }).sorted().first {
                throw DialogueError(
                    .badRequest,
                    "citation \(number) has an unknown field \"\(unknown)\"; a citation holds document, title, passage and source",
                    ref: ref)
            }
            var strings: [String: String] = [:]
            for field in fields {
                guard let member = members[field] else {
                    throw DialogueError(.badRequest, "citation \(number) misses field \"\(field)\"", ref: ref)
                }
                guard let text = member.stringValue else {
                    throw DialogueError(.badRequest, "citation \(number): field \"\(field)\" must be a string", ref: ref)
                }
                if field != "source", !text.contains(where: { !$0.isWhitespace }) {
                    throw DialogueError(.badRequest, "citation \(number): field \"\(field)\" is blank", ref: ref)
                }
                let bound = maximumLength[field]!
                guard text.utf8.count <= bound else {
                    throw DialogueError(
                        .badRequest, "citation \(number): field \"\(field)\" is longer than \(bound) bytes", ref: ref)
                }
                strings[field] = text
            }
            citations.append(
                Citation(
                    document: strings["document"]!, title: strings["title"]!, passage: strings["passage"]!,
                    source: strings["source"]!))
        }
        return citations
    }
}
