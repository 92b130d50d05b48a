import Crypto
import Dialogue
import Foundation
import Logging
import Store
import Transcripts

/// Builds, signs, verifies and archives transcripts from the store.
package struct TranscriptService: Sendable {
    package let store: any DialogueStore
    /// Raw private key bytes: swift-crypto's key type is not Sendable on Linux.
    let keyBytes: Data
    let dataDirectory: String
    let logger: Logger
    /// Glossary versions, for terms in a chosen language.
    let glossaries: GlossaryRegistry

    package init(
        store: any DialogueStore, key: Curve25519.Signing.PrivateKey, dataDirectory: String, logger: Logger,
        glossaries: GlossaryRegistry? = nil
    ) {
        self.store = store
        self.glossaries = glossaries ?? GlossaryRegistry(store: store, logger: logger)
        self.keyBytes = key.rawRepresentation
        self.dataDirectory = dataDirectory
        self.logger = logger
    }

    private var key: Curve25519.Signing.PrivateKey {
        // The bytes came from a valid key, so this cannot fail.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: keyBytes)
    }

    /// The server's public key, base64.
    package var publicKey: String { Base64.encode(Array(key.publicKey.rawRepresentation)) }

    /// The full transcript document of a session, with a signed head and every stored
    /// translation; nil if unknown. With `termsLanguage`, each text carries its glossary
    /// terms as a reader of that language was shown them (matched with the glossary version
    /// the event names) and the translation into that language a reader is shown.
    package func document(session sessionId: String, termsLanguage: String? = nil) async throws
        -> TranscriptDocument?
    {
        guard let info = try await store.session(id: sessionId) else { return nil }
        let stored = try await store.storedEvents(session: sessionId)
        var entries = stored.map {
            TranscriptEntry(
                event: $0.event, hash: $0.hash, chain: $0.chain, redacted: TranscriptVerifier.isRedacted($0.event.body),
                salts: $0.salts)
        }
        // Every translation, read once: all of them go into the export (the interpreters'
        // work too), and those into the reading language beside the texts.
        let allTranslations = try await store.translations(session: sessionId, language: nil)
        if let termsLanguage {
            let reading = LanguageTag.primary(termsLanguage)
            let translations = Dictionary(
                allTranslations.filter { $0.language == reading }.map { ($0.seq, $0) }, uniquingKeysWith: { _, last in last })
            for index in entries.indices where entries[index].event.kind.hasText {
                let body = entries[index].event.body
                // What a reader of that language is shown: a person's, the phrasebook's, a machine's.
                entries[index].translation = ReaderTranslation.choose(
                    body: body, stored: translations[entries[index].event.seq], for: termsLanguage)
                guard let version = body["glossary"]?.intValue,
                    let glossary = await glossaries.glossary(agent: info.agent, version: Int(version))
                else {
                    entries[index].terms = []
                    continue
                }
                let found = EventTerms(body: body, glossary: glossary)
                entries[index].terms = found.hits.map { hit in
                    TranscriptTerm(
                        text: hit.text, start: hit.start, end: hit.end, concept: glossary.concepts[hit.conceptIndex].id,
                        translation: glossary.approvedForm(of: hit.conceptIndex, for: termsLanguage))
                }
            }
        }
        let notes = try await store.notes(session: sessionId).map {
            TranscriptNote(id: $0.id, seq: $0.seq, text: $0.text, author: $0.author, at: $0.at)
        }
        let head = try await signedHead(session: sessionId, stored: stored)
        return TranscriptDocument(
            session: info, participants: try await store.participants(session: sessionId), events: entries,
            notes: notes, head: head, translations: allTranslations.map(\.transcript))
    }

    /// The stored signed head when it covers the last event, else a fresh signature.
    private func signedHead(session sessionId: String, stored: [StoredEvent]) async throws -> SignedHead {
        let lastSeq = stored.last?.seq ?? 0
        let chain = stored.last?.chain ?? HashChain.genesis
        if let record = try await store.head(session: sessionId), record.seq == lastSeq, record.chain == chain {
            return SignedHead(
                session: sessionId, seq: record.seq, chain: record.chain, signature: record.signature,
                publicKey: record.publicKey)
        }
        return try SignedHead.sign(session: sessionId, seq: lastSeq, chain: chain, with: key)
    }

    /// Checks a session's stored chain, and the last signed head against it; nil if unknown.
    package func verify(session sessionId: String) async throws -> VerificationResult? {
        guard try await store.session(id: sessionId) != nil else { return nil }
        let stored = try await store.storedEvents(session: sessionId)
        let entries = stored.map { (seq: $0.seq, body: $0.storedBody, storedHash: $0.hash, storedChain: $0.chain) }
        let salts = Dictionary(stored.map { ($0.seq, $0.salts) }, uniquingKeysWith: { first, _ in first })
        if let record = try await store.head(session: sessionId) {
            let signed = SignedHead(
                session: sessionId, seq: record.seq, chain: record.chain, signature: record.signature,
                publicKey: record.publicKey)
            let covered = entries.filter { $0.seq <= record.seq }
            let result = TranscriptVerifier.verify(entries: covered, head: signed, salts: salts)
            if !result.ok || covered.count == entries.count { return result }
        }
        let fresh = try SignedHead.sign(
            session: sessionId, seq: stored.last?.seq ?? 0, chain: stored.last?.chain ?? HashChain.genesis, with: key)
        return TranscriptVerifier.verify(entries: entries, head: fresh, salts: salts)
    }

    /// Signs and stores the head of a session (at its end, or at shutdown).
    package func signHead(session sessionId: String) async throws {
        let stored = try await store.storedEvents(session: sessionId)
        guard let last = stored.last else { return }
        let head = try SignedHead.sign(session: sessionId, seq: last.seq, chain: last.chain, with: key)
        try await store.saveHead(
            SignedHeadRecord(
                session: sessionId, seq: head.seq, chain: head.chain, signature: head.signature,
                publicKey: head.publicKey, signedAt: Timestamp.now()))
    }

    /// Renders a transcript in `format` (json, md, html).
    package func render(_ document: TranscriptDocument, format: String, language: String?) -> String {
        switch format {
        case "md": return MarkdownTranscript.render(document, language: language)
        case "html": return HTMLTranscript.render(document, language: language)
        default: return JSONWriter.string(document.json()) + "\n"
        }
    }

    /// The folder ended sessions' transcripts are written to.
    package var transcriptsFolder: String { (dataDirectory as NSString).appendingPathComponent("transcripts") }

    /// Signs the head and writes the transcript as JSON and Markdown, named for people.
    package func archive(session sessionId: String) async throws -> [String] {
        try await signHead(session: sessionId)
        return try await writeArchive(session: sessionId)
    }

    /// Writes (or rewrites, after a redaction) the archive files of a session from the store,
    /// readable by the server's user only (0600, in a 0700 folder).
    package func writeArchive(session sessionId: String) async throws -> [String] {
        guard let document = try await document(session: sessionId) else { return [] }
        try PrivateFiles.createDirectory(transcriptsFolder)
        let base = (transcriptsFolder as NSString).appendingPathComponent(
            TranscriptFileName.make(session: document.session))
        var written: [String] = []
        for (format, ext) in [("json", "json"), ("md", "md")] {
            let path = base + "." + ext
            try PrivateFiles.write(Array(render(document, format: format, language: nil).utf8), to: path)
            written.append(path)
        }
        return written
    }

    /// The archive files of a session already written, whatever title they were named for.
    package func archivedFiles(session sessionId: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: transcriptsFolder)) ?? []
        return names.filter { $0.hasSuffix("_\(sessionId).json") || $0.hasSuffix("_\(sessionId).md") }
            .map { (transcriptsFolder as NSString).appendingPathComponent($0) }
    }
}

/// Archives ended sessions off the hub, logging the outcome.
package struct TranscriptArchiver: Sendable {
    let service: TranscriptService
    let logger: Logger

    /// Writes the transcript files of an ended session.
    func archive(session sessionId: String) async {
        do {
            let files = try await service.archive(session: sessionId)
            logger.info("transcript archived", metadata: ["session.id": "\(sessionId)", "files": "\(files)"])
        } catch {
            logger.error("transcript archive failed", metadata: ["session.id": "\(sessionId)", "error": "\(error)"])
        }
    }
}
