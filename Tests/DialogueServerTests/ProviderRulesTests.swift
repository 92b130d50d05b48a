import Foundation
import Glossary
import Retrieval
import Testing

@testable import DialogueServer

/// What the server demands of providers' output, without a provider.
@Suite struct ProviderRulesTests {
    @Test func glossaryTermsTravelAsMarkersAndMustComeBackOnce() throws {
        let glossary = try Glossary(tsv: "id\ten\tja\npark\tindustrial park\t工業団地\nvan-don\tVan Don\tヴァンドン\n")
        let text = "🏭 The industrial park in Van Don."
        let hits = glossary.terms(in: text)
        let (masked, markers) = GlossaryProtection.protect(text, hits: hits)
        #expect(masked == "🏭 The ⟦1⟧ in ⟦2⟧.")
        let replacements = hits.map { glossary.approvedForm(of: $0.conceptIndex, for: "ja") }
        let good = GlossaryProtection.restore("⟦2⟧の⟦1⟧", markers: markers, replacements: replacements)
        #expect(good.text == "ヴァンドンの工業団地" && good.ok)
        #expect(!GlossaryProtection.restore("⟦1⟧だけ", markers: markers, replacements: replacements).ok)
        #expect(!GlossaryProtection.restore("⟦1⟧ ⟦1⟧ ⟦2⟧", markers: markers, replacements: replacements).ok)
        #expect(!GlossaryProtection.restore("⟦1⟧ ⟦2⟧ ⟦3⟧", markers: markers, replacements: replacements).ok)
        // A marker the provider invented is taken out of what readers see.
        let invented = GlossaryProtection.restore("⟦1⟧ ⟦2⟧ ⟦3⟧です", markers: markers, replacements: replacements)
        #expect(invented.text == "工業団地 ヴァンドンです" && !invented.ok)
    }

    @Test func failuresAreToldInWords() {
        #expect("\(ProviderFailure.timedOut(.seconds(8)))" == "timed out after 8 s")
        #expect("\(ProviderFailure.timedOut(.milliseconds(500)))" == "timed out after 0.5 s")
        #expect("\(ProviderFailure.refused)" == "connection refused")
        #expect("\(ProviderFailure.status(503, excerpt: ""))" == "HTTP status 503")
        #expect("\(ProviderFailure.status(500, excerpt: "{}"))" == "HTTP status 500 (body: {})")
    }

    @Test func translatorSettingsParse() throws {
        let libre = try ProviderSettings.parse("libretranslate:http://127.0.0.1:5000", model: nil, apiKey: nil).get()
        #expect(libre.kind == .libretranslate && libre.url.port == 5000)
        let llm = try ProviderSettings.parse("openai:https://llm.example:8443/", model: "qwen", apiKey: "k").get()
        #expect(llm.kind == .openai && llm.model == "qwen" && llm.apiKey == "k")
        for bad in ["deepl:http://x", "libretranslate:", "openai:ftp://x", "nothing"] {
            #expect((try? ProviderSettings.parse(bad, model: nil, apiKey: nil).get()) == nil, "\(bad)")
        }
    }
}
