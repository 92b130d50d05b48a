import AgentPacks
import Crypto
import Foundation
import Glossary
import Logging
import Store
import Synchronization

/// A glossary and the version number it is stored under.
struct GlossaryVersion: Sendable {
    let agent: String
    let version: Int
    let glossary: Glossary
}

/// Which glossary version is in force for each agent, and the versions events were matched
/// against. Versions live in the store and never change; the pack's `glossary.tsv` becomes a
/// new version when its content changes, an upload through the API becomes one at once.
///
/// Reads are synchronous (a lock around a dictionary), so the hub can stamp and match events
/// without waiting; older versions come from the store when a transcript needs them.
package final class GlossaryRegistry: Sendable {
    private struct State {
        var active: [String: GlossaryVersion] = [:]
        /// Versions parsed so far, by agent and version.
        var parsed: [String: [Int: Glossary]] = [:]
    }

    private let state = Mutex(State())
    private let store: any GlossaryStore
    private let logger: Logger
    /// Versions kept parsed per agent besides the active one.
    static let cachedVersions = 8

    package init(store: any GlossaryStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// At start-up: each pack's file becomes a new version when it differs from the last one
    /// taken from the file; otherwise the newest stored version (maybe an upload) stays in force.
    func load(_ catalog: AgentCatalog) async throws {
        for pack in catalog.packs {
            if let fromFile = pack.glossary {
                let hash = Self.sha256(fromFile.source)
                if try await store.lastGlossaryHash(agent: pack.id, origin: "file") != hash {
                    let stored = try await store.addGlossary(
                        agent: pack.id, tsv: fromFile.source, sha256: hash, origin: "file",
                        concepts: fromFile.concepts.count, createdBy: "server")
                    activate(GlossaryVersion(agent: pack.id, version: stored.version, glossary: fromFile))
                    logger.info(
                        "glossary loaded from the pack",
                        metadata: ["agent": "\(pack.id)", "version": "\(stored.version)", "concepts": "\(fromFile.concepts.count)"])
                    continue
                }
            }
            guard let latest = try await store.glossary(agent: pack.id, version: nil) else { continue }
            do {
                let glossary = try Glossary(tsv: latest.tsv)
                activate(GlossaryVersion(agent: pack.id, version: latest.version, glossary: glossary))
            } catch {
                logger.error(
                    "stored glossary unreadable; using none",
                    metadata: ["agent": "\(pack.id)", "version": "\(latest.version)", "error": "\(error)"])
            }
        }
    }

    /// Stores an uploaded glossary as the agent's next version and puts it in force for new
    /// events at once.
    func upload(agent: String, glossary: Glossary, by staffId: String) async throws -> GlossaryVersion {
        let stored = try await store.addGlossary(
            agent: agent, tsv: glossary.source, sha256: Self.sha256(glossary.source), origin: "api",
            concepts: glossary.concepts.count, createdBy: staffId)
        let version = GlossaryVersion(agent: agent, version: stored.version, glossary: glossary)
        activate(version)
        return version
    }

    /// The version in force for an agent.
    func active(agent: String) -> GlossaryVersion? {
        state.withLock { $0.active[agent] }
    }

    /// A version already parsed (the active one and recent ones), without waiting.
    func cached(agent: String, version: Int) -> Glossary? {
        state.withLock { $0.parsed[agent]?[version] }
    }

    /// Any stored version, parsed on first use.
    package func glossary(agent: String, version: Int) async -> Glossary? {
        if let cached = cached(agent: agent, version: version) { return cached }
        do {
            guard let stored = try await store.glossary(agent: agent, version: version) else { return nil }
            let glossary = try Glossary(tsv: stored.tsv)
            remember(agent: agent, version: version, glossary: glossary)
            return glossary
        } catch {
            logger.error(
                "glossary version unreadable", metadata: ["agent": "\(agent)", "version": "\(version)", "error": "\(error)"])
            return nil
        }
    }

    private func activate(_ version: GlossaryVersion) {
        state.withLock { $0.active[version.agent] = version }
        remember(agent: version.agent, version: version.version, glossary: version.glossary)
    }

    private func remember(agent: String, version: Int, glossary: Glossary) {
        state.withLock { state in
            state.parsed[agent, default: [:]][version] = glossary
            let active = state.active[agent]?.version
            // Keep the newest few; the active one always stays.
            let versions = state.parsed[agent]!.keys.sorted(by: >)
            for old in versions.dropFirst(Self.cachedVersions) where old != active {
                state.parsed[agent]![old] = nil
            }
        }
    }

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
