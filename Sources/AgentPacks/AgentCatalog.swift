import Foundation

/// Every agent pack of an agents folder, sorted by id; never empty.
package struct AgentCatalog: Sendable {
    /// The agents folder the packs were loaded from (absolute, standardized).
    package let folder: URL
    /// The packs, sorted by id.
    package let packs: [AgentPack]

    /// Loads every folder of `folder` as a pack; throws on the first malformed one, or when
    /// there is none. Files (a README) and hidden entries beside the packs are ignored.
    package init(folder: URL) throws(AgentPackError) {
        let folder = folder.standardizedFileURL
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: folder.path, isDirectory: &isDirectory) else {
            throw .at(folder, "agents folder not found")
        }
        guard isDirectory.boolValue else { throw .at(folder, "the agents folder is not a folder") }
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw .at(folder, "cannot list the agents folder: \(error.localizedDescription)")
        }
        var packs: [AgentPack] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let child = folder.appendingPathComponent(name, isDirectory: true)
            var childIsDirectory: ObjCBool = false
            guard manager.fileExists(atPath: child.path, isDirectory: &childIsDirectory),
                childIsDirectory.boolValue
            else { continue }
            packs.append(try AgentPack(folder: child))
        }
        guard !packs.isEmpty else {
            throw .at(folder, "no agent pack: add a folder <agent-id>/ holding \(AgentManifest.fileName)")
        }
        self.folder = folder
        self.packs = packs.sorted { $0.id < $1.id }
    }

    private init(folder: URL, packs: [AgentPack]) {
        self.folder = folder
        self.packs = packs
    }

    /// The catalog with uploaded documents in force over the packs' own, by pack id.
    package func withDocuments(overlay: [String: [PackDocument]]) -> AgentCatalog {
        guard !overlay.isEmpty else { return self }
        return AgentCatalog(folder: folder, packs: packs.map { $0.withDocuments(overlay: overlay[$0.id] ?? []) })
    }

    /// The pack with this id, or nil.
    package func pack(id: String) -> AgentPack? {
        packs.first { $0.id == id }
    }

    /// The pack used when none is named: the only one, else the first by id.
    package var defaultPack: AgentPack { packs[0] }

    /// The packs' ids, sorted.
    package var ids: [String] { packs.map(\.id) }
}
