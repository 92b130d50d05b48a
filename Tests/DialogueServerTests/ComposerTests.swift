import AgentPacks
import Dialogue
import Foundation
import Retrieval
import Testing

@testable import DialogueServer

/// The extractive composer's decisions, without a server: the shape a question asks for in
/// six languages, quoting the asker's version, saying so when there is none, and handing
/// over to the desk the documents name.
@Suite("Composer")
struct ComposerTests {
    @Test(arguments: [
        ("What industrial parks are being developed?", QuestionForm.Kind.which),
        ("Quels secteurs le programme vise-t-il ?", .which),
        ("Những khu công nghiệp nào đang được xây dựng?", .which),
        ("どの工業団地が開発されていますか？", .which),
        ("어떤 분야가 대상입니까?", .which),
        ("哪些工业园区正在建设？", .which),
        ("How much FDI did Quang Ninh attract?", .howMuch),
        ("Combien de projets ?", .howMuch),
        ("Quảng Ninh thu hút bao nhiêu dự án?", .howMuch),
        ("FDIはいくらですか？", .howMuch),
        ("성장 목표는 몇 퍼센트입니까?", .howMuch),
        ("有多少个项目？", .howMuch),
        ("When did the car plant open?", .when),
        ("クアンニン省の工場はいつ開業しましたか？", .when),
        ("Is Van Don a special zone?", .other),
    ])
    func questionsAreRecognisedInEveryLanguage(question: String, kind: QuestionForm.Kind) {
        #expect(QuestionForm(question).kind == kind)
    }

