import Testing

@testable import Glossary

/// The check a person's translation gets: every concept of the original in its approved form.
@Suite("Glossary check of a typed translation")
struct TranslationCheckTests {
    let glossary: Glossary

    init() throws {
        glossary = try Glossary(tsv: sampleTSV)
    }

    @Test func everyConceptOfTheOriginalMustAppearInItsApprovedForm() {
        let hits = glossary.terms(in: "ヴァンドンの工業団地について教えてください", language: "ja")
        #expect(hits.count == 2)
        #expect(glossary.keepsTerms(hits, in: "Xin cho biết về khu công nghiệp ở Vân Đồn.", language: "vi"))
        // Case and normalisation do not count (NFD Vân Đồn, capitals).
        #expect(
            glossary.keepsTerms(
                hits, in: "KHU CÔNG NGHIỆP ở V\u{61}\u{302}n \u{110}o\u{302}\u{300}n", language: "vi"))
        // A variant, a form without its diacritics, or a missing concept does not keep the glossary.
        #expect(!glossary.keepsTerms(hits, in: "Xin cho biết về KCN ở Vân Đồn.", language: "vi"))
        #expect(!glossary.keepsTerms(hits, in: "Xin cho biết về khu công nghiệp ở Van Don.", language: "vi"))
        #expect(!glossary.keepsTerms(hits, in: "Xin cho biết về khu công nghiệp.", language: "vi"))
    }

    @Test func anOriginalWithoutTermsKeepsTheGlossaryWhateverTheTranslation() {
        #expect(glossary.keepsTerms([], in: "Cảm ơn.", language: "vi"))
    }

    @Test func theReaderLanguageDecidesTheForm() {
        let hits = glossary.terms(in: "khu công nghiệp", language: "vi")
        #expect(glossary.keepsTerms(hits, in: "À propos du parc industriel", language: "fr"))
        #expect(!glossary.keepsTerms(hits, in: "À propos du parc industriel", language: "en"))
    }
}
