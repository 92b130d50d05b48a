import Foundation
import Testing

@testable import Glossary

/// A small glossary in the six languages, with the cases the matcher must get right.
let sampleTSV = """
    id\tkeep\tvi\ten\tfr\tja\tko\tzh\tnote
    industrial-park\t\tkhu công nghiệp|KCN\tindustrial park|industrial zone\tparc industriel|zone industrielle\t工業団地\t산업단지|공단\t工业园区|工业园\t
    economic-zone\t\tkhu kinh tế|KKT\teconomic zone\tzone économique\t経済区\t경제구역\t经济区\t
    special-economic-zone\t\tkhu kinh tế đặc biệt|đặc khu kinh tế\tspecial economic zone|SEZ\tzone économique spéciale\t経済特区\t경제특구\t经济特区\t
    van-don-sez\t1\tKhu kinh tế Vân Đồn\tVan Don Economic Zone\tzone économique de Van Don\tヴァンドン経済区\t번돈 경제구역\t云屯经济区\t
    van-don\t1\tVân Đồn\tVan Don\tVan Don\tヴァンドン|バンドン\t번돈|반돈\t云屯\tplace
    quang-ninh\t1\tQuảng Ninh\tQuang Ninh\tQuang Ninh\tクアンニン\t꽝닌\t广宁\t
    ha-noi\t1\tHà Nội\tHanoi|Ha Noi\tHanoï\tハノイ\t하노이\t河内\t
    land-lease\t\tthuê đất\tland lease|land rental\tlocation de terrain|bail foncier\t土地賃借\t토지 임대\t土地租赁\t
    land-tax\t\tthuế đất\tland tax\ttaxe foncière\t土地税\t토지세\t土地税\t
    seaport\t\tcảng biển\tseaport|port\tport maritime|port\t港湾\t항만\t海港\t
    skoda\t1\tSkoda Kushaq\tSkoda Kushaq\tSkoda Kushaq\t\t\t\tcar model
    d-only\t1\t\t\tDéfense\t\t\t\tfr only name
    no-ja-concept\t\tnghị quyết\tresolution\trésolution\t\t결의\t决议\tno ja form
    """

@Suite("Term matcher")
struct TermMatcherTests {
    let glossary: Glossary

    init() throws {
        glossary = try Glossary(tsv: sampleTSV)
    }

    /// `(text as written, concept id)` of every hit.
    func found(_ text: String, language: String? = nil) -> [String] {
        glossary.terms(in: text, language: language).map { "\($0.text)=\(glossary.concepts[$0.conceptIndex].id)" }
    }

