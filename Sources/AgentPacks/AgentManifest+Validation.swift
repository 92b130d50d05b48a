import Foundation

extension AgentManifest {
    /// The name every pack's manifest file has.
    package static let fileName = "agent.json"

    /// Decodes and validates the bytes of an `agent.json`.
    ///
    /// `file` is the path used in errors; `expectedID`, when given, is the pack folder's
    /// name, which `id` must equal. Throws the first problem found, with its line when the
    /// text shows one.
    package static func parse(
        _ data: Data, file: String, expectedID: String? = nil
    ) throws(AgentPackError) -> AgentManifest {
        let bytes = Array(data)
        if let offset = firstInvalidUTF8Offset(bytes) {
            throw .invalid(
                file: file, line: JSONSourceMap.line(ofOffset: offset, in: bytes),
                reason: "not valid UTF-8 (byte \(offset + 1))")
        }
        let map: JSONSourceMap
        do {
            map = try JSONSourceMap(bytes)
        } catch {
            throw .invalid(file: file, line: error.line, reason: "invalid JSON: \(error.reason)")
        }
        let manifest: AgentManifest
        do {
            manifest = try JSONDecoder().decode(AgentManifest.self, from: data)
        } catch let error as DecodingError {
            throw explain(error, file: file, map: map, bytes: bytes)
        } catch {
            throw .invalid(file: file, line: nil, reason: "cannot decode: \(error)")
        }
        if let problem = manifest.problems(expectedID: expectedID).first {
            throw .invalid(file: file, line: map.line(of: problem.path), reason: problem.reason)
        }
        return manifest
    }

    /// One thing wrong with a decoded manifest: the offending key's path and the reason.
    struct Problem: Sendable, Equatable {
        /// Keys (and array indices, in decimal) leading to the offending value.
        let path: [String]
        /// What is wrong, in words.
        let reason: String
    }

