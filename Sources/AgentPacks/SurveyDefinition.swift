import Foundation

/// The pack's end-of-meeting survey (`survey.json`, issue 19): questions on the DDCI
/// dimensions (1–5 scales) and free text, named in the pack's languages, and the short list
/// of reasons an investor may give when an answer did not help.
///
/// ```json
/// {"validDays": 14, "intro": {...}, "scale": {"low": {...}, "high": {...}},
///  "questions": [{"id": "information", "dimension": "information", "kind": "scale", "text": {...}}],
///  "ratingReasons": [{"id": "wrong", "text": {...}}]}
/// ```
package struct SurveyDefinition: Sendable, Equatable {
    package static let fileName = "survey.json"

    /// A question: `scale` answers are 1…5, `text` answers free text.
    package struct Question: Sendable, Equatable {
        package enum Kind: String, Sendable { case scale, text }
        package var id: String
        package var kind: Kind
        /// The barometer dimension a scale question measures (its id when the file names none).
        package var dimension: String?
        package var text: LocalizedText
    }

    /// A reason for an unhelpful rating.
    package struct Reason: Sendable, Equatable {
        package var id: String
        package var text: LocalizedText
    }

    /// Days after the meeting's end during which the survey link answers.
    package var validDays: Int
    package var intro: LocalizedText?
    package var low: LocalizedText
    package var high: LocalizedText
    package var questions: [Question]
    package var ratingReasons: [Reason]

    /// Longest free-text answer, in characters.
    package static let maxTextLength = 4000

    /// The scale questions' dimensions, in the file's order.
    package var dimensions: [String] { questions.compactMap { $0.kind == .scale ? ($0.dimension ?? $0.id) : nil } }

    /// Checks one answer set: every key a question, scale answers whole numbers 1…5, text
    /// answers strings of at most `maxTextLength` characters; at least one answer. Returns
    /// the answers as stored (blank texts dropped) or the reason for refusing them.
    package func validate(_ answers: [String: SurveyAnswer]) -> Result<[String: SurveyAnswer], SurveyRefusal> {
        guard !answers.isEmpty else { return .failure(.init("answer at least one question")) }
        var kept: [String: SurveyAnswer] = [:]
        for (id, answer) in answers {
            guard let question = questions.first(where: { $0.id == id }) else {
                return .failure(.init("\"\(id)\" is not a question of this survey (\(questions.map(\.id).joined(separator: ", ")))"))
            }
            switch (question.kind, answer) {
            case (.scale, .score(let value)) where (1...5).contains(value):
                kept[id] = answer
            case (.scale, _):
                return .failure(.init("\"\(id)\" is answered with a whole number from 1 to 5"))
            case (.text, .text(let text)):
                guard text.count <= Self.maxTextLength else {
                    return .failure(.init("\"\(id)\" has \(text.count) characters; at most \(Self.maxTextLength)"))
                }
                if text.contains(where: { !$0.isWhitespace }) { kept[id] = answer }
            case (.text, _):
                return .failure(.init("\"\(id)\" is answered with text"))
            }
        }
        guard !kept.isEmpty else { return .failure(.init("answer at least one question")) }
        return .success(kept)
    }

    /// Parses `survey.json`; errors name the file and line.
    package static func parse(_ data: Data, file: String) throws(AgentPackError) -> SurveyDefinition {
        let map: JSONSourceMap
        do {
            map = try JSONSourceMap(Array(data))
        } catch {
            throw .invalid(file: file, line: error.line, reason: "invalid JSON: \(error.reason)")
        }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .invalid(file: file, line: 1, reason: "expected an object {\"questions\": [...], ...}")
        }
        func fail(_ path: [String], _ reason: String) -> AgentPackError {
            var probe = path
            var line = map.line(of: probe)
            while line == nil, !probe.isEmpty {
                probe.removeLast()
                line = map.line(of: probe)
            }
            return .invalid(file: file, line: line ?? 1, reason: reason)
        }
        func localized(_ value: Any?, _ path: [String], _ what: String) throws(AgentPackError) -> LocalizedText {
            switch LocalizedText.read(value, checkCodes: true) {
            case .success(let text): return text
            case .failure(.notLanguage(let language)): throw fail(path, "\(what): \"\(language)\" is not a language code")
            case .failure(.notText(let language)): throw fail(path + [language], "\(what): the \(language) text must be a non-empty string")
            case .failure(.missing): throw fail(path, "\(what) needs a text: a string or an object of strings per language")
            }
        }
        func isId(_ text: String) -> Bool {
            !text.isEmpty && text.count <= 64 && text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
        }
        var validDays = 14
        if let days = root["validDays"] {
            guard let number = days as? Int, !(days is Bool), (1...365).contains(number) else {
                throw fail(["validDays"], "\"validDays\" must be a whole number of days from 1 to 365")
            }
            validDays = number
        }
        let intro = root["intro"] == nil ? nil : try localized(root["intro"], ["intro"], "\"intro\"")
        guard let scale = root["scale"] as? [String: Any] else {
            throw fail(["scale"], "\"scale\" must be {\"low\": text, \"high\": text}: the words for 1 and 5")
        }
        let low = try localized(scale["low"], ["scale", "low"], "\"scale\".\"low\"")
        let high = try localized(scale["high"], ["scale", "high"], "\"scale\".\"high\"")
        guard let list = root["questions"] as? [Any], !list.isEmpty else {
            throw fail(["questions"], "\"questions\" must be a non-empty list")
        }
        var questions: [Question] = []
        var ids: Set<String> = []
        for (index, item) in list.enumerated() {
            let path = ["questions", String(index)]
            guard let entry = item as? [String: Any] else { throw fail(path, "question \(index + 1) must be an object") }
            guard let id = entry["id"] as? String, isId(id) else {
                throw fail(path + ["id"], "question \(index + 1) needs an \"id\" of lowercase letters, digits and hyphens")
            }
            guard ids.insert(id).inserted else { throw fail(path + ["id"], "question id \"\(id)\" is used twice") }
            guard let kindName = entry["kind"] as? String, let kind = Question.Kind(rawValue: kindName) else {
                throw fail(path + ["kind"], "question \"\(id)\": \"kind\" must be \"scale\" (1–5) or \"text\"")
            }
            var dimension: String?
            if let value = entry["dimension"] {
                guard kind == .scale, let name = value as? String, isId(name) else {
                    throw fail(path + ["dimension"], "question \"\(id)\": \"dimension\" is an id, on scale questions only")
                }
                dimension = name
            }
            if kind == .scale {
                let measured = dimension ?? id
                guard !questions.contains(where: { $0.kind == .scale && ($0.dimension ?? $0.id) == measured }) else {
                    throw fail(path + ["id"], "question \"\(id)\": dimension \"\(measured)\" is measured by an earlier question already")
                }
            }
            let text = try localized(entry["text"], path + ["text"], "question \"\(id)\"")
            questions.append(Question(id: id, kind: kind, dimension: dimension, text: text))
        }
        var reasons: [Reason] = []
        if let value = root["ratingReasons"] {
            guard let list = value as? [Any] else { throw fail(["ratingReasons"], "\"ratingReasons\" must be a list") }
            var reasonIds: Set<String> = []
            for (index, item) in list.enumerated() {
                let path = ["ratingReasons", String(index)]
                guard let entry = item as? [String: Any], let id = entry["id"] as? String, isId(id) else {
                    throw fail(path, "reason \(index + 1) needs an \"id\" of lowercase letters, digits and hyphens")
                }
                guard reasonIds.insert(id).inserted else { throw fail(path + ["id"], "reason id \"\(id)\" is used twice") }
                reasons.append(Reason(id: id, text: try localized(entry["text"], path + ["text"], "reason \"\(id)\"")))
            }
        }
        return SurveyDefinition(
            validDays: validDays, intro: intro, low: low, high: high, questions: questions, ratingReasons: reasons)
    }
}

/// One survey answer: a score on a 1–5 scale or free text.
package enum SurveyAnswer: Sendable, Equatable {
    case score(Int)
    case text(String)
}

/// Why answers were refused, in words for the investor's client.
package struct SurveyRefusal: Error, Sendable, Equatable {
    package var reason: String
    package init(_ reason: String) { self.reason = reason }
}