    @Test func findsTermsWithoutDiacriticsOrCase() {
        #expect(found("Tôi muốn đầu tư vào khu công nghiệp ở Vân Đồn") == [
            "khu công nghiệp=industrial-park", "Vân Đồn=van-don",
        ])
        #expect(found("VAN DON and khu cong nghiep") == ["VAN DON=van-don", "khu cong nghiep=industrial-park"])
        #expect(found("quang ninh, QUẢNG NINH, Quảng ninh").count == 3)
        #expect(found("KCN Đông Mai") == ["KCN=industrial-park"])
    }

    @Test func anAmbiguousFoldedSpellingNeedsTheExactOne() {
        #expect(found("giá thuê đất") == ["thuê đất=land-lease"])
        #expect(found("giá thuế đất") == ["thuế đất=land-tax"])
        #expect(found("THUẾ ĐẤT") == ["THUẾ ĐẤT=land-tax"])
        #expect(found("gia thue dat bao nhieu") == [])
    }

    @Test func longestMatchWins() {
        #expect(found("Khu kinh tế Vân Đồn") == ["Khu kinh tế Vân Đồn=van-don-sez"])
        #expect(found("khu kinh tế đặc biệt") == ["khu kinh tế đặc biệt=special-economic-zone"])
        #expect(found("một khu kinh tế") == ["khu kinh tế=economic-zone"])
        #expect(found("the Van Don Economic Zone") == ["Van Don Economic Zone=van-don-sez"])
    }

    @Test func wordBoundariesForSpacedScripts() {
        #expect(found("see the report") == [])
        #expect(found("a port, a seaport") == ["port=seaport", "seaport=seaport"])
        #expect(found("KCNs") == [])
        #expect(found("Van Don's port") == ["Van Don=van-don", "port=seaport"])
        #expect(found("(Hanoi)") == ["Hanoi=ha-noi"])
    }

    @Test func frenchWithOrWithoutAccentsAndAnyApostrophe() {
        #expect(found("La zone economique spéciale de Van Don") == ["zone economique spéciale=special-economic-zone", "Van Don=van-don"])
        #expect(found("le PARC INDUSTRIEL d’Hanoï") == ["PARC INDUSTRIEL=industrial-park", "Hanoï=ha-noi"])
        #expect(found("la résolution, la resolution") == ["résolution=no-ja-concept", "resolution=no-ja-concept"])
        #expect(found("location de terrain à Hanoï") == ["location de terrain=land-lease", "Hanoï=ha-noi"])
        // "Hanoi" (English) and "Hanoï" (French) are one concept; apostrophes do not join words.
        #expect(found("l'Hanoi d'aujourd'hui") == ["Hanoi=ha-noi"])
    }

    @Test func chineseAndJapaneseNeedNoSpaces() {
        #expect(found("我们想在云屯经济特区投资工业园区") == ["云屯=van-don", "经济特区=special-economic-zone", "工业园区=industrial-park"])
        #expect(found("ヴァンドン経済特区にハイテクゾーンを") == ["ヴァンドン=van-don", "経済特区=special-economic-zone"])
        #expect(found("バンドンの工業団地") == ["バンドン=van-don", "工業団地=industrial-park"])
        #expect(found("工业园很大") == ["工业园=industrial-park"])
    }

    @Test func koreanMatchesOnSyllableBlocks() {
        #expect(found("꽝닌 산업단지에 투자") == ["꽝닌=quang-ninh", "산업단지=industrial-park"])
        #expect(found("하노이는 수도입니다") == ["하노이=ha-noi"])
        #expect(found("국가산업단지") == ["산업단지=industrial-park"])
        // 하노이 is a prefix of 하노인 letter by letter (이 + ㄴ = 인), but not a whole syllable.
        #expect(found("하노인") == [])
        #expect(found("하노이인") == ["하노이=ha-noi"])
    }

    @Test func offsetsAreUTF16AndTextIsAsWritten() {
        let text = "🏭 Vân Đồn 🚢 cảng biển"
        let hits = glossary.terms(in: text)
        #expect(hits.count == 2)
        let utf16 = Array(text.utf16)
        for hit in hits {
            #expect(String(decoding: utf16[hit.start..<hit.end], as: UTF16.self) == hit.text)
        }
        #expect(hits[0].start == 3)
        #expect(hits[0].end == 10)
    }

    @Test func decomposedVietnameseInput() {
        let nfd = "khu công nghiệp Vân Đồn".decomposedForTest
        #expect(nfd.unicodeScalars.count > "khu công nghiệp Vân Đồn".unicodeScalars.count)
        let hits = glossary.terms(in: nfd)
        #expect(hits.map { glossary.concepts[$0.conceptIndex].id } == ["industrial-park", "van-don"])
        let utf16 = Array(nfd.utf16)
        for hit in hits {
            #expect(String(decoding: utf16[hit.start..<hit.end], as: UTF16.self) == hit.text)
        }
        #expect(hits.last?.end == utf16.count)
        // The exact spelling test works on NFD too.
        #expect(found("thuế đất".decomposedForTest).count == 1)
        #expect(found("thuê đất".decomposedForTest).first?.hasSuffix("=land-lease") == true)
    }

    @Test func widthFoldingForFullWidthAndHalfWidthForms() {
        #expect(found("ＶＡＮ　ＤＯＮ") == ["ＶＡＮ　ＤＯＮ=van-don"])
        #expect(found("ﾊﾞﾝﾄﾞﾝ") == ["ﾊﾞﾝﾄﾞﾝ=van-don"])
    }

    @Test func mixedScriptsAndEmoji() {
        #expect(
            found("Chúng tôi muốn đầu tư vào 工业园区 at Van Don 👍 và thuê đất")
                == ["工业园区=industrial-park", "Van Don=van-don", "thuê đất=land-lease"])
        #expect(found("👍👍👍") == [])
    }

    @Test func spacesInsideATermMayBeRunsOrOtherSpaces() {
        #expect(found("khu  công\u{00A0}nghiệp") == ["khu  công\u{00A0}nghiệp=industrial-park"])
        #expect(found("industrial\npark") == ["industrial\npark=industrial-park"])
    }

    @Test func emptyAndLargeMessages() {
        #expect(found("") == [])
        #expect(found("   ") == [])
        let big = String(repeating: "Investors visit the Van Don industrial park. ", count: 1500)
        #expect(big.utf8.count > 64 * 1024)
        let hits = glossary.terms(in: big)
        #expect(hits.count == 3000)
        #expect(hits.last?.end ?? 0 <= big.utf16.count)
    }

    @Test func theMessageLanguageBreaksTiesAcrossLanguages() {
        // "port" is an English variant of seaport and a French one too: same concept, no tie.
        #expect(found("port", language: "fr") == ["port=seaport"])
    }

    @Test func approvedFormsPerReaderLanguage() throws {
        let park = try #require(glossary.concepts.firstIndex { $0.id == "industrial-park" })
        #expect(glossary.approvedForm(of: park, for: "ja") == "工業団地")
        #expect(glossary.approvedForm(of: park, for: "ko") == "산업단지")
        #expect(glossary.approvedForm(of: park, for: "en") == "industrial park")
        #expect(glossary.approvedForm(of: park, for: "zh-Hans") == "工业园区")
        // A language without a column: English for a term.
        #expect(glossary.approvedForm(of: park, for: "de") == "industrial park")
        let skoda = try #require(glossary.concepts.firstIndex { $0.id == "skoda" })
        #expect(glossary.approvedForm(of: skoda, for: "ja") == "Skoda Kushaq")
        // keep: the reader's column, else vi, else the first form.
        let defense = try #require(glossary.concepts.firstIndex { $0.id == "d-only" })
        #expect(glossary.approvedForm(of: defense, for: "ko") == "Défense")
        let vanDon = try #require(glossary.concepts.firstIndex { $0.id == "van-don" })
        #expect(glossary.approvedForm(of: vanDon, for: "de") == "Vân Đồn")
        #expect(glossary.approvedForm(of: vanDon, for: "ja") == "ヴァンドン")
        let resolution = try #require(glossary.concepts.firstIndex { $0.id == "no-ja-concept" })
        #expect(glossary.approvedForm(of: resolution, for: "ja") == "resolution")
    }
}

extension String {
    /// NFD, the way some keyboards and macOS file names produce Vietnamese.
    var decomposedForTest: String { decomposedStringWithCanonicalMapping }
}
