import Dialogue
import Retrieval
import Transport

extension HTTPAPI {
    /// `GET /v1/search?q=&lang=&k=&agent=&docLang=&zone=&sector=&expand=`.
    func search(_ call: RouteCall) async throws -> HTTPResponse {
        let request = call.request
        guard let text = request.queryValue("q"), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw Failure.badRequest("q (the question) is required")
        }
        guard text.count <= 2000 else { throw Failure.badRequest("q is longer than 2,000 characters") }
        var query = SearchQuery(text: text)
        if let language = request.queryValue("lang") {
            guard LanguageTag.isValid(language) else { throw Failure.badRequest("lang must be a language code") }
            query.language = LanguageTag.normalise(language)
        }
        if let k = request.queryValue("k") {
            guard let number = Int(k), (1...50).contains(number) else { throw Failure.badRequest("k must be 1…50") }
            query.k = number
        }
        if let agent = request.queryValue("agent") {
            guard agents.pack(id: agent) != nil else { throw Failure.notFound("no agent \(agent)") }
            query.agent = agent
        }
        if let language = request.queryValue("docLang") {
            guard LanguageTag.isValid(language) else { throw Failure.badRequest("docLang must be a language code") }
            query.documentLanguage = LanguageTag.normalise(language)
        }
        query.zone = request.queryValue("zone").flatMap { $0.isEmpty ? nil : $0 }
        query.sector = request.queryValue("sector").flatMap { $0.isEmpty ? nil : $0 }
        if let expand = request.queryValue("expand") {
            guard ["true", "false"].contains(expand) else { throw Failure.badRequest("expand must be true or false") }
            query.expandWithGlossary = expand == "true"
        }
        // Right after start-up, changed packs are being re-indexed: wait a little for them,
        // then answer from the index as it is (or 503 when there is none yet).
        if await !retrieval.waitUntilReady(), (try? retrieval.index.passageCount()) == 0 {
            throw Failure(status: 503, code: "unavailable", message: "the retrieval index is being built; retry shortly")
        }
        let results = try await retrieval.search(query)
        let catalog = agents
        return Self.json(
            200,
            [
                "results": .array(
                    results.map { result in
                        // The document's media card and uploaded version, beside the passage.
                        guard case .object(var members) = Self.resultJSON(result),
                            let document = catalog.pack(id: result.agent)?.documents.first(where: { $0.id == result.document })
                        else { return Self.resultJSON(result) }
                        if let card = PackMedia.card(for: document, pack: result.agent) { members["media"] = .array([card]) }
                        if let version = document.version { members["version"] = .int(Int64(version)) }
                        return .object(members)
                    })
            ])
    }

    static func resultJSON(_ result: SearchResult) -> JSONValue {
        var members: [String: JSONValue] = [
            "document": .string(result.document), "title": .string(result.title), "passage": .string(result.passage),
            "language": .string(result.language), "score": .double(result.score), "source": .string(result.source),
            "date": .string(result.date), "agent": .string(result.agent), "heading": .string(result.heading),
        ]
        if let zone = result.zone { members["zone"] = .string(zone) }
        if let sector = result.sector { members["sector"] = .string(sector) }
        return .object(members)
    }
}
