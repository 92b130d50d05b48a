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
        var catalog: AgentCatalog
        var fingerprint: String
    }
    private let state: Mutex<State>

    init(folder: URL, logger: Logger) throws {
        self.folder = folder
        self.logger = logger
        let catalog = try AgentCatalog(folder: folder)
        state = Mutex(State(catalog: catalog, fingerprint: Self.fingerprint(folder)))
    }

    /// The packs in force.
    var current: AgentCatalog { state.withLock { $0.catalog } }

    /// Loads the packs again when a file changed; returns the new catalog when it replaced
    /// the old one, nil when nothing changed or the new files do not validate.
    func reloadIfChanged() -> AgentCatalog? {
        let fingerprint = Self.fingerprint(folder)
        guard fingerprint != state.withLock({ $0.fingerprint }) else { return nil }
        do {
            let catalog = try AgentCatalog(folder: folder)
            state.withLock { $0 = State(catalog: catalog, fingerprint: fingerprint) }
            logger.notice("agent packs reloaded", metadata: ["agents": "\(catalog.ids)"])
            return catalog
        } catch {
            // Remember the broken state so the error is logged once, not at every check.
            state.withLock { $0.fingerprint = fingerprint }
            logger.error("agent packs changed but do not validate; the packs in force stay", metadata: ["error": "\(error)"])
            return nil
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
