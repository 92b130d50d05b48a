import Dialogue
import Foundation
import Logging
import Retrieval
import Store
import Transcripts

/// Redaction, erasure and retention across every copy the server keeps (docs/transcripts.md,
/// "Redaction"): the store's rows, the transcript-search index, the live hub's readers and
/// the archive files. The command line uses it without a hub.
package struct RedactionService: Sendable {
    let store: any DialogueStore
    let transcripts: TranscriptService
    /// The transcript-search index, when one exists.
    let index: TranscriptIndex?
    /// The live hub, when the server runs.
    let hub: DialogueHub?
    let logger: Logger

    /// A service without a hub, for the command line.
    package init(store: any DialogueStore, transcripts: TranscriptService, index: TranscriptIndex?, logger: Logger) {
        self.init(store: store, transcripts: transcripts, index: index, hub: nil, logger: logger)
    }

    /// A service that also tells the running hub's readers.
    init(
        store: any DialogueStore, transcripts: TranscriptService, index: TranscriptIndex?, hub: DialogueHub?,
        logger: Logger
    ) {
        self.store = store
        self.transcripts = transcripts
        self.index = index
        self.hub = hub
        self.logger = logger
    }

    /// The index file of `dataDirectory`, opened only when it exists (the command line must
    /// not create one).
    package static func existingIndex(dataDirectory: String) -> TranscriptIndex? {
        let path = (dataDirectory as NSString).appendingPathComponent(TranscriptIndex.fileName)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try? TranscriptIndex(path: path)
    }

    /// Removes the text of one event. Throws `StoreError.notFound` for an unknown event and
    /// `conflict` when it has no text.
    package func redact(session: String, seq: Int64, reason: String, actor: String) async throws -> RedactionRecord {
        let record = try await store.redact(session: session, seq: seq, scope: .text, actor: actor, reason: reason)
        await afterwards(session: session, seqs: [seq])
        logger.info(
            "event redacted", metadata: ["session.id": "\(session)", "event.seq": "\(seq)", "audit.actor": "\(actor)"])
        return record
    }

    /// Erases an invite's participant everywhere (name, organisation, messages) and ends
    /// their invite: the running hub closes its sockets and forgets the name.
    package func eraseParticipant(invite: String, actor: String, reason: String) async throws
        -> (session: String, seqs: [Int64])
    {
        let erased = try await store.eraseParticipant(invite: invite, actor: actor, reason: reason)
        // Other nodes hear of it through the store's invite notice (the erasure revokes it).
        await hub?.erased(invite: invite)
        await afterwards(session: erased.session, seqs: erased.seqs)
        logger.info(
            "participant erased",
            metadata: ["session.id": "\(erased.session)", "invite.id": "\(invite)", "audit.actor": "\(actor)"])
        return erased
    }

    /// Applies the retention policy to every ended session that ended more than `days` ago
    /// (fractions allowed) before `now`; returns the sessions cleared. A session that cannot
    /// be cleared is logged and left for the next run; the others are still cleared (an
    /// event that no longer matches its hash is left as it is by the store and named in the
    /// retention record, so it does not hold the rest of its session back either).
    package func applyRetention(days: Double, now: Date = Date()) async throws -> [String] {
        let cutoff = Timestamp.format(
            milliseconds: Int64((now.timeIntervalSince1970 - days * 86_400) * 1000))
        var cleared: [String] = []
        for session in try await store.sessionsDue(endedBefore: cutoff) {
            // Stopping is heard only between sessions. A session once cleared is never due
            // again, so its index and archive must be cleaned in the same go: each session runs
            // in a task of its own, which a stopping server's cancellation does not reach.
            guard !Task.isCancelled else { break }
            let done = await Task.detached { [self] in await clearSession(session) }.value
            if done { cleared.append(session) }
        }
        return cleared
    }

    /// Clears one session for retention and then its copies (index, hub, archive); false
    /// when it could not be cleared (logged; tried again on the next run).
    private func clearSession(_ session: String) async -> Bool {
        let seqs: [Int64]
        do {
            seqs = try await store.clearForRetention(session: session, actor: "retention")
        } catch {
            logger.error(
                "retention could not clear a session; it is tried again on the next run",
                metadata: ["session.id": "\(session)", "error": "\(error)"])
            return false
        }
        await afterwards(session: session, seqs: seqs)
        logger.info(
            "retention cleared a session", metadata: ["session.id": "\(session)", "events": "\(seqs.count)"])
        return true
    }

    /// Removes the redacted seqs from the search index, tells the hub's readers, and
    /// rewrites the archive files when the session has them.
    private func afterwards(session: String, seqs: [Int64]) async {
        do {
            try await index?.remove(session: session, seqs: seqs)
        } catch {
            logger.error("search index not cleaned", metadata: ["session.id": "\(session)", "error": "\(error)"])
        }
        if let hub {
            let kinds =
                (try? await store.storedEvents(session: session))
                .map { Dictionary($0.map { ($0.seq, $0.event.kind) }, uniquingKeysWith: { first, _ in first }) } ?? [:]
            await hub.redacted(session: session, seqs: seqs, kinds: kinds)
        }
        let archived = transcripts.archivedFiles(session: session)
        guard !archived.isEmpty else { return }
        do {
            let written = Set(try await transcripts.writeArchive(session: session))
            // Files named for an older title hold the text too.
            for file in archived where !written.contains(file) { try? FileManager.default.removeItem(atPath: file) }
        } catch {
            logger.error("archive not rewritten", metadata: ["session.id": "\(session)", "error": "\(error)"])
        }
    }
}
