import AgentPacks
import Dialogue
import Glossary
import Store
import Transport

extension HTTPAPI {
    /// The pack named by `?agent=`, else the default pack.
    func requestedPack(_ request: HTTPRequest) throws -> AgentPack {
        guard let id = request.queryValue("agent") else { return agents.defaultPack }
        guard let pack = agents.pack(id: id) else {
            throw Failure.notFound("no agent \(id); agents: \(agents.ids.joined(separator: ", "))")
        }
        return pack
    }

    /// `GET /v1/glossary?agent=ID[&version=N]`: the TSV in force (or an older version), with
    /// its version in `X-Glossary-Version`.
    func glossaryFile(_ call: RouteCall) async throws -> HTTPResponse {
        let request = call.request
        let pack = try requestedPack(request)
        let glossary: Glossary
        let version: Int
        if let text = request.queryValue("version") {
            guard let number = Int(text), number >= 1 else { throw Failure.badRequest("version must be 1 or more") }
            guard let old = await glossaries.glossary(agent: pack.id, version: number) else {
                throw Failure.notFound("agent \(pack.id) has no glossary version \(number)")
            }
            (glossary, version) = (old, number)
        } else {
            guard let active = glossaries.active(agent: pack.id) else {
                throw Failure.notFound("agent \(pack.id) has no glossary yet; PUT one")
            }
            (glossary, version) = (active.glossary, active.version)
        }
        return HTTPResponse(
            status: 200, contentType: "text/tab-separated-values; charset=utf-8",
            headers: [("X-Glossary-Version", String(version))], body: Array(glossary.source.utf8))
    }

    /// `PUT /v1/glossary?agent=ID`: validates the whole TSV, refusing it with line and reason,
    /// then stores it as the next version, in force for new events at once.
    func replaceGlossary(_ call: RouteCall, by officer: StaffAccount) async throws -> HTTPResponse {
        let request = call.request
        let pack = try requestedPack(request)
        guard !request.body.isEmpty else { throw Failure.badRequest("the body must be the glossary as TSV") }
        guard let text = String(validating: request.body, as: UTF8.self) else {
            throw Failure.badRequest("the body is not valid UTF-8")
        }
        let glossary: Glossary
        do {
            glossary = try Glossary(tsv: text)
        } catch {
            throw Failure.badRequest("glossary refused, nothing changed: \(error)")
        }
        // Hand-over rules of agent.json name concepts; an upload may not drop them.
        for rule in pack.manifest.handover?.rules ?? [] {
            for concept in rule.concepts where glossary.concept(id: concept) == nil {
                throw Failure.badRequest(
                    "glossary refused, nothing changed: concept \"\(concept)\" is used by the hand-over rules of \(pack.id)/agent.json but is not in the file"
                )
            }
        }
        let version = try await glossaries.upload(agent: pack.id, glossary: glossary, by: officer.id)
        await audit(
            actor: officer.name, action: "replace glossary", session: nil,
            detail: "agent=\(pack.id) version=\(version.version) concepts=\(glossary.concepts.count)")
        logger.info(
            "glossary replaced",
            metadata: [
                "agent": "\(pack.id)", "version": "\(version.version)", "concepts": "\(glossary.concepts.count)",
                "by": "\(officer.name)",
            ])
        return Self.json(
            200,
            [
                "agent": .string(pack.id), "concepts": .int(Int64(glossary.concepts.count)),
                "version": .int(Int64(version.version)),
            ])
    }
}
