import AgentPacks
import Dialogue
import Transport

extension HTTPAPI {
    /// `GET /v1/phrases?agent=ID`: the pack's phrasebook in file order,
    /// `{"phrases":[{"id","texts":{lang:text},"note"}]}`; empty when the pack has none.
    func phrases(_ call: RouteCall) throws -> HTTPResponse {
        let pack = try requestedPack(call.request)
        let phrases = pack.phrasebook?.phrases ?? []
        let list: [JSONValue] = phrases.map { phrase in
            [
                "id": .string(phrase.id),
                "texts": .object(phrase.texts.mapValues { .string($0) }),
                "note": .string(phrase.note),
            ]
        }
        return Self.json(
            200, ["agent": .string(pack.id), "languages": .array((pack.phrasebook?.languages ?? []).map { .string($0) }),
                  "phrases": .array(list)])
    }
}
