import Testing

@testable import AgentPacks

@Suite("Localized texts")
struct LocalizationTests {
    private let manifest = AgentManifest(
        id: "demo", languages: ["vi", "en", "zh", "pt-BR"], defaultLanguage: "vi",
        organisation: ["en": "Agency"],
        names: ["vi": "Trợ lý", "en": "Assistant", "zh": "助理", "pt-BR": "Assistente"],
        greetings: [:], notice: [:])

    @Test("exact, base, variant of the base, default, en, then any")
    func fallbackChain() {
        let table = ["vi": "vi", "en": "en", "zh": "zh", "pt-BR": "pt-BR"]
        #expect(manifest.localized(table, language: "zh") == "zh")
        #expect(manifest.localized(table, language: "zh-Hant") == "zh")
        #expect(manifest.localized(table, language: "ZH-hant") == "zh")
        #expect(manifest.localized(table, language: "pt-PT") == "pt-BR")
        #expect(manifest.localized(table, language: "pt") == "pt-BR")
        #expect(manifest.localized(table, language: "de") == "vi")
        #expect(manifest.localized(["en": "en", "fr": "fr"], language: "de") == "en")
        #expect(manifest.localized(["ja": "ja", "fr": "fr"], language: "de") == "fr")
        #expect(manifest.localized(["vi": " ", "en": "en"], language: "vi") == "en")
        #expect(manifest.localized([:], language: "vi") == "")
    }

    @Test("named helpers read their tables")
    func helpers() {
        #expect(manifest.name(in: "zh-Hans") == "助理")
        #expect(manifest.organisationName(in: "vi") == "Agency")
        #expect(manifest.greeting(in: "vi") == "")
    }

    @Test("served language closest to a reader's")
    func servedLanguage() {
        #expect(manifest.servedLanguage(for: "en") == "en")
        #expect(manifest.servedLanguage(for: "EN-gb") == "en")
        #expect(manifest.servedLanguage(for: "zh-Hant") == "zh")
        #expect(manifest.servedLanguage(for: "pt") == "pt-BR")
        #expect(manifest.servedLanguage(for: "de") == "vi")
        #expect(AgentManifest.baseLanguage(of: "zh-Hant-TW") == "zh")
    }
}
