import Dialogue
import Foundation
import Glossary
import Retrieval
import Store

/// Transcript search for `GET /v1/sessions?q=`: before each search, whatever was committed
/// since the last one is copied into the transcript index, so a search sees every stored
/// event and the live path never indexes anything. An actor, so two searches never index
/// the same events at once.
actor TranscriptSearch {
    let index: TranscriptIndex
    let store: any EventStore
    /// Events read from the store per round trip while catching up.
    static let batch = 2_000

    init(dataDirectory: String, store: any EventStore) throws {
        index = try TranscriptIndex(path: (dataDirectory as NSString).appendingPathComponent(TranscriptIndex.fileName))
        self.store = store
    }

    /// Best matching events per session, after bringing the index up to date.
    func search(_ text: String, glossary: Glossary?) async throws -> [String: [TranscriptMatch]] {
        try await catchUp()
        var bySession: [String: [TranscriptMatch]] = [:]
        for match in try await index.search(text, glossary: glossary) {
            bySession[match.line.session, default: []].append(match)
        }
        return bySession
    }

    /// Indexes every session's events after its last indexed seq.
    func catchUp() async throws {
        let indexed = try await index.indexedSeqs()
        for (session, last) in try await store.lastSeqs() {
            var done = indexed[session] ?? 0
            while done < last {
                let events = try await store.events(session: session, after: done, limit: Self.batch)
                guard let final = events.last?.seq else { break }
                let lines = events.compactMap { event -> TranscriptLine? in
                    guard event.kind.hasText, let text = event.text, !text.isEmpty else { return nil }
                    return TranscriptLine(
                        session: session, seq: event.seq, kind: event.kind.rawValue,
                        language: event.body["language"]?.stringValue ?? "", text: text)
                }
                try await index.add(lines, session: session, upTo: final)
                done = final
            }
        }
    }
}
