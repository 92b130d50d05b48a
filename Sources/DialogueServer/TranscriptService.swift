import Crypto
import Dialogue
import Foundation
import Logging
import Store
import Transcripts

/// Builds, signs, verifies and archives transcripts from the store. It signs only what
/// its own checks accept (docs/transcripts.md, "Checkpoints and the final head"): a live
/// session's chain as a checkpoint, an ended session's once, as its final head; and it
/// trusts only its own key and the retired keys kept beside it, never a key in the store.
package struct TranscriptService: Sendable {
    package let store: any DialogueStore
    /// Raw private key bytes: swift-crypto's key type is not Sendable on Linux.
    let keyBytes: Data
    let dataDirectory: String
    let logger: Logger
    /// Glossary versions, for terms in a chosen language.
    let glossaries: GlossaryRegistry
    /// The keys whose signatures verify: this key and the retired ones.
    package let trusted: TrustedKeys
    /// Most unsigned events a live session may have after its last checkpoint (16 times the
    /// checkpoint interval: the signer may fall behind in a burst, or across nodes) before
    /// verification calls it tampered.
    package let maxUnsigned: Int
    /// Sessions with events committed by this process and not yet signed: the only ones it signs.
    package let unsigned = UnsignedCommits()
    /// The last head this process signed in each live session: where the next checkpoint starts.
    package let signedPrefixes = SignedPrefixes()
    /// Every head this node signed, recorded outside the database.
    package let ledger: SignatureLedger

    package init(
        store: any DialogueStore, key: Curve25519.Signing.PrivateKey, dataDirectory: String, logger: Logger,
        glossaries: GlossaryRegistry? = nil, retiredKeys: [[UInt8]] = [], checkpointEvents: Int = 64
    ) {
        self.store = store
        self.glossaries = glossaries ?? GlossaryRegistry(store: store, logger: logger)
        self.keyBytes = key.rawRepresentation
        self.dataDirectory = dataDirectory
        self.logger = logger
        self.trusted = TrustedKeys([Array(key.publicKey.rawRepresentation)] + retiredKeys)
        self.maxUnsigned = 16 * max(1, checkpointEvents)
        self.ledger = SignatureLedger(dataDirectory: dataDirectory, logger: logger)
    }

    private var key: Curve25519.Signing.PrivateKey {
        // The bytes came from a valid key, so this cannot fail.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: keyBytes)
    }

    /// An Ed25519 signature of `bytes` with the server's key, base64: records kept beside a
    /// session's chain (survey answers) are signed as its heads are.
    package func sign(_ bytes: [UInt8]) -> String {
        // Signing with a valid key over bytes in memory cannot fail.
        Base64.encode(Array(try! key.signature(for: Data(bytes))))
    }

    /// The server's public key, base64.
    package var publicKey: String { Base64.encode(Array(key.publicKey.rawRepresentation)) }

    /// The id of the server's key (docs/transcripts.md, "Keys").
    package var keyId: String { TrustedKeys.keyId(Array(key.publicKey.rawRepresentation)) }

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
        // A live session's events after its newest checkpoint (few: the HTTP route signs
        // those committed here first, `signPending`) are in the export too, covered by its
        // document signature only; the file's verification reports them as not yet signed.
        let head = try await exportHead(info: info, stored: stored)
        return TranscriptDocument(
            session: info, participants: try await store.participants(session: sessionId), events: entries,
            notes: notes, head: head, translations: allTranslations.map(\.transcript))
    }

    /// The head an export carries: the newest trusted signature that matches the chain; an
    /// ended session is never signed here. A live session with none yet: an unsigned head at
    /// seq 0 (its events rest on the document signature). Otherwise
    /// an unsigned head (which `transcript verify --file` reports as such).
    private func exportHead(info: SessionInfo, stored: [StoredEvent]) async throws -> SignedHead {
        // A checkpoint made since `stored` was read covers events not in this export.
        let signatures = try await signatures(session: info.id).filter { $0.seq <= stored.last?.seq ?? 0 }
        // The rules of `verify` but for the end (an ended session's export shows its newest
        // signature; the file's verifier then finds whatever is missing).
        let check = SignatureCheck(maxUnsigned: maxUnsigned).check(
            chains: stored.map(\.chain), signatures: signatures, ended: false, trusted: trusted,
            recorded: try await ledger.entries(session: info.id).filter { $0.seq <= stored.last?.seq ?? 0 })
        if let latest = check.latest, let key = check.latestKey, check.badSeq == nil {
            var head = latest
            head.publicKey = key
            return head
        }
        let publicKey = Array(self.key.publicKey.rawRepresentation)
        if info.status != .ended && check.badSeq == nil {
            // A live session not signed yet: its events rest on the document signature.
            return SignedHead(
                session: info.id, seq: 0, chain: HashChain.genesis, signature: [], publicKey: publicKey, state: .live)
        }
        return SignedHead(
            session: info.id, seq: stored.last?.seq ?? 0, chain: stored.last?.chain ?? HashChain.genesis, signature: [],
            publicKey: publicKey)
    }

    /// Every signature stored for a session: its checkpoints and final head, and the
    /// version-1 head of a session signed before checkpoints existed. Keys are named by id
    /// only; the one written in a version-1 row is a hint, never trusted as such.
    func signatures(session sessionId: String, from: Int64 = 0) async throws -> [SignedHead] {
        var heads = try await store.checkpoints(session: sessionId, from: from).map { record in
            SignedHead(
                session: sessionId, seq: record.seq, chain: record.chain, signature: record.signature,
                publicKey: trusted.keys.first { TrustedKeys.keyId($0) == record.keyId } ?? [],
                state: SignedHead.State(rawValue: record.state) ?? .live, signedAt: record.signedAt)
        }
        if let legacy = try await store.head(session: sessionId) {
            heads.append(
                SignedHead(
                    session: sessionId, seq: legacy.seq, chain: legacy.chain, signature: legacy.signature,
                    publicKey: legacy.publicKey))
        }
        return heads
    }

    /// Checks a session's stored chain, then its signatures: each made by a trusted key over
    /// the chain value at its seq; an ended session (by its status, an `ended` event or a
    /// final head) covered whole by its final head; a live one with at most `maxUnsigned`
    /// events after its last checkpoint. Nil if the session is unknown.
    package func verify(session sessionId: String) async throws -> VerificationResult? {
        guard let info = try await store.session(id: sessionId) else { return nil }
        let stored = try await store.storedEvents(session: sessionId)
        let entries = stored.map { (seq: $0.seq, body: $0.storedBody, storedHash: $0.hash, storedChain: $0.chain) }
        let salts = Dictionary(stored.map { ($0.seq, $0.salts) }, uniquingKeysWith: { first, _ in first })
        var result = TranscriptVerifier.verify(entries: entries, head: nil, salts: salts)
        let ended = info.status == .ended || stored.contains { $0.event.kind == .ended }
        result.ended = ended
        guard result.ok else { return result }
        let signatures = try await signatures(session: sessionId)
        let recorded = try await ledger.entries(session: sessionId)
        let check = SignatureCheck(maxUnsigned: maxUnsigned).check(
            chains: stored.map(\.chain), signatures: signatures, ended: ended, trusted: trusted, recorded: recorded)
        result.checkpoints = check.checked
        result.unsigned = check.unsigned
        result.ended = ended || recorded.contains(where: \.ended) || check.latest?.state == .ended
        if let latest = check.latest {
            result.head = Hex.encode(latest.chain)
            result.signature = Base64.encode(latest.signature)
            result.publicKey = check.latestKey.map(Base64.encode) ?? ""
            result.keyTrusted = check.latestKey != nil
        } else {
            result.signature = ""
            result.publicKey = ""
        }
        if let bad = check.badSeq {
            result.ok = false
            result.firstBadSeq = bad
            result.reason = check.reason
        }
        return result
    }

    /// Why the server refuses to sign a session.
    package struct SigningRefused: Error, CustomStringConvertible {
        /// The reason, for logs and the command line.
        package var description: String
    }

    /// Signs the events this process committed in `session` since its last checkpoint, if
    /// any (before a verification or export over HTTP, so they are covered); a refusal is logged.
    package func signPending(session sessionId: String) async {
        guard unsigned.take(sessionId) else { return }
        do {
            try await checkpoint(session: sessionId)
        } catch {
            logger.error("checkpoint refused", metadata: ["session.id": "\(sessionId)", "error": "\(error)"])
        }
    }

    /// Signs a live session's chain up to its last stored event as a checkpoint; nil when
    /// there is nothing new to sign. Refused when the session ended (only `seal` signs it,
    /// once), or when the stored chain does not extend the last checkpoint link by link:
    /// the server never signs what it cannot account for.
    @discardableResult
    package func checkpoint(session sessionId: String) async throws -> SignedHead? {
        try await sign(session: sessionId, final: false)
    }

    /// Signs an ended session's final head, once, right after its `ended` event committed;
    /// nil when already sealed. Never called for a session found ended without a final
    /// head later (that would sign whatever the database then holds).
    @discardableResult
    package func seal(session sessionId: String) async throws -> SignedHead? {
        try await sign(session: sessionId, final: true)
    }

    private func sign(session sessionId: String, final: Bool) async throws -> SignedHead? {
        guard let info = try await store.session(id: sessionId) else { return nil }
        // Hashes and chains only: the bodies' hashes are checked by verification, and a
        // long session's texts are not read into memory at every checkpoint. From the last
        // head this process signed, when the store still holds it as signed: what came
        // before was checked link by link and signature by signature then.
        var base = signedPrefixes.last(of: sessionId)
        var stored = try await store.chainLinks(session: sessionId, from: base?.seq ?? 1)
        if let known = base {
            if let first = stored.first, first.seq == known.seq, first.chain == known.chain {
                stored.removeFirst()
            } else {
                // Not stored as this process signed it: check the whole session, which
                // refuses with the reason (the ledger holds what was signed).
                signedPrefixes.forget(session: sessionId)
                base = nil
                stored = try await store.chainLinks(session: sessionId)
            }
        }
        guard let last = stored.last else { return nil }
        // From the last head this process signed on: those before it were checked then. A
        // final head is never before it (nothing follows a final head, and this process
        // signed after it), so the sealed check below still sees one.
        let signatures = try await signatures(session: sessionId, from: base?.seq ?? 0)
        // Sealed (by its final head, or by this node's own record of it): never again.
        if signatures.contains(where: { $0.state == .ended }) {
            signedPrefixes.forget(session: sessionId)
            return nil
        }
        let recorded = try await ledger.entries(session: sessionId)
        if recorded.contains(where: \.ended) {
            throw SigningRefused(description: "this node sealed the session already (\(SignatureLedger.fileName))")
        }
        let lastEnded = last.kind == EventKind.ended.rawValue
        if final {
            guard lastEnded else { throw SigningRefused(description: "the last event is not `ended`") }
        } else if info.status == .ended || lastEnded {
            return nil
        }
        let check = SignatureCheck(maxUnsigned: maxUnsigned).check(
            chains: stored.map(\.chain), signatures: signatures, ended: false, trusted: trusted, recorded: recorded,
            base: base)
        // A signature or record that no longer matches, or more unsigned events than the
        // checkpointer ever leaves (signatures removed): signing now would bless whatever
        // the database holds.
        if let reason = check.reason { throw SigningRefused(description: "signatures do not hold: \(reason)") }
        // Every link from the last signed one on must extend it.
        let baseSeq = base?.seq ?? 0
        let from = Int(check.signedThrough - baseSeq)
        var previous = from == 0 ? (base?.chain ?? HashChain.genesis) : stored[from - 1].chain
        for (index, event) in stored.enumerated().dropFirst(from) {
            let seq = baseSeq + Int64(index) + 1
            guard event.seq == seq, HashChain.link(previous: previous, eventHash: event.hash) == event.chain
            else { throw SigningRefused(description: "chain broken at seq \(seq)") }
            previous = event.chain
        }
        if !final, check.signedThrough == last.seq { return nil }
        let head = try SignedHead.sign(
            session: sessionId, seq: last.seq, chain: last.chain, state: final ? .ended : .live,
            signedAt: Timestamp.now(), with: key)
        try await store.saveCheckpoint(
            CheckpointRecord(
                session: sessionId, seq: head.seq, chain: head.chain, signature: head.signature, keyId: head.keyId,
                state: head.state!.rawValue, signedAt: head.signedAt!))
        try await ledger.append(head)
        if final {
            signedPrefixes.forget(session: sessionId)
        } else {
            signedPrefixes.remember(session: sessionId, seq: head.seq, chain: head.chain)
        }
        return head
    }

    /// Whether an ended session has its final head.
    package func isSealed(session sessionId: String) async throws -> Bool {
        try await signatures(session: sessionId).contains { $0.state == .ended && $0.seq > 0 }
    }

    /// Renders a transcript in `format` (json, md, html).
    /// `ratingReasons`: the pack's reasons for an unhelpful rating in `language`, by id.
    package func render(
        _ document: TranscriptDocument, format: String, language: String?, ratingReasons: [String: String] = [:]
    ) -> String {
        switch format {
        case "md": return MarkdownTranscript.render(document, language: language, ratingReasons: ratingReasons)
        case "html": return HTMLTranscript.render(document, language: language, ratingReasons: ratingReasons)
        default:
            // Signed whole: editing a note, a name or the title breaks the document signature.
            let json = (try? DocumentSignature.sign(document.json(), with: key)) ?? document.json()
            return JSONWriter.string(json) + "\n"
        }
    }

    /// The folder ended sessions' transcripts are written to.
    package var transcriptsFolder: String { (dataDirectory as NSString).appendingPathComponent("transcripts") }

    /// Writes the transcript as JSON and Markdown, named for people; with `seal`, first
    /// signs the final head (right after the session's `ended` event committed).
    package func archive(session sessionId: String, seal: Bool = true) async throws -> [String] {
        if seal { try await self.seal(session: sessionId) }
        return try await writeArchive(session: sessionId)
    }

    /// Writes (or rewrites, after a redaction) the archive files of a session from the store,
    /// readable by the server's user only (0600, in a 0700 folder). Never signs.
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
