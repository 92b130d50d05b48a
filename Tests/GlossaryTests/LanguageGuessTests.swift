import Testing

@testable import Glossary

@Suite("Language of a message")
struct LanguageGuessTests {
    @Test func theDeclaredLanguageStandsForTextInItsScript() {
        #expect(LanguageGuess.language(of: "Hello, what land is available?", declared: "en") == "en")
        #expect(LanguageGuess.language(of: "Bonjour, quels terrains sont disponibles ?", declared: "en") == "en")
        #expect(LanguageGuess.language(of: "工業団地の賃料はいくらですか", declared: "ja") == "ja")
        #expect(LanguageGuess.language(of: "経済特区", declared: "ja") == "ja")
        #expect(LanguageGuess.language(of: "ok", declared: "ko") == "ko")
    }

    @Test func anObviousMismatchIsCorrected() {
        #expect(LanguageGuess.language(of: "산업단지에 투자하고 싶습니다", declared: "en") == "ko")
        #expect(LanguageGuess.language(of: "ヴァンドン経済特区にハイテクゾーンを設ける計画はありますか", declared: "en") == "ja")
        #expect(LanguageGuess.language(of: "我们想在工业园区投资", declared: "vi") == "zh")
        #expect(LanguageGuess.language(of: "Tôi muốn thuê đất ở khu công nghiệp", declared: "ja") == "vi")
        #expect(LanguageGuess.language(of: "What is the land price in the industrial park?", declared: "zh") == "en")
        #expect(LanguageGuess.language(of: "Quels sont les parcs industriels de la province ?", declared: "ko") == "fr")
    }

    @Test func mixedTextKeepsTheDeclaredLanguage() {
        #expect(LanguageGuess.language(of: "Xin chào 工业园区 Van Don khu công nghiệp", declared: "vi") == "vi")
        #expect(LanguageGuess.language(of: "👍👍👍👍", declared: "fr") == "fr")
    }

    @Test func vietnameseTypedUnderALatinLanguageIsRecognised() {
        // An officer whose console is in English writes Vietnamese.
        #expect(LanguageGuess.language(of: "Kính chào quý vị, khu công nghiệp Sông Khoai có cảng biển gần kề.", declared: "en") == "vi")
        #expect(LanguageGuess.language(of: "Giá thuê đất tại khu công nghiệp là bao nhiêu?", declared: "fr") == "vi")
        // English or French naming Vietnamese places stays as declared.
        #expect(LanguageGuess.language(of: "Vân Đồn, Hạ Long and Cẩm Phả are close to the port.", declared: "en") == "en")
        #expect(LanguageGuess.language(of: "Le parc de Đông Mai est près de Hạ Long.", declared: "fr") == "fr")
        // Too little to tell.
        #expect(LanguageGuess.language(of: "Vân Đồn", declared: "en") == "en")
        #expect(LanguageGuess.language(of: "Bonjour, quels terrains sont disponibles ?", declared: "en") == "en")
    }
}
