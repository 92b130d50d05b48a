import Testing

@testable import Dialogue

@Suite struct WrittenLanguageTests {
    @Test func aClearContradictionOverridesTheClaim() {
        #expect(WrittenLanguage.of("ヴァンドン経済区の投資優遇について説明します。", claimed: "en") == "ja")
        #expect(WrittenLanguage.of("꽝닌성 산업단지의 임대료는 얼마입니까?", claimed: "ja") == "ko")
        #expect(WrittenLanguage.of("广宁省的工业园区有哪些优惠政策？", claimed: "vi") == "zh")
        #expect(WrittenLanguage.of("The industrial park rents land for 50 years.", claimed: "ja") == "en")
        #expect(WrittenLanguage.of("Khu công nghiệp Đông Mai cho thuê đất 50 năm.", claimed: "zh") == "vi")
    }

    @Test func theClaimStandsWhereScriptsCannotTell() {
        #expect(WrittenLanguage.of("Le parc industriel loue des terrains.", claimed: "fr") == "fr")
        #expect(WrittenLanguage.of("Khu công nghiệp", claimed: "en") == "en")
        #expect(WrittenLanguage.of("経済区", claimed: "ja") == "ja")  // kanji only: Japanese as claimed
        #expect(WrittenLanguage.of("2026 — 3,5 %", claimed: "ko") == "ko")  // no letters
        #expect(WrittenLanguage.of("", claimed: "zh-Hant") == "zh-Hant")
    }

    @Test func aJapaneseAnswerQuotingAnEnglishNameStaysJapanese() {
        #expect(WrittenLanguage.of("Van Don Economic Zone（ヴァンドン経済区）は、投資家に土地を貸し出しています。", claimed: "ja") == "ja")
        #expect(WrittenLanguage.of("Van Don Economic Zone（ヴァンドン経済区）は、投資家に土地を貸し出しています。", claimed: "en") == "ja")
    }
}
