import Dialogue
import HubCore
import Store
import Transport

extension DialogueHub {
    /// Events read per history page (at most 64 KiB each, so a page stays within 4 MiB).
    static let historyPageSize = 64

    /// A `history` frame around event frames that are already bytes (`HistoryFrames.frame`).
    nonisolated static func historyFrame(session: String, events: [[UInt8]], complete: Bool) -> [UInt8] {
        HistoryFrames.frame(session: session, events: events, complete: complete)
    }

    /// Adds a connection to a session's readers (see `HubCore.subscribe`), as the
    /// participant it signed in as.
    func subscribe(_ id: ConnectionID, _ sessionId: String, after: Int64, sendHistory: Bool) {
        guard let connection = connections[id], let participant = connection.participant else { return }
        let reader = Reader(
            language: connection.language, seesDrafts: connection.seesDrafts,
            getsEveryTranslation: connection.getsEveryTranslation)
        carryOut(core.subscribe(id.key, to: sessionId, as: participant, reader: reader, after: after, sendHistory: sendHistory))
    }

    /// A stored event's frame for one reader, spliced from its stored bytes; events with text
    /// get their terms found with the glossary version they name.
    nonisolated static func frame(
        _ stored: StoredFrame, language: String, agent: String, glossaries: GlossaryRegistry,
        translation: StoredTranslation? = nil
    ) async -> [UInt8] {
        guard stored.kind.hasText else { return Event.frameBytes(canonical: stored.canonical, hasText: false) }
        guard let body = try? JSONParser.parse(stored.canonical) else {
            return Event.frameBytes(
                canonical: stored.canonical, hasText: true, translation: translation.map { JSONWriter.bytes($0.json) })
        }
        if body["text"] == nil, body["textHash"] != nil || body["citationsHash"] != nil {
            // Redacted: marked so, with no terms or translation of a text that is gone.
            return Array(#"{"type":"event","redacted":true,"terms":[],"#.utf8) + stored.canonical.dropFirst()
        }
        let translationBytes = ReaderTranslation.bytes(body: body, stored: translation, for: language)
        guard let version = body["glossary"]?.intValue,
            let glossary = await glossaries.glossary(agent: agent, version: Int(version))
        else { return Event.frameBytes(canonical: stored.canonical, hasText: true, translation: translationBytes) }
        let terms = EventTerms(body: body, glossary: glossary)
        return Event.frameBytes(
            canonical: stored.canonical, hasText: true, terms: terms.bytes(for: language), translation: translationBytes)
    }

    /// An event's frame for one reader, spliced onto its canonical JSON (which the writer
    /// already made for hashing) instead of encoding the event again, with the reader
    /// language's `terms`.
    nonisolated static func frame(
        _ event: Event, canonical: [UInt8], terms: [UInt8], translation: [UInt8]? = nil
    ) -> [UInt8] {
        Event.frameBytes(canonical: canonical, hasText: event.kind.hasText, terms: terms, translation: translation)
    }

    /// The terms of a live event, found with the glossary version it names (kept parsed
    /// while recent, so this never waits on the store).
    func terms(of event: Event) -> EventTerms {
        guard event.kind.hasText, let version = event.body["glossary"]?.intValue,
            let agent = core.agent(of: event.session)
        else { return .empty }
        return EventTerms(body: event.body, glossary: glossaries.cached(agent: agent, version: Int(version)))
    }

    /// The terms of each committed event, found before the commit reaches the hub: matching
    /// a 64 KiB text takes a while, and the hub must not wait on it.
    nonisolated static func terms(
        of result: CommitResult, agents: [String: String], glossaries: GlossaryRegistry
    ) -> [EventTerms] {
        result.committed.map { event in
            guard event.kind.hasText, let version = event.body["glossary"]?.intValue, let agent = agents[event.session]
            else { return .empty }
            return EventTerms(body: event.body, glossary: glossaries.cached(agent: agent, version: Int(version)))
        }
    }

    /// Applies a commit: acks, then the events to every reader, in seq order; then the
    /// failures (see `HubCore.committed`). `terms` are the events' terms when found
    /// already (else they are found here).
    func didCommit(_ result: CommitResult, terms: [EventTerms]? = nil) {
        let now = result.committedAt
        metrics.committed(latencies: result.submittedAt.map { Double(now &- $0) / 1e9 })
        if !result.failed.isEmpty { metrics.commitFailed(events: result.failed.count) }
        let failed = result.failed.map { failure -> FailedEvent in
            let outOfSequence: Bool
            if case .outOfSequence = failure.error { outOfSequence = true } else { outOfSequence = false }
            return FailedEvent(event: failure.event, outOfSequence: outOfSequence, reason: "\(failure.error)")
        }
        // Terms found once per event: an event held for a reader's catch-up keeps them.
        carryOut(
            core.committed(
                Array(zip(result.committed, result.canonical)).map { (event: $0, canonical: $1) }, failed: failed,
                found: { index in terms?[index] }),
            terms: terms)
    }

    /// Returns once every commit handed to the hub before the call was delivered (the hub's
    /// executor runs its work in order).
    func commitsDelivered() {}

    /// An archive finished.
    func archived(_ sessionId: String) { archives[sessionId] = nil }

    /// Waits for transcripts being written (at shutdown).
    func waitForArchives() async {
        for task in archives.values { await task.value }
    }

    /// Waits for a session's transcript being written, if it is: its final head is signed
    /// then, so a verification or export right after `ended` does not find it missing.
    func waitForArchive(session sessionId: String) async {
        await archives[sessionId]?.value
    }
}
