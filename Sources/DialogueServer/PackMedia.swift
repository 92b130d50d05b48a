import AgentPacks
import Dialogue

/// The cards shown beside an answer or a search result citing documents that carry media
/// (front matter `image`, `image-caption`, `tour`, `map`): one per document, in citation order.
enum PackMedia {
    /// The URL a pack image is served at (public: the pack's own material).
    static func imageURL(pack: String, file: String) -> String { "/v1/agents/\(pack)/media/\(file)" }

    static func card(for document: PackDocument, pack: String) -> JSONValue? {
        guard document.hasMedia else { return nil }
        var card: [String: JSONValue] = ["document": .string(document.id), "title": .string(document.title)]
        if let image = document.image { card["image"] = .string(imageURL(pack: pack, file: image)) }
        if let caption = document.imageCaption { card["caption"] = .string(caption) }
        if let tour = document.tour { card["tour"] = .string(tour) }
        if let map = document.map { card["map"] = .string(map) }
        return .object(card)
    }

    static func cards(for documentIds: [String], in pack: AgentPack) -> [JSONValue] {
        var seen: Set<String> = []
        return documentIds.compactMap { id in
            guard seen.insert(id).inserted, let document = pack.documents.first(where: { $0.id == id }) else { return nil }
            return card(for: document, pack: pack.id)
        }
    }
}
