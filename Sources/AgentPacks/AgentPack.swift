import Foundation

/// One assistant: the folder `Agents/<id>/` and its validated manifest.
package struct AgentPack: Sendable, Equatable {
    /// The agent's id, equal to its folder's name.
    package let id: String
    /// The pack's folder (absolute, standardized).
    package let folder: URL
    /// The validated contents of `agent.json`.
    package let manifest: AgentManifest

    /// Loads and validates the pack in `folder`; its name must be the manifest's `id`.
    package init(folder: URL) throws(AgentPackError) {
        let folder = folder.standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) else {
            throw .at(folder, "pack folder not found")
        }
        guard isDirectory.boolValue else { throw .at(folder, "not a folder") }
        let file = folder.appendingPathComponent(AgentManifest.fileName)
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw .at(
                folder,
                "no \(AgentManifest.fileName) in this pack folder (each folder of the agents folder is a pack)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw .at(file, "cannot read the file: \(error.localizedDescription)")
        }
        let manifest = try AgentManifest.parse(
            data, file: AgentPackError.displayPath(file), expectedID: folder.lastPathComponent)
        self.init(id: manifest.id, folder: folder, manifest: manifest)
    }

    /// A pack from parts already validated (tests, packs built in memory).
    package init(id: String, folder: URL, manifest: AgentManifest) {
        self.id = id
        self.folder = folder
        self.manifest = manifest
    }

    /// `agent.json`.
    package var manifestFile: URL { folder.appendingPathComponent(AgentManifest.fileName) }

    /// `documents/`: the Markdown documents the assistant answers from.
    package var documentsFolder: URL { folder.appendingPathComponent("documents", isDirectory: true) }

    /// `glossary.tsv`: the pack's glossary (contract section 6).
    package var glossaryFile: URL { folder.appendingPathComponent("glossary.tsv") }

    /// `contacts.json`: the desks the assistant hands over to.
    package var contactsFile: URL { folder.appendingPathComponent("contacts.json") }
}
