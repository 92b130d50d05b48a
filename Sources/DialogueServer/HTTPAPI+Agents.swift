import AgentPacks
import Dialogue
import Transport

extension HTTPAPI {
    /// `GET /v1/agents`: the assistant packs this server has, for the console's pack choice:
    /// `{"default":ID,"agents":[{"id","name","names":{lang:name},"organisation","languages",
    /// "documents"}]}`, the default first, then by id. `name` and `organisation` are in the
    /// pack's language closest to `?lang=` (else its default language); `documents` counts the
    /// documents in force (shipped, or published uploads).
    func listAgents(_ call: RouteCall) -> HTTPResponse {
        let catalog = agents
        let defaultID = catalog.defaultPack.id
        let language = call.request.queryValue("lang")
        let ids = catalog.ids.sorted { ($0 == defaultID ? 0 : 1, $0) < ($1 == defaultID ? 0 : 1, $1) }
        let list: [JSONValue] = ids.compactMap { id in
            guard let pack = catalog.pack(id: id) else { return nil }
            let manifest = pack.manifest
            let wanted = language.map(manifest.servedLanguage(for:)) ?? manifest.defaultLanguage
            return [
                "id": .string(pack.id),
                "name": .string(manifest.name(in: wanted)),
                "names": .object(manifest.names.mapValues { .string($0) }),
                "organisation": .string(manifest.organisationName(in: wanted)),
                "languages": .array(manifest.languages.map { .string($0) }),
                "documents": .int(Int64(pack.documents.count)),
            ]
        }
        return Self.json(200, ["default": .string(defaultID), "agents": .array(list)])
    }
}
