import AgentPacks
import Foundation
import Logging
import Synchronization

/// The agent packs in force, reloaded when their files change: `agent.json`, `contacts.json`,
/// `glossary.tsv` or a document. A pack folder that no longer validates is reported (file,
/// line, reason) and the packs in force stay as they were.
package final class AgentPackSource: Sendable {
    let folder: URL
    let logger: Logger
    private struct State {
        /// The packs as their folders hold them.
        var files: AgentCatalog
        var fingerprint: String
        /// Published uploaded documents, by pack id, and what they were made from.
        var overlay: [String: [PackDocument]] = [:]
        var overlayFingerprint = ""
        /// `files` with the overlay in force: what everyone reads.
        var catalog: AgentCatalog
        /// Times the catalog was replaced: 0 for the packs loaded at start.
        var generation: Int = 0

        init(files: AgentCatalog, fingerprint: String) {
            self.files = files
            self.fingerprint = fingerprint
            self.catalog = files
        }
    }
    private let state: Mutex<State>
    /// Citation catalogs of the packs of one generation, by pack id, and how many were built.
    private let citationCache = Mutex<(generation: Int, catalogs: [String: CitationCatalog], builds: Int)>((0, [:], 0))

    init(folder: URL, logger: Logger) throws {
        self.folder = folder
        self.logger = logger
        let catalog = try AgentCatalog(folder: folder)
        state = Mutex(State(files: catalog, fingerprint: Self.fingerprint(folder)))
    }

    /// The packs in force.
    var current: AgentCatalog { state.withLock { $0.catalog } }

    /// The passages an officer may cite in a session of `agent` (else of the default pack):
    /// cut once per pack and reload generation, not at every `say` with citations.
    func citations(agent: String) -> CitationCatalog {
        let (catalog, generation) = state.withLock { ($0.catalog, $0.generation) }
        let pack = catalog.pack(id: agent) ?? catalog.defaultPack
        if let cached = citationCache.withLock({ $0.generation == generation ? $0.catalogs[pack.id] : nil }) {
            return cached
        }
        // Cut outside the lock: a large pack takes a while.
        let built = CitationCatalog(pack: pack)
        citationCache.withLock {
            if $0.generation < generation { $0 = (generation, [:], $0.builds) }
            if $0.generation == generation { $0.catalogs[pack.id] = built }
            $0.builds += 1
        }
        return built
    }

    /// Citation catalogs cut so far, for tests of the cache.
    var citationCatalogBuilds: Int { citationCache.withLock { $0.builds } }

    /// Loads the packs again when a file changed; returns the new catalog when it replaced
    /// the old one, nil when nothing changed or the new files do not validate.
    func reloadIfChanged() -> AgentCatalog? {
        let fingerprint = Self.fingerprint(folder)
        guard fingerprint != state.withLock({ $0.fingerprint }) else { return nil }
        do {
            let files = try AgentCatalog(folder: folder)
            let catalog = state.withLock { state in
                state.files = files
                state.fingerprint = fingerprint
                state.catalog = files.withDocuments(overlay: state.overlay)
                state.generation += 1
                return state.catalog
            }
            logger.notice("agent packs reloaded", metadata: ["agents": "\(catalog.ids)"])
            return catalog
        } catch {
            // Remember the broken state so the error is logged once, not at every check.
            state.withLock { $0.fingerprint = fingerprint }
            logger.error("agent packs changed but do not validate; the packs in force stay", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// What the published uploads in force were read from (`UploadedDocument.key`s, sorted).
    var overlayFingerprint: String { state.withLock { $0.overlayFingerprint } }

    /// The documents a pack's own folder holds (without uploads).
    func shippedDocuments(pack: String) -> [PackDocument] {
        state.withLock { $0.files.pack(id: pack)?.documents ?? [] }
    }

    /// Puts published uploaded documents in force over the packs' files; returns the new
    /// catalog when the set changed (`fingerprint` tells: ids and versions), else nil.
    func replaceOverlay(_ overlay: [String: [PackDocument]], fingerprint: String) -> AgentCatalog? {
        state.withLock { state in
            guard state.overlayFingerprint != fingerprint else { return nil }
            state.overlay = overlay
            state.overlayFingerprint = fingerprint
            state.catalog = state.files.withDocuments(overlay: overlay)
            state.generation += 1
            return state.catalog
        }
    }

    /// Paths, sizes and modification times of every file under the agents folder.
    static func fingerprint(_ folder: URL) -> String {
        guard let walker = FileManager.default.enumerator(
            at: folder, includingPropertiesForKeys: [.contentModificationDateKey, .fileSizeKey])
        else { return "" }
        var parts: [String] = []
        for case let url as URL in walker {
            let values = try? url.resourceValues(forKeys: [.contentModificationDateKey, .fileSizeKey])
            parts.append(
                "\(url.path)|\(values?.fileSize ?? -1)|\(values?.contentModificationDate?.timeIntervalSince1970 ?? 0)")
        }
        return parts.sorted().joined(separator: "\n")
    }
}
