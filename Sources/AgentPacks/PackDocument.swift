import Foundation

/// A document of a pack's `documents/` folder: Markdown with a front-matter block
/// (contract section 5) giving at least `title`, `language`, `source` and `date`.
///
/// ```
/// ---
/// title: Industrial parks of Quảng Ninh
/// language: en
/// source: Báo Quảng Ninh, https://baoquangninh.vn/…
/// date: 2025-09
/// zone: Quảng Ninh province
/// sector: processing and manufacturing
/// ---
/// ```
package struct PackDocument: Sendable, Equatable {
    /// The file name without `.md`: `industrial-parks.en`.
    package var id: String
    /// The same document in other languages shares this: `industrial-parks`.
    package var family: String
    /// Front matter.
    package var title: String
    package var language: String
    package var source: String
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    package var date: String
    package var zone: String?
    package var sector: String?
    /// Every front-matter key, including those above and any the pack's authors add.
    package var fields: [String: String]
    /// The Markdown after the front matter.
    package var body: String
    /// 1-based line of the body's first line in the file.
    package var bodyLine: Int

    /// `image`: a file of the pack's `media/` folder (a site plan, a map), shown beside answers.
    package var image: String? { fields["image"].flatMap { $0.isEmpty ? nil : $0 } }
    /// `image-caption`: the image's caption.
    package var imageCaption: String? { fields["image-caption"] }
    /// `tour`: an https link to a 360° tour of the site.
    package var tour: String? { fields["tour"] }
    /// `map`: an https link to a map of the site.
    package var map: String? { fields["map"] }
    /// Whether the document carries an image or a link to show beside answers citing it.
    package var hasMedia: Bool { image != nil || tour != nil || map != nil }
    /// The uploaded version in force (`version` in front matter), nil for a shipped file.
    package var version: Int? { fields["version"].flatMap(Int.init) }

    /// Front-matter keys every document must have.
    package static let requiredKeys = ["title", "language", "source", "date"]

    /// Parses a document's text; `file` names it in errors.
    package static func parse(_ text: String, id: String, file: String) throws(AgentPackError) -> PackDocument {
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---" else {
            throw .invalid(file: file, line: 1, reason: "a document starts with a front-matter block: a line \"---\", then \"key: value\" lines, then \"---\"")
        }
        var fields: [String: String] = [:]
        var closing: Int?
        for index in 1..<lines.count {
            let line = lines[index]
            if line.trimmingCharacters(in: .whitespaces) == "---" {
                closing = index
                break
            }
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw .invalid(file: file, line: index + 1, reason: "front matter line is not \"key: value\"")
            }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw .invalid(file: file, line: index + 1, reason: "front matter key \"\(key)\" is not a word")
            }
            guard fields[key] == nil else {
                throw .invalid(file: file, line: index + 1, reason: "front matter key \"\(key)\" is given twice")
            }
            fields[key] = unquoted(value)
        }
        guard let closing else {
            throw .invalid(file: file, line: lines.count, reason: "the front-matter block is not closed by a line \"---\"")
        }
        for key in requiredKeys where (fields[key] ?? "").isEmpty {
            throw .invalid(file: file, line: closing + 1, reason: "front matter lacks \"\(key)\" (required: \(requiredKeys.joined(separator: ", ")))")
        }
        let language = fields["language"]!
        guard AgentManifest.isLanguageCode(language) else {
            throw .invalid(file: file, line: lineOf("language", lines, closing), reason: "\"\(language)\" is not a language code like vi, en or zh")
        }
        let date = fields["date"]!
        guard isDate(date) else {
            throw .invalid(file: file, line: lineOf("date", lines, closing), reason: "date \"\(date)\" is not YYYY, YYYY-MM or YYYY-MM-DD")
        }
        let body = lines[(closing + 1)...].joined(separator: "\n")
        guard !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .invalid(file: file, line: closing + 1, reason: "the document has no text after its front matter")
        }
        let family = id.split(separator: ".").count > 1 ? String(id[..<id.lastIndex(of: ".")!]) : id
        return PackDocument(
            id: id, family: family, title: fields["title"]!, language: language, source: fields["source"]!, date: date,
            zone: fields["zone"], sector: fields["sector"], fields: fields, body: body, bodyLine: closing + 2)
    }

    /// A document that no pack file holds (benchmarks build large synthetic corpora): source
    /// `synthetic`, date `2025`, family from the id as `parse` derives it.
    package static func synthetic(id: String, title: String, language: String, body: String) -> PackDocument {
        let family = id.split(separator: ".").count > 1 ? String(id[..<id.lastIndex(of: ".")!]) : id
        let fields = ["title": title, "language": language, "source": "synthetic", "date": "2025"]
        return PackDocument(
            id: id, family: family, title: title, language: language, source: "synthetic", date: "2025", zone: nil,
            sector: nil, fields: fields, body: body, bodyLine: 1)
    }

    private static func unquoted(_ value: String) -> String {
        for quote in ["\"", "'"] where value.count >= 2 && value.hasPrefix(quote) && value.hasSuffix(quote) {
            return String(value.dropFirst().dropLast())
        }
        return value
    }

    private static func lineOf(_ key: String, _ lines: [String], _ closing: Int) -> Int {
        for index in 1..<closing where lines[index].lowercased().hasPrefix(key) { return index + 1 }
        return closing + 1
    }

    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` with a plausible month and day.
    package static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            parts[0].count == 4
        else { return false }
        if parts.count >= 2 {
            guard parts[1].count == 2, let month = Int(parts[1]), (1...12).contains(month) else { return false }
        }
        if parts.count == 3 {
            guard parts[2].count == 2, let day = Int(parts[2]), (1...31).contains(day) else { return false }
        }
        return true
    }
}
