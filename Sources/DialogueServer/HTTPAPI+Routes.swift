import Dialogue

extension HTTPAPI {
    /// Every staff role: sessions' lists, pages and phrases are for all of them.
    static let anyStaff: Set<Role> = [.officer, .reviewer, .interpreter]

    /// Every route the API serves, one line each: method, path, roles, body, handler. Dispatch,
    /// 404 versus 405, the role checks, the preflight and the transport's large-body limits
    /// all derive from it, and `docs/openapi.yaml` documents exactly these (RouteTableTests).
    /// A new route is one more line; `.anyone(…, body: .json)` is a public route with a body.
    static let routes = RouteTable(
        [
            .anyone("GET", "/healthz") { api, _ in await api.health() },
            .anyone("GET", "/metrics") { api, call in try api.metricsPage(call) },
            .staff("POST", "/v1/sessions", [.officer], body: .json) { try await $0.createSession($1, by: $2) },
            .staff("GET", "/v1/sessions", anyStaff) { api, call, _ in try await api.listSessions(call) },
            .staff("GET", "/v1/sessions/{id}", anyStaff) { api, call, _ in try await api.session(call) },
            .staff("PATCH", "/v1/sessions/{id}", [.officer], body: .json) { try await $0.reschedule($1, by: $2) },
            .staff("POST", "/v1/sessions/{id}/cancel", [.officer]) { try await $0.cancelSession($1, by: $2) },
            .staff("POST", "/v1/sessions/{id}/open", [.officer]) { try await $0.openSession($1, by: $2) },
            .staff("POST", "/v1/sessions/{id}/invites", [.officer], body: .json) {
                try await $0.createInvite($1, by: $2)
            },
            .staff("GET", "/v1/sessions/{id}/invites", [.officer]) { api, call, _ in try await api.listInvites(call) },
            .staff("DELETE", "/v1/sessions/{id}/invites/{inviteId}", [.officer]) { api, call, _ in
                try await api.revokeInvite(call)
            },
            .staff("GET", "/v1/sessions/{id}/transcript", anyStaff) { try await $0.transcript($1, reader: $2) },
            .staff("GET", "/v1/sessions/{id}/translations", [.officer, .interpreter]) {
                try await $0.translations($1, reader: $2)
            },
            .staff("GET", "/v1/sessions/{id}/verify", [.officer, .reviewer]) { try await $0.verify($1, reader: $2) },
            .staff("POST", "/v1/sessions/{id}/notes", [.officer, .reviewer], body: .json) {
                try await $0.addNote($1, by: $2)
            },
            .staff("POST", "/v1/sessions/{id}/events/{seq}/redact", [.officer], body: .json) {
                try await $0.redact($1, by: $2)
            },
            .staff("GET", "/v1/glossary", [.officer, .reviewer]) { api, call, _ in try await api.glossaryFile(call) },
            .staff("PUT", "/v1/glossary", [.officer], body: .file(limit: 16 * 1024 * 1024)) {
                try await $0.replaceGlossary($1, by: $2)
            },
            .staff("GET", "/v1/search", [.officer, .reviewer]) { api, call, _ in try await api.search(call) },
            .staff("GET", "/v1/phrases", anyStaff) { api, call, _ in try api.phrases(call) },
            .staff("GET", "/v1/gaps", [.officer]) { api, call, _ in try await api.gaps(call) },
            .staff("GET", "/v1/outbox", [.officer]) { api, call, _ in try await api.outbox(call) },
            .anyone("GET", "/v1/invitation") { api, call in try await api.invitation(call) },
            .anyone("PATCH", "/v1/invitation", body: .json) { api, call in try await api.answerInvitation(call) },
            .anyone("POST", "/v1/requests", body: .json) { api, call in try await api.createRequest(call) },
            .anyone("GET", "/v1/requests/topics") { api, call in try api.requestTopics(call) },
            .staff("GET", "/v1/requests", [.officer]) { api, call, _ in try await api.listRequests(call) },
            .staff("POST", "/v1/requests/{id}/accept", [.officer], body: .json) { try await $0.acceptRequest($1, by: $2) },
            .staff("POST", "/v1/requests/{id}/decline", [.officer], body: .json) { try await $0.declineRequest($1, by: $2) },
            .staff("GET", "/v1/agents", anyStaff) { api, call, _ in api.listAgents(call) },
            .staff("GET", "/v1/agents/{id}/documents", [.officer, .reviewer]) { api, call, _ in try await api.listDocuments(call) },
            .staff("POST", "/v1/agents/{id}/documents", [.officer], body: .file(limit: DocumentLibrary.maximumUpload)) {
                try await $0.uploadDocument($1, by: $2)
            },
            .staff("GET", "/v1/agents/{id}/documents/{doc}", [.officer, .reviewer]) { api, call, _ in
                try await api.documentVersion(call)
            },
            .staff("POST", "/v1/agents/{id}/documents/{doc}/publish", [.officer]) { try await $0.publishDocument($1, by: $2) },
            .staff("POST", "/v1/agents/{id}/documents/{doc}/unpublish", [.officer]) {
                try await $0.unpublishDocument($1, by: $2)
            },
            .anyone("GET", "/v1/agents/{id}/media/{file}") { api, call in try api.packMedia(call) },
            .anyone("GET", "/v1/rating-reasons") { api, call in try api.ratingReasons(call) },
            .anyone("GET", "/v1/survey") { api, call in try await api.survey(call) },
            .anyone("POST", "/v1/survey", body: .json) { api, call in try await api.answerSurvey(call) },
            .staff("GET", "/v1/barometer", [.officer, .reviewer]) { api, call, _ in try await api.barometer(call) },
            .staff("POST", "/v1/sessions/{id}/attachments", [.officer], body: .file(limit: HTTPAPI.maximumAttachment)) {
                try await $0.shareAttachment($1, by: $2)
            },
            .anyone("GET", "/v1/sessions/{id}/attachments/{att}") { api, call in try await api.downloadAttachment(call) },
            .anyone("GET", "/v1/sessions/{id}/attachments/{att}/link") { api, call in try await api.attachmentLink(call) },
        ],
        upgradeOnly: ["/v1/ws"])
}
