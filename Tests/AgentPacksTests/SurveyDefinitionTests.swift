import Foundation
import Testing

@testable import AgentPacks

/// `survey.json`: the end-of-meeting survey and the reasons for an unhelpful rating; any
/// fault names the file and line, and answers are checked against the questions.
@Suite struct SurveyDefinitionTests {
    static let valid = """
        {"validDays": 7,
         "scale": {"low": {"en": "Very poor", "vi": "Rất kém"}, "high": "Very good"},
         "questions": [
           {"id": "information", "dimension": "information", "kind": "scale", "text": {"en": "Access to information"}},
           {"id": "overall", "kind": "scale", "text": "Overall"},
           {"id": "comment", "kind": "text", "text": "Anything else?"}
         ],
         "ratingReasons": [{"id": "wrong", "text": {"en": "Wrong", "ja": "誤り"}}]}
        """

    func fault(_ text: String) -> AgentPackError? {
        do {
            _ = try SurveyDefinition.parse(Data(text.utf8), file: "survey.json")
            return nil
        } catch {
            return error
        }
    }

    @Test func readsQuestionsScaleAndReasons() throws {
        let survey = try SurveyDefinition.parse(Data(Self.valid.utf8), file: "survey.json")
        #expect(survey.validDays == 7)
        #expect(survey.dimensions == ["information", "overall"])
        #expect(survey.low.text(in: "vi") == "Rất kém" && survey.high.text(in: "ja") == "Very good")
        #expect(survey.ratingReasons.map { $0.text.text(in: "ja") } == ["誤り"])
    }

    @Test func faultsNameTheLine() {
        let badKind = Self.valid.replacingOccurrences(of: #""kind": "text""#, with: #""kind": "stars""#)
        #expect(fault(badKind) == .invalid(file: "survey.json", line: 6, reason: "question \"comment\": \"kind\" must be \"scale\" (1–5) or \"text\""))
        let twice = Self.valid.replacingOccurrences(of: #""id": "overall""#, with: #""id": "information""#)
        #expect(fault(twice)?.description.hasPrefix("survey.json:5: question id \"information\" is used twice") == true)
        let language = Self.valid.replacingOccurrences(of: #""ja": "誤り""#, with: #""japanese": "誤り""#)
        #expect(fault(language)?.description.contains("\"japanese\" is not a language code") == true)
        #expect(fault(#"{"scale": {"low": "a", "high": "b"}, "questions": []}"#)?.description.contains("non-empty list") == true)
        #expect(fault(Self.valid.replacingOccurrences(of: "\"validDays\": 7", with: "\"validDays\": 0")) != nil)
    }

    @Test func answersAreCheckedAgainstTheQuestions() throws {
        let survey = try SurveyDefinition.parse(Data(Self.valid.utf8), file: "survey.json")
        #expect(try survey.validate(["information": .score(4), "comment": .text("  ")]).get() == ["information": .score(4)])
        #expect(throws: SurveyRefusal.self) { try survey.validate(["information": .score(6)]).get() }
        #expect(throws: SurveyRefusal.self) { try survey.validate(["comment": .score(3)]).get() }
        #expect(throws: SurveyRefusal.self) { try survey.validate(["speed": .score(3)]).get() }
        #expect(throws: SurveyRefusal.self) { try survey.validate([:]).get() }
        #expect(throws: SurveyRefusal.self) { try survey.validate(["comment": .text(String(repeating: "x", count: 4001))]).get() }
    }

    @Test func theShippedSurveyValidates() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Agents/quang-ninh-ipa/survey.json")
        let survey = try SurveyDefinition.parse(try Data(contentsOf: file), file: "survey.json")
        for question in survey.questions {
            for language in ["vi", "en", "fr", "ja", "ko", "zh"] { #expect(question.text.values[language] != nil) }
        }
        #expect(Set(survey.dimensions).isSuperset(of: ["information", "transparency", "timeliness", "competence", "attitude", "support", "overall"]))
    }
}
