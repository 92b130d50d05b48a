import Testing

@testable import Dialogue

@Suite struct JSONWriterTests {
    @Test func scalars() {
        #expect(JSONWriter.string(.null) == "null")
        #expect(JSONWriter.string(true) == "true")
        #expect(JSONWriter.string(false) == "false")
        #expect(JSONWriter.string(0) == "0")
        #expect(JSONWriter.string(-42) == "-42")
        #expect(JSONWriter.string(.int(.max)) == "9223372036854775807")
        #expect(JSONWriter.string(.int(.min)) == "-9223372036854775808")
        #expect(JSONWriter.string("") == "\"\"")
        #expect(JSONWriter.string([]) == "[]")
        #expect(JSONWriter.string([:]) == "{}")
    }

    @Test func wholeDoublesAreWrittenAsIntegers() {
        #expect(JSONWriter.string(.double(3)) == "3")
        #expect(JSONWriter.string(.double(-0.0)) == "0")
        #expect(JSONWriter.string(.double(1.5)) == "1.5")
        #expect(JSONWriter.string(.double(.nan)) == "null")
        #expect(JSONWriter.string(.double(.infinity)) == "null")
    }

    @Test func noWhiteSpace() {
        #expect(JSONWriter.string([1, [2, 3], ["a": [true, nil]]]) == #"[1,[2,3],{"a":[true,null]}]"#)
    }

    @Test func keysSortedByUTF16CodeUnits() {
        // U+FF61 is one UTF-16 unit (0xFF61); U+1F600 is a surrogate pair starting 0xD83D.
        // By scalar value U+FF61 comes first; by UTF-16 code units the emoji does.
        #expect("\u{FF61}".unicodeScalars.first!.value < "\u{1F600}".unicodeScalars.first!.value)
        let value: JSONValue = ["\u{FF61}": 1, "\u{1F600}": 2]
        #expect(JSONWriter.string(value) == "{\"\u{1F600}\":2,\"\u{FF61}\":1}")
        // Prefixes first, then ASCII by code unit (upper case before lower case).
        let ascii: JSONValue = ["b": 1, "a": 2, "ab": 3, "B": 4, "": 5, "a b": 6, "_": 7, "1": 8]
        #expect(JSONWriter.string(ascii) == #"{"":5,"1":8,"B":4,"_":7,"a":2,"a b":6,"ab":3,"b":1}"#)
    }

    /// The member-sorting example of RFC 8785 section 3.2.3, compared byte for byte.
    @Test func rfc8785SortingExample() throws {
        let input = #"""
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """#
        let expected =
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\","
            + "\"\u{F6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20AC}\":\"Euro Sign\","
            + "\"\u{1F600}\":\"Emoji: Grinning Face\",\"\u{FB33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        #expect(JSONWriter.bytes(try JSONParser.parse(input)) == Array(expected.utf8))
    }

    @Test func escapesExactlyAsDocumented() {
        #expect(JSONWriter.string("\"") == #""\"""#)
        #expect(JSONWriter.string("\\") == #""\\""#)
        #expect(JSONWriter.string("\u{8}\u{C}\n\r\t") == #""\b\f\n\r\t""#)
        #expect(JSONWriter.string("\u{0}\u{1}\u{B}\u{E}\u{1A}\u{1F}") == #""\u0000\u0001\u000b\u000e\u001a\u001f""#)
        // Everything else as is: solidus, space, DEL, non-ASCII, line separators, emoji.
        let plain = "/ \u{7F}é中\u{2028}\u{2029}😀<>&'"
        #expect(JSONWriter.bytes(.string(plain)) == Array(("\"" + plain + "\"").utf8))
    }

    @Test func everyControlCharacterHasOneEscape() {
        let short: [UInt8: String] = [0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"]
        let hex = Array("0123456789abcdef")
        for byte in UInt8(0)..<0x20 {
            let expected = short[byte] ?? "\\u00" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
            let written = JSONWriter.string(.string(String(UnicodeScalar(byte))))
            #expect(written == "\"" + expected + "\"", "control \(byte)")
        }
    }

    @Test func keysAreEscapedLikeValues() {
        #expect(JSONWriter.string(["a\"b\n": "c\\"]) == #"{"a\"b\n":"c\\"}"#)
    }

    /// A stored event's canonical form, written out by hand.
    @Test func knownDocumentByteForByte() {
        let document: JSONValue = [
            "session": "ses_k3v9q2m4x7c1b8n5", "seq": 3, "kind": "message", "at": "2026-11-26T04:42:30.123Z",
            "from": ["id": "inv_a", "role": "investor", "name": "Kenji \"K\" Sato"],
            "text": "Xin chào\nVân Đồn/😀\t\u{1}", "language": "vi", "clientId": "c-1",
            "citations": [["document": "doc-1", "passage": "…", "score": 1, "ok": true, "none": nil]],
            "\u{FF61}": [], "\u{1F600}": [:],
        ]
        let expected =
            #"{"at":"2026-11-26T04:42:30.123Z","citations":[{"document":"doc-1","none":null,"ok":true,"passage":"…","score":1}],"#
            + #""clientId":"c-1","from":{"id":"inv_a","name":"Kenji \"K\" Sato","role":"investor"},"kind":"message","#
            + #""language":"vi","seq":3,"session":"ses_k3v9q2m4x7c1b8n5","text":"Xin chào\nVân Đồn/😀\t\u0001","#
            + "\"\u{1F600}\":{},\"\u{FF61}\":[]}"
        #expect(JSONWriter.bytes(document) == Array(expected.utf8))
        #expect(JSONWriter.string(document) == expected)
    }

    @Test func roundTripParseWriteParse() throws {
        let texts = [
            #"{"b":[1,2.5,-3,true,false,null],"a":{"z":"\u00e9\ud83d\ude00\n","y":{}},"\uff61":"x","\ud83d\ude00":"y"}"#,
            #"[{"k":"\u0000\u001f\"\\\/"}, [], [[]], "", 0, -0, 1e-3]"#,
            #""\b\f\n\r\t""#,
            "{ \"spaced\" : [ 1 , 2 ] }",
        ]
        for text in texts {
            let first = try JSONParser.parse(text)
            let written = JSONWriter.bytes(first)
            let second = try JSONParser.parse(written)
            #expect(second == first, "\(text)")
            // Writing is a fixed point: the canonical form of the canonical form is itself.
            #expect(JSONWriter.bytes(second) == written, "\(text)")
        }
    }

    @Test func writeAppendsToExistingBytes() {
        var out = Array("prefix:".utf8)
        JSONWriter.write(["a": 1], into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"prefix:{"a":1}"#)
    }
}
