import Foundation
import Testing

@testable import AgentPacks

@Suite("agent.json validation")
struct AgentManifestTests {
    /// A valid manifest's JSON, one key per line, with `edit` applied to its text.
    private func json(_ edit: (String) -> String = { $0 }) -> Data {
        let text = """
            {
              "id": "demo",
              "version": 1,
              "languages": ["vi", "en", "ko"],
              "defaultLanguage": "vi",
              "names": {"vi": "Trợ lý", "en": "Assistant", "ko": "비서"},
              "greetings": {"vi": "Xin chào.", "en": "Hello.", "ko": "안녕하세요."},
              "notice": {
                "vi": "Được ghi lại.",
                "en": "Recorded.",
                "ko": "기록됩니다."
              },
              "retrieval": {"k": 5, "minScore": 0.0},
              "handover": {"defaultDesk": "investor-services", "confidenceFloor": 0.35, "rules": []}
            }
            """
        return Data(edit(text).utf8)
    }

    private func error(
        _ edit: @escaping (String) -> String, expectedID: String? = "demo"
    ) throws -> AgentPackError {
        let data = json(edit)
        return try #require(throws: AgentPackError.self) {
            try AgentManifest.parse(data, file: "Agents/demo/agent.json", expectedID: expectedID)
        }
    }

    private func replacing(_ old: String, _ new: String) -> (String) -> String {
        { text in
            precondition(text.contains(old), "fixture text lacks \(old)")
            return text.replacingOccurrences(of: old, with: new)
        }
    }

    @Test("the valid manifest parses")
    func valid() throws {
        let manifest = try AgentManifest.parse(json(), file: "agent.json", expectedID: "demo")
        #expect(manifest.id == "demo")
        #expect(manifest.names["ko"] == "비서")
        #expect(manifest.retrievalSettings.k == 5)
        #expect(manifest.handover?.rules == [])
        #expect(manifest.problems().isEmpty)
    }

    @Test("round-trips through JSONEncoder")
    func roundTrip() throws {
        let manifest = try AgentManifest.parse(json(), file: "agent.json")
        let again = try AgentManifest.parse(JSONEncoder().encode(manifest), file: "agent.json")
        #expect(again == manifest)
    }

    @Test("unknown keys are allowed, at any level")
    func unknownKeys() throws {
        let data = json(replacing(#""version": 1,"#, #""version": 1, "documents": {"x": [true, null]},"#))
        #expect(throws: Never.self) { try AgentManifest.parse(data, file: "agent.json", expectedID: "demo") }
    }

    @Test("the description reads file:line: reason")
    func description() throws {
        let error = try error(replacing(#", "ko": "안녕하세요.""#, ""))
        #expect(error.description == #"Agents/demo/agent.json:7: greeting missing for language "ko""#)
        #expect(error.localizedDescription == error.description)
    }

    @Test(
        "semantic errors name the offending key's line",
        arguments: [
            (#""id": "demo""#, #""id": "Demo""#, 2, "not a valid agent id"),
            (#""id": "demo""#, #""id": "-demo""#, 2, "not a valid agent id"),
            (#""id": "demo""#, #""id": "other""#, 2, "the pack's folder is named \"demo\""),
            (#""version": 1"#, #""version": 0"#, 3, "\"version\" must be 1 or more, not 0"),
            (#"["vi", "en", "ko"]"#, "[]", 4, "\"languages\" is empty"),
            (#"["vi", "en", "ko"]"#, #"["vi", "EN", "ko"]"#, 4, "\"EN\", which is not a language code"),
            (#"["vi", "en", "ko"]"#, #"["vi", "english", "ko"]"#, 4, "not a language code"),
            (#"["vi", "en", "ko"]"#, #"["vi", "en", "ko", "vi"]"#, 4, "lists \"vi\" twice"),
            (#""defaultLanguage": "vi""#, #""defaultLanguage": "fr""#, 5, "not among \"languages\" (vi, en, ko)"),
            (#""en": "Assistant", "#, "", 6, "name missing for language \"en\""),
            (#""en": "Assistant""#, #""en": "  ""#, 6, "name for language \"en\" is empty"),
            (#""en": "Recorded.""#, #""en": """#, 10, "notice for language \"en\" is empty"),
            (#""k": 5"#, #""k": 0"#, 13, "\"retrieval.k\" must be between 1 and 50, not 0"),
            (#""k": 5"#, #""k": 51"#, 13, "between 1 and 50"),
            (#""confidenceFloor": 0.35"#, #""confidenceFloor": 1.5"#, 14, "between 0 and 1, not 1.5"),
            (#""defaultDesk": "investor-services""#, #""defaultDesk": """#, 14, "\"handover.defaultDesk\" is empty"),
            (#""rules": []"#, #""rules": [{"desk": "land"}]"#, 14, "neither \"topics\" nor \"concepts\""),
        ] as [(String, String, Int, String)])
    func semanticErrors(old: String, new: String, line: Int, reason: String) throws {
        let error = try error(replacing(old, new))
        #expect(error.file == "Agents/demo/agent.json")
        #expect(error.line == line)
        #expect(error.reason.contains(reason), "\(error)")
    }

    @Test(
        "type errors and missing keys name the key and its line",
        arguments: [
            (#""version": 1"#, #""version": "1""#, 3, #""version" must be an integer"#),
            (#""version": 1"#, #""version": 1.5"#, 3, #""version" is invalid: 1.5 is not a whole number"#),
            (#""k": 5"#, #""k": 5.5"#, 13, #""retrieval.k" is invalid: 5.5 is not a whole number"#),
            (
                #""languages": ["vi", "en", "ko"]"#, #""languages": ["vi", 2, "ko"]"#, 4,
                #""languages[1]" must be a string"#
            ),
            (#""ko": "기록됩니다.""#, #""ko": 3"#, 11, #""notice.ko" must be a string"#),
            (#""names": {"#, #""names": null, "x": {"#, 6, #""names" is null"#),
            (#""k": 5"#, #""k": true"#, 13, #""retrieval.k" must be an integer"#),
            (#""rules": []"#, #""rules": {}"#, 14, #""handover.rules" must be an array"#),
            (#""rules": []"#, #""rules": [{"topics": ["x"]}]"#, 14, #"missing key "desk" in "handover.rules[0]""#),
            (#""notice": {"#, #""notices": {"#, nil as Int?, #"missing key "notice""#),
        ] as [(String, String, Int?, String)])
    func decodingErrors(old: String, new: String, line: Int?, reason: String) throws {
        let error = try error(replacing(old, new))
        #expect(error.line == line)
        #expect(error.reason.contains(reason), "\(error)")
    }

    @Test(
        "syntax errors give the line where the text goes wrong",
        arguments: [
            (#""version": 1,"#, #""version": 1"#, 4, "expected ',' or '}'"),
            (#""ko": "기록됩니다.""#, #""ko": "기록됩니다.","#, 12, "trailing comma"),
            (#""Xin chào.", "en""#, #""Xin chào." "en""#, 7, "expected ',' or '}' after the value of \"vi\""),
            (#""Recorded.""#, "'Recorded.'", 10, "unexpected '''"),
            (#""Recorded.""#, #""Rec\q""#, 10, #"invalid escape sequence '\q'"#),
            (#""Recorded.""#, "\"Rec\norded\"", 10, "unterminated string"),
            (#""en": "Hello.""#, #""en": "Hello.", "en": "Hi.""#, 7, #"duplicate key "en""#),
            (#""minScore": 0.0"#, #""minScore": 01"#, 13, "must not start with 0"),
            (#""minScore": 0.0"#, #""minScore": .5"#, 13, "expected a value"),
            (#""rules": []"#, #""rules": [tru]"#, 14, "expected a value"),
        ] as [(String, String, Int, String)])
    func syntaxErrors(old: String, new: String, line: Int, reason: String) throws {
        let error = try error(replacing(old, new))
        #expect(error.line == line)
        #expect(error.reason.hasPrefix("invalid JSON: "))
        #expect(error.reason.contains(reason), "\(error)")
    }

    @Test("an empty file, a non-object and content after the object are refused")
    func wholeFile() throws {
        #expect(try error({ _ in "" }).reason == "invalid JSON: the file is empty")
        #expect(try error({ _ in "\n\n  " }).line == 3)
        #expect(try error({ _ in "[1, 2]" }).reason == "the file must hold one JSON object")
        let trailing = try error({ $0 + "\n}" })
        #expect(trailing.line == 16)
        #expect(trailing.reason.contains("after the end of the JSON value"))
    }

    @Test("bytes that are not UTF-8 are refused with their line")
    func invalidUTF8() throws {
        var bytes = Array(json())
        let index = try #require(bytes.firstIndex(of: UInt8(ascii: "R")))
        bytes[index] = 0xFF
        let error = try #require(throws: AgentPackError.self) {
            try AgentManifest.parse(Data(bytes), file: "agent.json")
        }
        #expect(error.line == 10)
        #expect(error.reason.hasPrefix("not valid UTF-8"))
    }

    @Test("whole numbers may be written as decimals")
    func wholeNumbers() throws {
        let data = json {
            $0.replacingOccurrences(of: #""version": 1"#, with: #""version": 2.0"#)
                .replacingOccurrences(of: #""k": 5"#, with: #""k": 1e1"#)
        }
        let manifest = try AgentManifest.parse(data, file: "agent.json")
        #expect(manifest.version == 2)
        #expect(manifest.retrievalSettings.k == 10)
    }

    @Test("without an expected id, any valid id is accepted")
    func noExpectedID() throws {
        let data = json(replacing(#""id": "demo""#, #""id": "x-1""#))
        let manifest = try AgentManifest.parse(data, file: "agent.json")
        #expect(manifest.id == "x-1")
    }

    @Test("agent ids and language codes")
    func codes() {
        for id in ["a", "quang-ninh-ipa", "0x", "a--b"] { #expect(AgentManifest.isAgentID(id), "\(id)") }
        for id in ["", "-a", "A", "a_b", "a b", "ä"] { #expect(!AgentManifest.isAgentID(id), "\(id)") }
        for code in ["vi", "zh", "fil", "pt-BR", "zh-Hant", "zh-Hant-TW", "es-419"] {
            #expect(AgentManifest.isLanguageCode(code), "\(code)")
        }
        for code in ["", "v", "VI", "viet", "pt_BR", "pt-", "en-a", "zh-Hantissimo", "en--GB"] {
            #expect(!AgentManifest.isLanguageCode(code), "\(code)")
        }
    }
}
