import Foundation

/// A zone the agency promotes (`zones.json`): an economic zone or industrial park an investor
/// may ask for a meeting about, named in the pack's languages, and the desk that answers for it.
package struct PackZone: Sendable, Equatable {
    /// Stable id, distinct from every desk id (both are meeting-request topics).
    package var id: String
    /// Per language (a plain string in the file means every language).
    package var name: LocalizedText
    /// The `contacts.json` desk that handles requests about the zone.
    package var desk: String

    package init(id: String, name: LocalizedText, desk: String) {
        self.id = id
        self.name = name
        self.desk = desk
    }
}

/// Reads `zones.json`: `{"zones": [{"id", "name", "desk"}, …]}`.
package enum ZoneDirectory {
    package static let fileName = "zones.json"

    /// The zones of a zones file, checked against the pack's desks; errors name the file and line.
    package static func parse(_ data: Data, file: String, desks: [ContactDesk]) throws(AgentPackError) -> [PackZone] {
        let map: JSONSourceMap
        do {
            map = try JSONSourceMap(Array(data))
        } catch {
            throw .invalid(file: file, line: error.line, reason: "invalid JSON: \(error.reason)")
        }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .invalid(file: file, line: nil, reason: "invalid JSON: \(error.localizedDescription)")
        }
        guard let object = root as? [String: Any], let list = object["zones"] as? [Any] else {
            throw .invalid(file: file, line: 1, reason: "expected {\"zones\": [...]}")
        }
        let deskIds = Set(desks.map(\.id))
        var zones: [PackZone] = []
        var seen: Set<String> = []
        for (index, item) in list.enumerated() {
            let path = ["zones", String(index)]
            func fail(_ key: String?, _ reason: String) -> AgentPackError {
                .invalid(file: file, line: map.line(of: key.map { path + [$0] } ?? path) ?? map.line(of: path), reason: reason)
            }
            guard let entry = item as? [String: Any] else { throw fail(nil, "a zone must be an object") }
            guard let id = entry["id"] as? String, !id.isEmpty,
                id.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
            else { throw fail("id", "a zone needs an \"id\" of lowercase letters, digits and hyphens") }
            guard seen.insert(id).inserted else { throw fail("id", "zone id \"\(id)\" is used twice") }
            if deskIds.contains(id) { throw fail("id", "zone id \"\(id)\" is a desk's id in contacts.json") }
            let name: LocalizedText
            switch LocalizedText.read(entry["name"], checkCodes: true) {
            case .success(let text): name = text
            case .failure(.notLanguage(let language)):
                throw fail("name", "zone \"\(id)\": \"\(language)\" is not a language code")
            case .failure(.notText(let language)):
                throw fail("name", "zone \"\(id)\": \"name\".\(language) must be a non-empty string")
            case .failure(.missing):
                throw fail("name", "zone \"\(id)\" needs \"name\": a string or an object of strings per language")
            }
            guard let desk = entry["desk"] as? String else {
                throw fail("desk", "zone \"\(id)\" needs \"desk\": the id of the desk in contacts.json that handles it")
            }
            guard deskIds.contains(desk) else {
                throw fail("desk", "zone \"\(id)\": desk \"\(desk)\" is not in contacts.json")
            }
            zones.append(PackZone(id: id, name: name, desk: desk))
        }
        return zones
    }
}
