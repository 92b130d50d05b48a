/// The language a text is visibly written in, judged from its letters' scripts, for a text
/// whose claimed language may be wrong: a model asked to answer in Japanese may answer in
/// English. Only a clear contradiction overrides the claim: kana means Japanese, Hangul
/// Korean, Han without kana Chinese (Japanese when claimed), and Latin letters under a claim
/// of Japanese, Korean or Chinese mean Vietnamese (its own letters) or else English. Latin
/// text claimed as English, French or Vietnamese keeps its claim: scripts cannot tell them
/// apart. Mirrored for the pages' `lang` attributes in Web/text.js `writtenLanguage`.
package enum WrittenLanguage {
    package static func of(_ text: String, claimed: String) -> String {
        var kana = 0, hangul = 0, han = 0, latin = 0, vietnamese = 0
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x3040...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F: kana += 1
            case 0xAC00...0xD7AF, 0x1100...0x11FF, 0x3130...0x318F: hangul += 1
            case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0xF900...0xFAFF: han += 1
            case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F: latin += 1
            case 0x1E00...0x1EFF:
                latin += 1
                if scalar.value >= 0x1EA0 { vietnamese += 1 }  // ạ ả ấ … ỹ: Vietnamese tone marks
            default: break
            }
            switch scalar { case "đ", "Đ", "ơ", "Ơ", "ư", "Ư", "ă", "Ă": vietnamese += 1
            default: break
            }
        }
        let letters = kana + hangul + han + latin
        guard letters > 0 else { return claimed }
        let primary = LanguageTag.primary(claimed)
        if kana * 10 >= letters, (kana + han) * 2 >= letters { return primary == "ja" ? claimed : "ja" }
        if hangul * 2 >= letters { return primary == "ko" ? claimed : "ko" }
        if han * 2 >= letters { return ["ja", "zh"].contains(primary) ? claimed : "zh" }
        if latin * 2 >= letters, ["ja", "ko", "zh"].contains(primary) { return vietnamese > 0 ? "vi" : "en" }
        return claimed
    }
}
