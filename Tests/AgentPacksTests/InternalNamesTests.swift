import Testing

@testable import AgentPacks

/// Investors read titles, never the pack's file names (issue 20).
@Suite struct InternalNamesTests {
    let documents = [
        PackDocument.synthetic(id: "van-don-high-tech-zone.fr", title: "La haute technologie à Quang Ninh", language: "fr", body: "x"),
        PackDocument.synthetic(id: "fdi-overview.en", title: "Foreign direct investment in Quang Ninh", language: "en", body: "x"),
    ]

    @Test func fileNamesBecomeTitles() {
        let text = "See the French fact sheet van-don-high-tech-zone.fr.md and fdi-overview.en for figures."
        #expect(
            InternalNames.replacingFileNames(in: text, documents: documents)
                == "See the French fact sheet “La haute technologie à Quang Ninh” and “Foreign direct investment in Quang Ninh” for figures.")
    }

    @Test func partsOfOtherWordsStay() {
        let text = "old-fdi-overview.en.md, fdi-overview.english and https://x.example/fdi-overview.en stay."
        #expect(InternalNames.replacingFileNames(in: text, documents: documents) == text)
    }
}
