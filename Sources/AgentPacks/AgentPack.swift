import Foundation
import Glossary

/// One assistant: the folder `Agents/<id>/`, its validated manifest, glossary, desks and
/// documents. A pack with any malformed part is refused whole, naming file and line.
package struct AgentPack: Sendable {
    /// The agent's id, equal to its folder's name.
    package let id: String
    /// The pack's folder (absolute, standardized).
    package let folder: URL
    /// The validated contents of `agent.json`.
    package let manifest: AgentManifest
    /// `glossary.tsv`, when the pack has one.
    package let glossary: Glossary?
    /// `contacts.json`: the hand-over desks; empty when the pack has no such file.
    package let contacts: [ContactDesk]
    /// `documents/*.md`, sorted by id.
    package let documents: [PackDocument]
    /// `phrases.tsv`, when the pack has one.
    package let phrasebook: Phrasebook?
    /// `zones.json`: the zones investors may ask to meet about; empty when the pack has none.
    package let zones: [PackZone]
    /// `survey.json`: the end-of-meeting survey and the reasons for an unhelpful rating.
    package let survey: SurveyDefinition?

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
        let glossary = try Self.loadGlossary(folder.appendingPathComponent("glossary.tsv"))
        let contacts = try Self.loadContacts(folder.appendingPathComponent(ContactDirectory.fileName))
        let documents = try Self.loadDocuments(folder.appendingPathComponent("documents", isDirectory: true))
        for document in documents {
            try Self.checkMedia(document, pack: folder, file: folder.appendingPathComponent("documents/\(document.id).md"))
        }
        let survey = try Self.loadSurvey(folder.appendingPathComponent(SurveyDefinition.fileName))
        let phrasebook = try Self.loadPhrasebook(folder.appendingPathComponent(Phrasebook.fileName))
        let zones = try Self.loadZones(folder.appendingPathComponent(ZoneDirectory.fileName), desks: contacts)
        try Self.checkHandover(manifest, manifestData: data, file: file, contacts: contacts, glossary: glossary)
        self.init(
            id: manifest.id, folder: folder, manifest: manifest, glossary: glossary, contacts: contacts,
            documents: documents, phrasebook: phrasebook, zones: zones, survey: survey)
    }

    /// A pack from parts already validated (tests, packs built in memory).
    package init(
        id: String, folder: URL, manifest: AgentManifest, glossary: Glossary? = nil, contacts: [ContactDesk] = [],
        documents: [PackDocument] = [], phrasebook: Phrasebook? = nil, zones: [PackZone] = [],
        survey: SurveyDefinition? = nil
    ) {
        self.survey = survey
        self.id = id
        self.folder = folder
        self.manifest = manifest
        self.glossary = glossary
        self.contacts = contacts
        self.documents = documents
        self.phrasebook = phrasebook
        self.zones = zones
    }

    /// The pack with `overlay` in force over its own documents: an uploaded document replaces
    /// the shipped one of the same id, others are added (sorted by id, as loaded).
    package func withDocuments(overlay: [PackDocument]) -> AgentPack {
        guard !overlay.isEmpty else { return self }
        var byId = Dictionary(documents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for document in overlay { byId[document.id] = document }
        return AgentPack(
            id: id, folder: folder, manifest: manifest, glossary: glossary, contacts: contacts,
            documents: byId.values.sorted { $0.id < $1.id }, phrasebook: phrasebook, zones: zones, survey: survey)
    }

    /// The survey's reasons for an unhelpful rating in `language`, by id (none without a survey).
    package func ratingReasonTexts(in language: String) -> [String: String] {
        Dictionary((survey?.ratingReasons ?? []).map { ($0.id, $0.text.text(in: language)) }, uniquingKeysWith: { a, _ in a })
    }

    /// `media/`: images documents show beside answers (site plans, maps).
    package var mediaFolder: URL { folder.appendingPathComponent("media", isDirectory: true) }

    /// Image types a document's `image` may have, by file extension.
    package static let mediaTypes = ["png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp", "svg": "image/svg+xml"]

    /// A document's media: `image` names a file of `media/` of a known type, `tour` and `map`
    /// are https links.
    static func checkMedia(_ document: PackDocument, pack: URL, file: URL) throws(AgentPackError) {
        guard document.hasMedia else { return }
        // The line of a front-matter key, for the error (the file was read once already).
        let lines = ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n", omittingEmptySubsequences: false)
        func line(_ key: String) -> Int {
            (lines.firstIndex { $0.lowercased().hasPrefix(key + ":") }).map { $0 + 1 } ?? 1
        }
        if let image = document.image {
            guard !image.contains("/"), !image.hasPrefix("."),
                mediaTypes[(image as NSString).pathExtension.lowercased()] != nil
            else {
                throw .at(file, line: line("image"), "\"image\" \"\(image)\" must be a file name in the pack's media/ folder ending in \(mediaTypes.keys.sorted().joined(separator: ", "))")
            }
            guard FileManager.default.fileExists(atPath: pack.appendingPathComponent("media/\(image)").path) else {
                throw .at(file, line: line("image"), "\"image\" \"\(image)\" is not in the pack's media/ folder")
            }
        }
        for key in ["tour", "map"] {
            guard let link = document.fields[key] else { continue }
            guard let url = URL(string: link), url.scheme == "https", url.host?.isEmpty == false else {
                throw .at(file, line: line(key), "\"\(key)\" must be an https link, not \"\(link)\"")
            }
        }
    }

    static func loadSurvey(_ file: URL) throws(AgentPackError) -> SurveyDefinition? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw .at(file, "cannot read the file: \(error.localizedDescription)")
        }
        return try SurveyDefinition.parse(data, file: AgentPackError.displayPath(file))
    }

    /// The desk with this id.
    package func desk(id: String) -> ContactDesk? { contacts.first { $0.id == id } }

    /// The zone with this id.
    package func zone(id: String) -> PackZone? { zones.first { $0.id == id } }

    /// A meeting request's topic (a desk or a zone) named in `language`; nil when the pack
    /// has neither.
    package func topicName(_ id: String, in language: String) -> String? {
        desk(id: id)?.name.text(in: language) ?? zone(id: id)?.name.text(in: language)
    }

    /// Parses a glossary file; none is fine, a broken one is refused with its line.
    static func loadGlossary(_ file: URL) throws(AgentPackError) -> Glossary? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let text = try readText(file)
        do {
            return try Glossary(tsv: text)
        } catch {
            throw .at(file, line: error.line, error.reason)
        }
    }

    /// Parses `phrases.tsv`; none is fine, a broken one is refused with its line.
    static func loadPhrasebook(_ file: URL) throws(AgentPackError) -> Phrasebook? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let text = try readText(file)
        do {
            return try Phrasebook.parse(text)
        } catch {
            throw .at(file, line: error.line, error.reason)
        }
    }

    static func loadZones(_ file: URL, desks: [ContactDesk]) throws(AgentPackError) -> [PackZone] {
        guard FileManager.default.fileExists(atPath: file.path) else { return [] }
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw .at(file, "cannot read the file: \(error.localizedDescription)")
        }
        return try ZoneDirectory.parse(data, file: AgentPackError.displayPath(file), desks: desks)
    }

    static func loadContacts(_ file: URL) throws(AgentPackError) -> [ContactDesk] {
        guard FileManager.default.fileExists(atPath: file.path) else { return [] }
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw .at(file, "cannot read the file: \(error.localizedDescription)")
        }
        return try ContactDirectory.parse(data, file: AgentPackError.displayPath(file))
    }

    /// Every `.md` file of `documents/` (other files are ignored), sorted by id.
    static func loadDocuments(_ folder: URL) throws(AgentPackError) -> [PackDocument] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            return []
        }
        var documents: [PackDocument] = []
        for name in names.sorted() where name.hasSuffix(".md") && !name.hasPrefix(".") && name != "README.md" {
            let file = folder.appendingPathComponent(name)
            let text = try readText(file)
            documents.append(
                try PackDocument.parse(text, id: String(name.dropLast(3)), file: AgentPackError.displayPath(file)))
        }
        return documents
    }

    /// A UTF-8 text file, or an error naming the line of the first invalid byte.
    static func readText(_ file: URL) throws(AgentPackError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw .at(file, "cannot read the file: \(error.localizedDescription)")
        }
        let bytes = Array(data)
        if let offset = AgentManifest.firstInvalidUTF8Offset(bytes) {
            throw .at(file, line: JSONSourceMap.line(ofOffset: offset, in: bytes), "not valid UTF-8 (byte \(offset + 1))")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Hand-over rules must name desks of `contacts.json` and concepts of the glossary.
    static func checkHandover(
        _ manifest: AgentManifest, manifestData: Data, file: URL, contacts: [ContactDesk], glossary: Glossary?
    ) throws(AgentPackError) {
        guard let handover = manifest.handover else { return }
        let map = try? JSONSourceMap(Array(manifestData))
        func fail(_ path: [String], _ reason: String) -> AgentPackError {
            .at(file, line: map?.line(of: path), reason)
        }
        let desks = Set(contacts.map(\.id))
        guard !contacts.isEmpty else {
            throw fail(["handover"], "hand-over rules name desks, but the pack has no \(ContactDirectory.fileName)")
        }
        if !desks.contains(handover.defaultDesk) {
            throw fail(["handover", "defaultDesk"], "default desk \"\(handover.defaultDesk)\" is not in \(ContactDirectory.fileName)")
        }
        for (index, rule) in handover.rules.enumerated() {
            if !desks.contains(rule.desk) {
                throw fail(["handover", "rules", String(index), "desk"], "desk \"\(rule.desk)\" is not in \(ContactDirectory.fileName)")
            }
            for (conceptIndex, concept) in rule.concepts.enumerated() where glossary?.concept(id: concept) == nil {
                throw fail(
                    ["handover", "rules", String(index), "concepts", String(conceptIndex)],
                    "concept \"\(concept)\" is not in the pack's glossary.tsv")
            }
        }
    }

    /// `agent.json`.
    package var manifestFile: URL { folder.appendingPathComponent(AgentManifest.fileName) }

    /// `documents/`: the Markdown documents the assistant answers from.
    package var documentsFolder: URL { folder.appendingPathComponent("documents", isDirectory: true) }

    /// `glossary.tsv`: the pack's glossary (contract section 6).
    package var glossaryFile: URL { folder.appendingPathComponent("glossary.tsv") }

    /// `phrases.tsv`: the officers' phrasebook.
    package var phrasebookFile: URL { folder.appendingPathComponent(Phrasebook.fileName) }

    /// `contacts.json`: the desks the assistant hands over to.
    package var contactsFile: URL { folder.appendingPathComponent("contacts.json") }
}
