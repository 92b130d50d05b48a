import AgentPacks
import Testing

@testable import Retrieval

/// A sentence found in one language version has a place, and the same place in another
/// version is its counterpart: what lets the assistant quote the asker's language.
@Suite("Document alignment")
struct DocumentAlignmentTests {
    static func document(_ id: String, _ language: String, _ body: String) -> PackDocument {
        PackDocument.synthetic(id: id, title: "\(id) title", language: language, body: body)
    }

    static let english = document(
        "parks.en", "en",
        """
        # Parks

        This sheet is about parks.

        ## Launched in 2025 {#launched}

        - The parks launched are Yen Than, Dam Ha B and Dong Mai. They opened in 2025.
        - The sector grows by 22 % a year.
        """)
    static let japanese = document(
        "parks.ja", "ja",
        """
        # 工業団地

        この資料は工業団地についてである。

        ## 2025年に始動 {#launched}

        - 始動した工業団地はイエンタン、ダムハB、ドンマイである。いずれも2025年に開業した。
        - 同部門は年22％成長している。
        """)
    static let korean = document(
        "parks.ko", "ko",
        """
        # 산업단지

        이 자료는 산업단지에 관한 것이다.

        ## 2025년 착공 {#launched}

        - 착공한 산업단지는 옌탄, 담하B, 동마이이며 2025년에 문을 열었다
        - 이 부문은 연 22% 성장한다.
        """)

    @Test func headingsLoseTheirAnchorButKeepIt() {
        let sections = PassageSplitter.sections(Self.english.body)
        #expect(sections.map(\.heading) == ["Parks", "Launched in 2025"])
        #expect(sections.map(\.anchor) == [nil, "launched"])
    }

    @Test func aSentenceMapsToTheSameSentenceInAnotherLanguage() throws {
        let alignment = DocumentAlignment(documents: [Self.english, Self.japanese, Self.korean])
        #expect(alignment.languages(of: "parks") == ["en", "ja", "ko"])
        let place = try #require(alignment.place(of: "The sector grows by 22 % a year.", in: "parks.en"))
        #expect(place == DocumentAlignment.Place(family: "parks", section: 1, block: 1, sentence: 0, anchor: "launched"))
        let quote = try #require(alignment.quote(at: place, in: "ja"))
        #expect(quote.text == "同部門は年22％成長している。")
        #expect(quote.document.id == "parks.ja")
        #expect(quote.heading == "2025年に始動")
        let second = try #require(alignment.place(of: "They opened in 2025.", in: "parks.en"))
        #expect(alignment.quote(at: second, in: "ja", sentenceCountOfSource: 2)?.text == "いずれも2025年に開業した。")
    }

    @Test func aBlockCutDifferentlyIsQuotedWhole() throws {
        let alignment = DocumentAlignment(documents: [Self.english, Self.korean])
        let place = try #require(alignment.place(of: "They opened in 2025.", in: "parks.en"))
        let quote = try #require(alignment.quote(at: place, in: "ko", sentenceCountOfSource: 2))
        #expect(quote.text == "착공한 산업단지는 옌탄, 담하B, 동마이이며 2025년에 문을 열었다")
    }

    @Test func sectionsAreMatchedByTheirAnchorNotTheirPosition() throws {
        let reordered = Self.document(
            "parks.ja", "ja",
            "# 工業団地\n\nはじめに。\n\n## その他 {#other}\n\n- 別の話である。\n\n## 始動 {#launched}\n\n- 一つ目。\n- 同部門は年22％成長している。\n")
        let alignment = DocumentAlignment(documents: [Self.english, reordered])
        let place = try #require(alignment.place(of: "The sector grows by 22 % a year.", in: "parks.en"))
        #expect(alignment.quote(at: place, in: "ja")?.text == "同部門は年22％成長している。")
    }

    @Test func aMissingVersionOrPlaceGivesNothing() throws {
        let alignment = DocumentAlignment(documents: [Self.english, Self.japanese])
        let place = try #require(alignment.place(of: "The sector grows by 22 % a year.", in: "parks.en"))
        #expect(alignment.quote(at: place, in: "zh") == nil)
        #expect(alignment.place(of: "A sentence no version has.", in: "parks.en") == nil)
        #expect(alignment.place(of: "The sector grows by 22 % a year.", in: "other.en") == nil)
    }
}
