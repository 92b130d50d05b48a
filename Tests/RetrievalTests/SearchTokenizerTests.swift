import Testing

@testable import Retrieval

@Suite("Search tokens")
struct SearchTokenizerTests {
    @Test func latinAndVietnameseFoldCaseAndDiacritics() {
        #expect(SearchTokenizer.tokens("Thời tiết ở VÂN ĐỒN") == ["thoi", "tiet", "o", "van", "don"])
        #expect(SearchTokenizer.tokens("thoi tiet") == SearchTokenizer.tokens("thời tiết"))
        #expect(SearchTokenizer.tokens("Zone économique spéciale") == ["zone", "economique", "speciale"])
        #expect(SearchTokenizer.tokens("ＦＤＩ，ＰＣＩ") == ["fdi", "pci"])
        #expect(SearchTokenizer.tokens("l’investissement") == ["l", "investissement"])
    }

    @Test func numbersStayWholeAcrossLanguages() {
        #expect(SearchTokenizer.tokens("16,7 milliards") == ["16d7", "milliards"])
        #expect(SearchTokenizer.tokens("16.7 billion") == ["16d7", "billion"])
        #expect(SearchTokenizer.tokens("32,09 %") == ["32d09"])
        #expect(SearchTokenizer.tokens("32.09%") == ["32d09"])
        #expect(SearchTokenizer.tokens("2.500 tỷ đồng") == ["2500", "ty", "dong"])
        #expect(SearchTokenizer.tokens("2,500 billion") == ["2500", "billion"])
        #expect(SearchTokenizer.tokens("2 500 milliards") == ["2500", "milliards"])
        #expect(SearchTokenizer.tokens("1.000.000") == ["1000000"])
        #expect(SearchTokenizer.tokens("Nghị quyết 57/2025/NQ-HĐND") == ["nghi", "quyet", "57s2025", "nq", "hdnd"])
        #expect(SearchTokenizer.tokens("13-NQ/TU") == ["13", "nq", "tu"])
        #expect(SearchTokenizer.tokens("in 2025 14 projects") == ["in", "2025", "14", "projects"])
        #expect(SearchTokenizer.tokens("In 2025.") == ["in", "2025"])
        #expect(SearchTokenizer.tokens("1,25") == ["1d25"])
    }

    @Test func chineseAndJapaneseAsBigrams() {
        #expect(SearchTokenizer.tokens("工业园区") == ["工业", "业园", "园区"])
        #expect(SearchTokenizer.tokens("港") == ["港"])
        #expect(SearchTokenizer.tokens("ヴァンドン経済特区") == ["ヴァ", "ァン", "ンド", "ドン", "ン経", "経済", "済特", "特区"])
        // Half-width katakana is the same text.
        #expect(SearchTokenizer.tokens("ｶﾞｲﾄﾞ") == SearchTokenizer.tokens("ガイド"))
        #expect(SearchTokenizer.tokens("在Van Don投资") == ["在", "van", "don", "投资"])
    }

    @Test func koreanAsSyllableBigrams() {
        #expect(SearchTokenizer.tokens("산업단지에") == ["산업", "업단", "단지", "지에"])
        #expect(Set(SearchTokenizer.tokens("산업단지")).isSubset(of: Set(SearchTokenizer.tokens("산업단지에"))))
    }

    @Test func passagesNeverCrossHeadingsAndOverlap() {
        let markdown = """
            # Title

            First sentence about 16.7 billion USD. Second one! Third? Fourth sentence here.

            ## Parks
            - Yen Than park.
            - Dong Mai park.
            """
        let passages = PassageSplitter.passages(markdown: markdown)
        #expect(passages.map(\.heading) == ["Title", "Title", "Parks"])
        #expect(passages[0].text == "First sentence about 16.7 billion USD. Second one! Third?")
        #expect(passages[1].text == "Third? Fourth sentence here.")
        #expect(passages[2].text == "Yen Than park. Dong Mai park.")
    }
}
