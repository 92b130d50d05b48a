import Foundation
import Transport

extension DialogueServerApp {
    /// The HTTP API over this app's store, hub and services, as `start()` serves it.
    func makeHTTPAPI(baseURL: String) -> HTTPAPI {
        HTTPAPI(
            store: store, hub: hub, agentSource: agentSource, glossaries: glossaries, retrieval: retrieval, documents: documents,
            transcripts: transcripts, transcriptSearch: transcriptSearch, redactions: redactions,
            metrics: metrics,
            configuration: configuration, baseURL: baseURL, web: WebAssets(root: configuration.webRoot),
            signInFailures: signInFailures, mailer: makeMailer(baseURL: baseURL), seal: inviteSeal,
            logger: logger)
    }

    /// The mails of meetings with links to `baseURL`.
    func makeMailer(baseURL: String) -> MeetingMailer {
        let worker = mailWorker
        return MeetingMailer(
            store: store, agents: agentSource, seal: inviteSeal, transcripts: transcripts, outboxSeal: outboxSeal,
            from: mailFrom, baseURL: baseURL,
            // The sender's domain names the Message-IDs and calendar UIDs: stable when the public
            // URL changes, and never an IP literal.
            host: mailFrom.domain, reminders: configuration.reminders,
            wake: { worker.wake() }, logger: logger)
    }

    /// Answers HTTP requests in process, with no socket bound: for drivers that hand the API
    /// requests directly (the HTTP fuzz target, Tests/fuzz/http). Loads the glossaries,
    /// starts the commit writer and indexes the packs as `start()` does, but waits for the
    /// index (up to a minute), so that searches answer; the transport is never started.
    package func inProcessHTTP(baseURL: String) async throws -> @Sendable (HTTPRequest) async -> HTTPResponse {
        try await glossaries.load(agents)
        store.writer.start()
        retrieval.refreshInBackground()
        _ = await retrieval.waitUntilReady(timeout: .seconds(60))
        let api = makeHTTPAPI(baseURL: baseURL)
        return { request in await api.handle(request) }
    }
}