    @Test func theShapeAskedForIsPreferred() {
        let which = QuestionForm("Which parks?")
        #expect(which.bonus(for: "The parks are Yen Than, Dam Ha B and Dong Mai.", names: 3)
            > which.bonus(for: "Parks need power, water and roads.", names: 0))
        #expect(which.bonus(for: "The province has parks.") == 0)
        let howMuch = QuestionForm("How much?")
        #expect(howMuch.bonus(for: "FDI reached 16.7 billion USD in 2025.") > howMuch.bonus(for: "FDI grew in 2025."))
        #expect(QuestionForm.hasQuantity("累計投資額は167億ドルに達した。"))
        #expect(!QuestionForm.hasQuantity("In 2025 the province grew."))
        // Units match whole words: "ha" is not in "that", "ty" not in "city".
        #expect(!QuestionForm.hasQuantity("Decision 35 says that the city will grow."))
        #expect(QuestionForm.hasQuantity("VinEco covers 106 ha in Hoang Que."))
        #expect(QuestionForm.hasQuantity("La production a augmenté de 32,09 %."))
        // A generic "what" is not a "which".
        #expect(QuestionForm("什么是广宁省的增长目标？").kind != .which)
        #expect(QuestionForm("Quảng Ninh thu hút FDI như thế nào?").kind != .which)
    }

    static let english = PackDocument.synthetic(
        id: "parks.en", title: "Parks", language: "en",
        body: "# Parks\n\nThis sheet is about parks.\n\n## Growth {#growth}\n\n- The sector grows by 22 % a year.\n")
    static let japanese = PackDocument.synthetic(
        id: "parks.ja", title: "工業団地", language: "ja",
        body: "# 工業団地\n\nこの資料は工業団地についてである。\n\n## 成長 {#growth}\n\n- 同部門は年22％成長している。\n")

    static func pack(documents: [PackDocument]) -> AgentPack {
        let manifest = AgentManifest(
            id: "test", languages: ["vi", "en", "ja"], defaultLanguage: "vi", names: ["en": "Assistant"],
            greetings: ["en": "Hello"], notice: ["en": "Recorded"],
            handover: .init(defaultDesk: "front", confidenceFloor: 0.35))
        let desks = [
            ContactDesk(
                id: "front", name: LocalizedText(values: ["en": "Front Desk", "ja": "総合窓口"]),
                role: LocalizedText(values: ["": "Everything"]), organisation: LocalizedText(values: ["": "IPA"]),
                languages: ["en", "ja"], email: "front@ipa.example", phone: "+84 203 000 0000", topics: []),
            ContactDesk(
                id: "parks", name: LocalizedText(values: ["en": "Industrial Parks Desk", "ja": "工業団地窓口"]),
                role: LocalizedText(values: ["": "Plots"]), organisation: LocalizedText(values: ["": "Board"]),
                languages: ["en"], email: nil, topics: []),
        ]
        return AgentPack(
            id: "test", folder: URL(fileURLWithPath: "/nonexistent"), manifest: manifest, contacts: desks,
            documents: documents)
    }

    static func result(_ document: PackDocument, _ passage: String) -> SearchResult {
        SearchResult(
            document: document.id, title: document.title, heading: "", passage: passage, language: document.language,
            score: 1, source: document.source, date: document.date, zone: nil, sector: nil, agent: "test",
            matchedConcepts: 0)
    }

    @Test func theAskersVersionIsQuotedAndCited() {
        let en = Self.english
        let ja = Self.japanese
        let composer = ExtractiveComposer(pack: Self.pack(documents: [en, ja]), glossary: nil)
        let composition = composer.compose(
            question: "How much does the sector grow a year?", language: "ja",
            results: [Self.result(en, "The sector grows by 22 % a year.")])
        #expect(composition.language == "ja")
        #expect(composition.text.hasPrefix("当局の資料には次のように記載されています。"))
        #expect(composition.text.contains("同部門は年22％成長している。"))
        #expect(composition.citations.map(\.document) == ["parks.ja"])
        #expect(composition.citations.first?.passage == "同部門は年22％成長している。")
    }

    @Test func aPackWithoutTheAskersLanguageSaysSoAndQuotesEnglish() {
        let en = Self.english
        let composer = ExtractiveComposer(pack: Self.pack(documents: [en]), glossary: nil)
        let composition = composer.compose(
            question: "How much does the sector grow a year?", language: "ko",
            results: [Self.result(en, "The sector grows by 22 % a year.")])
        #expect(composition.language == "ko")
        #expect(composition.text.hasPrefix("기관 자료에 한국어판이 없어 영어판에서 인용합니다:"))
        #expect(composition.text.contains("The sector grows by 22 % a year."))
        #expect(composition.quotedLanguage == "en")
    }

    @Test func aSentenceThatSendsTheReaderToADeskHandsOver() {
        let body = """
            # Parks

            Intro.

            ## Rents {#rents}

            - Plots and rents in the parks: please ask the Industrial Parks Desk.
            """
        let en = PackDocument.synthetic(id: "rents.en", title: "Rents", language: "en", body: body)
        let composer = ExtractiveComposer(pack: Self.pack(documents: [en]), glossary: nil)
        let composition = composer.compose(
            question: "What are the rents of plots in the parks?", language: "en",
            results: [Self.result(en, "Plots and rents in the parks: please ask the Industrial Parks Desk.")])
        #expect(composition.handover?.desk.id == "parks")
        // A desk name is found whichever apostrophe the sheet uses.
        #expect(ExtractiveComposer.fold("Service d’accueil") == ExtractiveComposer.fold("Service d'accueil"))
        let contact = AssistantPhrases.contact(
            "ja", desk: "総合窓口", organisation: "IPA", email: "front@ipa.example", phone: "+84 203 000 0000")
        // With an address, the desk is mailed the question: the investor is told so.
        #expect(contact == "IPAの総合窓口から改めてご連絡いたします。ご質問は担当窓口に申し伝えております。メール（front@ipa.example）またはお電話（+84 203 000 0000）でもお問い合わせいただけます。")
        let byPhone = AssistantPhrases.contact("en", desk: "Front Desk", organisation: "IPA", email: nil, phone: "+84 1")
        #expect(byPhone == "The Front Desk of the IPA will contact you. You can also call +84 1.")
    }

    @Test func aPhraseGivesEachOtherLanguageItsOwnWording() {
        let body: JSONValue = ["text": "Xin chờ", "language": "vi", "phraseTexts": ["vi": "Xin chờ", "ja": "少々お待ちください"]]
        #expect(ReaderTranslation.phrasebook(body, for: "ja")?["engine"]?.stringValue == "phrasebook")
        #expect(ReaderTranslation.phrasebook(body, for: "vi") == nil)
        #expect(ReaderTranslation.phrasebook(body, for: "ko") == nil)
    }
}
