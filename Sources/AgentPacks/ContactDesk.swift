import Foundation

/// A desk the assistant hands an investor over to (`contacts.json`): a role at the agency,
/// never a named person.
package struct ContactDesk: Sendable, Equatable {
    /// Referred to by hand-over rules.
    package var id: String
    /// Desk name, per language (a plain string in the file means every language).
    package var name: LocalizedText
    /// What the desk decides or answers.
    package var role: LocalizedText
    /// The organisation the desk belongs to.
    package var organisation: LocalizedText
    /// Languages the desk can serve, as codes.
    package var languages: [String]
    /// A functional address, when the agency publishes one.
    package var email: String?
    /// A telephone number as the agency writes it (`+84 203 …`), when it publishes one.
    package var phone: String? = nil
    /// Free-text topics, for officers reading the file.
    package var topics: [String]

    /// A desk from its parts (tests, packs built in memory).
    package init(
        id: String, name: LocalizedText, role: LocalizedText, organisation: LocalizedText, languages: [String],
        email: String?, phone: String? = nil, topics: [String]
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.organisation = organisation
        self.languages = languages
        self.email = email
        self.phone = phone
        self.topics = topics
    }
}

/// Text given once, or per language.
package struct LocalizedText: Sendable, Equatable {
    /// Per language; the key `""` holds text given once for all languages.
    package var values: [String: String]

    /// Text per language; the key `""` for one text in every language.
    package init(values: [String: String]) { self.values = values }

    /// The text for a reader: same tag, same primary language, English, Vietnamese, any.
    package func text(in language: String) -> String {
        if let all = values[""] { return all }
        let base = AgentManifest.baseLanguage(of: language).lowercased()
        for candidate in [language, base, "en", "vi"] {
            if let text = values[candidate] { return text }
        }
        return values.sorted { $0.key < $1.key }.first?.value ?? ""
    }
}

extension LocalizedText {
    /// Why a pack file's text could not be read (the caller names the file, line and owner).
    enum ReadFault: Error {
        /// Neither a non-empty string nor a non-empty object.
        case missing
        /// The text for this language is not a non-empty string.
        case notText(language: String)
        /// This key is not a language code (only when codes are checked).
        case notLanguage(String)
    }

    /// Text as the pack's JSON files give it: one non-empty string for every language, or an
    /// object of non-empty strings by language (`checkCodes`: its keys must be language codes).
    static func read(_ value: Any?, checkCodes: Bool = false) -> Result<LocalizedText, ReadFault> {
        if let text = value as? String, !text.isEmpty { return .success(LocalizedText(values: ["": text])) }
        guard let texts = value as? [String: Any], !texts.isEmpty else { return .failure(.missing) }
        var values: [String: String] = [:]
        for (language, value) in texts {
            if checkCodes && !AgentManifest.isLanguageCode(language) { return .failure(.notLanguage(language)) }
            guard let text = value as? String, !text.isEmpty else { return .failure(.notText(language: language)) }
            values[language] = text
        }
        return .success(LocalizedText(values: values))
    }
}

/// Reads `contacts.json`: `{"desks": [desk, …]}` or a bare array of desks.
package enum ContactDirectory {
    package static let fileName = "contacts.json"

    /// The desks of a contacts file, validated; errors name the file and line.
    package static func parse(_ data: Data, file: String) throws(AgentPackError) -> [ContactDesk] {
        let bytes = Array(data)
        let map: JSONSourceMap
        do {
            map = try JSONSourceMap(bytes)
        } catch {
            throw .invalid(file: file, line: error.line, reason: "invalid JSON: \(error.reason)")
        }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .invalid(file: file, line: nil, reason: "invalid JSON: \(error.localizedDescription)")
        }
        var prefix: [String] = []
        let list: [Any]
        if let array = root as? [Any] {
            list = array
        } else if let object = root as? [String: Any], let array = object["desks"] as? [Any] {
            list = array
            prefix = ["desks"]
        } else {
            throw .invalid(file: file, line: 1, reason: "expected {\"desks\": [...]} or an array of desks")
        }
        var desks: [ContactDesk] = []
        var seen: [String: Int] = [:]
        for (index, item) in list.enumerated() {
            let path = prefix + [String(index)]
            func fail(_ key: String?, _ reason: String) -> AgentPackError {
                .invalid(file: file, line: map.line(of: key.map { path + [$0] } ?? path) ?? map.line(of: path), reason: reason)
            }
            guard let object = item as? [String: Any] else { throw fail(nil, "a desk must be an object") }
            guard let id = object["id"] as? String, !id.isEmpty else { throw fail("id", "a desk needs a non-empty \"id\"") }
            if seen[id] != nil { throw fail("id", "desk id \"\(id)\" is used twice") }
            seen[id] = index
            func localized(_ key: String) throws(AgentPackError) -> LocalizedText {
                switch LocalizedText.read(object[key]) {
                case .success(let text): return text
                case .failure(.notText(let language)), .failure(.notLanguage(let language)):
                    throw fail(key, "desk \"\(id)\": \"\(key)\".\(language) must be a non-empty string")
                case .failure(.missing):
                    throw fail(key, "desk \"\(id)\" needs \"\(key)\": a string or an object of strings per language")
                }
            }
            let name = try localized("name")
            let role = try localized("role")
            let organisation = try localized("organisation")
            guard let languages = object["languages"] as? [String], !languages.isEmpty else {
                throw fail("languages", "desk \"\(id)\" needs \"languages\": a non-empty list of language codes")
            }
            if let bad = languages.first(where: { !AgentManifest.isLanguageCode($0) }) {
                throw fail("languages", "desk \"\(id)\": \"\(bad)\" is not a language code")
            }
            let email = object["email"] as? String
            if object["email"] != nil, email?.contains("@") != true {
                throw fail("email", "desk \"\(id)\": \"email\" must be an address")
            }
            let phone = object["phone"] as? String
            if object["phone"] != nil,
                phone.map({ $0.filter(\.isNumber).count >= 6 && $0.allSatisfy { "+0123456789 ().-".contains($0) } }) != true
            {
                throw fail("phone", "desk \"\(id)\": \"phone\" must be a telephone number (digits, spaces, + ( ) . -)")
            }
            desks.append(
                ContactDesk(
                    id: id, name: name, role: role, organisation: organisation, languages: languages, email: email,
                    phone: phone, topics: object["topics"] as? [String] ?? []))
        }
        guard !desks.isEmpty else { throw .invalid(file: file, line: 1, reason: "no desk listed") }
        return desks
    }
}
