import Dialogue
import Store
import Transport

extension HTTPAPI {
    /// `GET /v1/sessions/{id}/translations?language=xx`: every stored translation of the
    /// session (machine and human, drafts' included: only officers and interpreters ask),
    /// so a console can build its queue per language and offer a machine translation as an
    /// interpreter's starting text.
    func translations(_ call: RouteCall, reader: StaffAccount) async throws -> HTTPResponse {
        let (request, id) = (call.request, call["id"])
        var language: String?
        if let value = request.queryValue("language"), !value.isEmpty {
            guard LanguageTag.isValid(value) else {
                throw Failure.badRequest("language must be a language code such as \"vi\"")
            }
            language = LanguageTag.primary(value)
        }
        guard try await store.session(id: id) != nil else { throw Failure.notFound("no session \(id)") }
        let list = try await store.translations(session: id, language: language)
        await audit(actor: reader.name, action: "read translations", session: id, detail: "language=\(language ?? "all")")
        return Self.json(200, ["translations": .array(list.map(\.listed))])
    }
}
