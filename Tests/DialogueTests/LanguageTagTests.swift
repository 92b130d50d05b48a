import Testing

@testable import Dialogue

@Suite struct LanguageTagTests {
    @Test(arguments: [
        "en", "vi", "fil", "zh-Hant", "pt-BR", "EN", "zh-Hant-TW", "sr-Latn-RS-1994", "es-419", "de-CH-1901",
    ])
    func valid(_ tag: String) {
        #expect(LanguageTag.isValid(tag))
    }

    @Test(arguments: [
        "", "e", "engl", "english", "en-", "-en", "en--US", "en_US", "en US", "12", "e1", "en-x", "en-abcdefghi",
        "a-b-c-d-e", "en-US-abc-def-ghi", "éé", "en-é1", "zh-Hant ", " en", "中文",
    ])
    func invalid(_ tag: String) {
        #expect(!LanguageTag.isValid(tag))
    }

    @Test func normaliseLowersOnlyThePrimarySubtag() {
        #expect(LanguageTag.normalise("EN") == "en")
        #expect(LanguageTag.normalise("Zh-Hant") == "zh-Hant")
        #expect(LanguageTag.normalise("PT-BR") == "pt-BR")
        #expect(LanguageTag.normalise("vi") == "vi")
    }

    @Test func base() {
        #expect(LanguageTag.base("zh-Hant") == "zh")
        #expect(LanguageTag.base("pt-BR") == "pt")
        #expect(LanguageTag.base("en") == "en")
    }
}