    /// Everything wrong with this manifest, key by key; empty when it is valid.
    func problems(expectedID: String? = nil) -> [Problem] {
        var problems: [Problem] = []
        func add(_ path: [String], _ reason: String) { problems.append(Problem(path: path, reason: reason)) }

        if !Self.isAgentID(id) {
            add(
                ["id"],
                "\"id\" is \"\(id)\", which is not a valid agent id "
                    + "(lowercase letters, digits and '-', starting with a letter or digit)")
        } else if let expectedID, expectedID != id {
            add(["id"], "\"id\" is \"\(id)\" but the pack's folder is named \"\(expectedID)\"; they must be equal")
        }
        if version < 1 {
            add(["version"], "\"version\" must be 1 or more, not \(version)")
        }

        if languages.isEmpty {
            add(["languages"], "\"languages\" is empty: list at least one language code")
        }
        var seen: Set<String> = []
        for (index, language) in languages.enumerated() {
            if !Self.isLanguageCode(language) {
                add(
                    ["languages", String(index)],
                    "\"languages\" holds \"\(language)\", which is not a language code like "
                        + "\"vi\", \"zh\" or \"pt-BR\"")
            } else if !seen.insert(language.lowercased()).inserted {
                add(["languages", String(index)], "\"languages\" lists \"\(language)\" twice")
            }
        }
        if !languages.isEmpty, !languages.contains(defaultLanguage) {
            add(
                ["defaultLanguage"],
                "\"defaultLanguage\" is \"\(defaultLanguage)\", which is not among \"languages\" "
                    + "(\(languages.joined(separator: ", ")))")
        }

        for (key, table, singular) in [
            ("names", names, "name"), ("greetings", greetings, "greeting"), ("notice", notice, "notice"),
        ] {
            for language in languages {
                guard let text = table[language] else {
                    add([key], "\(singular) missing for language \"\(language)\"")
                    continue
                }
                if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    add([key, language], "\(singular) for language \"\(language)\" is empty")
                }
            }
        }
        for (language, text) in (organisation ?? [:]).sorted(by: { $0.key < $1.key })
        where text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            add(["organisation", language], "organisation for language \"\(language)\" is empty")
        }
        for (language, text) in (meetingNotice ?? [:]).sorted(by: { $0.key < $1.key })
        where text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            add(["meetingNotice", language], "meetingNotice for language \"\(language)\" is empty")
        }

        if let retrieval, !(1...50).contains(retrieval.k) {
            add(["retrieval", "k"], "\"retrieval.k\" must be between 1 and 50, not \(retrieval.k)")
        }
        if let handover {
            if handover.defaultDesk.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                add(["handover", "defaultDesk"], "\"handover.defaultDesk\" is empty")
            }
            if !(0...1).contains(handover.confidenceFloor) {
                add(
                    ["handover", "confidenceFloor"],
                    "\"handover.confidenceFloor\" must be between 0 and 1, not \(handover.confidenceFloor)")
            }
            for (index, rule) in handover.rules.enumerated() {
                let path = ["handover", "rules", String(index)]
                if rule.desk.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    add(path + ["desk"], "handover rule \(index + 1) has an empty \"desk\"")
                }
                if rule.topics.isEmpty && rule.concepts.isEmpty {
                    add(
                        path,
                        "handover rule \(index + 1) (desk \"\(rule.desk)\") has neither \"topics\" nor \"concepts\"")
                }
            }
        }
        return problems
    }

    /// Whether `id` has the form of an agent id: `[a-z0-9][a-z0-9-]*`.
    package static func isAgentID(_ id: String) -> Bool {
        guard let first = id.utf8.first, isLowerAlphanumeric(first) else { return false }
        return id.utf8.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// A `DecodingError` rewritten as the key at fault, its line and what was expected.
    private static func explain(
        _ error: DecodingError, file: String, map: JSONSourceMap, bytes: [UInt8]
    ) -> AgentPackError {
        func components(_ codingPath: [any CodingKey]) -> [String] {
            codingPath.map { key in key.intValue.map(String.init) ?? key.stringValue }
        }
        func display(_ codingPath: [any CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return text
        }
        switch error {
        case .keyNotFound(let key, let context):
            let path = context.codingPath
            let place = path.isEmpty ? "" : " in \"\(display(path))\""
            return .invalid(
                file: file, line: path.isEmpty ? nil : map.line(of: components(path)),
                reason: "missing key \"\(key.stringValue)\"\(place)")
        case .typeMismatch(let type, let context):
            let path = context.codingPath
            guard !path.isEmpty else {
                return .invalid(file: file, line: 1, reason: "the file must hold one JSON object")
            }
            return .invalid(
                file: file, line: map.line(of: components(path)),
                reason: "\"\(display(path))\" must be \(describe(type))")
        case .valueNotFound(let type, let context):
            let path = context.codingPath
            return .invalid(
                file: file, line: map.line(of: components(path)),
                reason: "\"\(display(path))\" is null; it must be \(describe(type))")
        case .dataCorrupted(let context):
            let path = context.codingPath
            if path.isEmpty {
                // The scan found no syntax error, so the decoder refused a value; use its offset if any.
                let offset =
                    (context.underlyingError as NSError?)?
                    .userInfo["NSJSONSerializationErrorIndex"] as? Int
                return .invalid(
                    file: file, line: offset.map { JSONSourceMap.line(ofOffset: $0, in: bytes) },
                    reason: "cannot decode the file: \(context.debugDescription)")
            }
            return .invalid(
                file: file, line: map.line(of: components(path)),
                reason: "\"\(display(path))\" is invalid: \(context.debugDescription)")
        @unknown default:
            return .invalid(file: file, line: nil, reason: "cannot decode: \(error)")
        }
    }

    /// `a string`, `an integer`, … for the type a decoder expected.
    private static func describe(_ type: Any.Type) -> String {
        if type == String.self { return "a string" }
        if type == Int.self { return "an integer" }
        if type == Double.self { return "a number" }
        if type == Bool.self { return "true or false" }
        let name = String(describing: type)
        if name.hasPrefix("Dictionary") || name.hasPrefix("[") && name.contains(":") {
            return "an object"
        }
        if name.hasPrefix("Array") || name.hasPrefix("[") { return "an array" }
        return "an object"
    }

    /// Offset of the first byte that is not part of well-formed UTF-8, or nil.
    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .error: return offset
            case .emptyInput: return nil
            }
        }
    }
}
