import Testing

@testable import Dialogue

/// Parses `text`, failing the test with the parser's reason when it is refused.
private func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

/// Whether the parser refuses `bytes`.
private func refuses(_ bytes: [UInt8]) -> Bool {
    do {
        _ = try JSONParser.parse(bytes)
        return false
    } catch {
        return true
    }
}

private func refuses(_ text: String) -> Bool { refuses(Array(text.utf8)) }

@Suite struct JSONParserTests {
    @Test func scalarsAtTopLevel() throws {
        #expect(try parse("null") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse("\"hi\"") == .string("hi"))
        #expect(try parse("\"\"") == .string(""))
        #expect(try parse("0") == .int(0))
        #expect(try parse(" \t\r\n 42 \n") == .int(42))
    }

    @Test func containers() throws {
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object([:]))
        #expect(try parse("[ ]") == .array([]))
        #expect(try parse("{ }") == .object([:]))
        #expect(try parse("[1, \"a\", null, true, [false], {\"k\": []}]") == [1, "a", nil, true, [false], ["k": []]])
        let object = try parse(#"{"a": 1, "b": {"c": [1, 2, {"d": "e"}]}, "f": null}"#)
        #expect(object == ["a": 1, "b": ["c": [1, 2, ["d": "e"]]], "f": nil])
        #expect(object["b"]?["c"]?.arrayValue?.count == 3)
        #expect(object["missing"] == nil)
    }

    @Test func integersAreKeptApartFromDoubles() throws {
        #expect(try parse("7") == .int(7))
        #expect(try parse("-7") == .int(-7))
        #expect(try parse("-0") == .int(0))
        #expect(try parse("9223372036854775807") == .int(.max))
        #expect(try parse("-9223372036854775808") == .int(.min))
        #expect(try parse("7.0") == .double(7))
        #expect(try parse("7.25") == .double(7.25))
        #expect(try parse("-0.5") == .double(-0.5))
        #expect(try parse("1e2") == .double(100))
        #expect(try parse("1E+2") == .double(100))
        #expect(try parse("25e-2") == .double(0.25))
        #expect(try parse("0.1e1") == .double(1))
        // Beyond Int64 the value survives as a double rather than being refused.
        #expect(try parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try parse("7.0").intValue == 7)
        #expect(try parse("7.5").intValue == nil)
    }

    @Test func malformedNumbersAreRefused() {
        for text in [
            "01", "-01", "00", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "1.2.3", "--1", "1e400", "Infinity", "NaN",
            "[01]",
        ] {
            #expect(refuses(text), "should refuse \(text)")
        }
    }

    @Test func stringEscapes() throws {
        #expect(try parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{8}\u{C}\n\r\t"))
        #expect(try parse(#""\u0041\u00e9\u00E9\u4e2d""#) == .string("Aéé中"))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
        #expect(try parse(#""a\u0020b""#) == .string("a b"))
        // A surrogate pair becomes one scalar.
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse(#""x\uD83D\uDE00y""#) == .string("x😀y"))
        #expect(try parse(#""\uDBFF\uDFFF""#).stringValue?.unicodeScalars.first?.value == 0x10FFFF)
        // Raw UTF-8 passes through, with and without escapes around it.
        #expect(try parse("\"Vân Đồn 😀\"") == .string("Vân Đồn 😀"))
        #expect(try parse("\"Vân\\nĐồn\"") == .string("Vân\nĐồn"))
        #expect(try parse("\"\u{7F}\"") == .string("\u{7F}"))
    }

    @Test func loneSurrogatesAreRefused() {
        for text in [
            #""\ud800""#, #""\udc00""#, #""\ud800x""#, #""\ud800\u0041""#, #""\ud800\ud800""#, #""\ude00\ud83d""#,
            #""\ud83d\n""#, #""\ud83d\""#,
        ] {
            #expect(refuses(text), "should refuse \(text)")
        }
    }

    @Test func invalidEscapesAreRefused() {
        for text in [
            #""\x41""#, #""\'""#, #""\a""#, #""\u12""#, #""\u12G4""#, #""\U0041""#, #""\"#, #""\u""#, "\"\\\u{e9}\"",
        ] {
            #expect(refuses(text), "should refuse \(text)")
        }
    }

    @Test func controlCharactersInStringsAreRefused() {
        for byte in UInt8(0)..<0x20 {
            #expect(refuses([0x22, byte, 0x22]), "raw control \(byte)")
            // Also after an escape, on the slow path.
            #expect(refuses([0x22, 0x5C, 0x6E, byte, 0x22]), "raw control \(byte) after an escape")
        }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(refuses([0x22, 0xFF, 0x22]))
        #expect(refuses([0x22, 0xC3, 0x22]))  // truncated sequence
        #expect(refuses([0x22, 0xED, 0xA0, 0x80, 0x22]))  // a surrogate encoded in UTF-8
        #expect(refuses([0x22, 0xC0, 0xAF, 0x22]))  // overlong
        #expect(refuses([0x22, 0x5C, 0x6E, 0xFF, 0x22]))
        #expect(refuses([0xEF, 0xBB, 0xBF] + Array("{}".utf8)))  // byte order mark
    }

    @Test func trailingCommasAreRefused() {
        for text in ["[1,]", "[1,,2]", "[,1]", #"{"a":1,}"#, #"{,"a":1}"#, "[,]", "{,}"] {
            #expect(refuses(text), "should refuse \(text)")
        }
    }

    @Test func commentsAreRefused() {
        for text in ["// c\n{}", "{} // c", "/* c */ {}", #"{"a": /* c */ 1}"#, "[1 # c\n]"] {
            #expect(refuses(text), "should refuse \(text)")
        }
    }

    @Test func trailingGarbageIsRefused() {
        for text in ["{} x", "{}{}", "1 2", "truex", "nulll", "\"a\"\"b\"", "[]]", "{}}", "0 0", "[1] ,"] {
            #expect(refuses(text), "should refuse \(text)")
        }
    }

    @Test func otherMalformedDocumentsAreRefused() {
        for text in [
            "", "   ", "tru", "nul", "True", "NULL", "[1", "[1 2]", #"{"a" 1}"#, #"{"a":}"#, #"{a:1}"#, #"{'a':1}"#,
            "'a'", #""abc"#, #"{"a":1"#, "{\"a\"", "[", "{", "]", "}",
        ] {
            #expect(refuses(text), "should refuse \(text.debugDescription)")
        }
    }

    @Test func duplicateKeysAreRefused() {
        #expect(refuses(#"{"a":1,"a":1}"#))
        #expect(refuses(#"{"a":1,"b":2,"a":3}"#))
        #expect(refuses(#"{"a":1,"\u0061":2}"#))
        #expect(refuses(#"{"x":{"a":1,"a":2}}"#))
        // The same key in different objects is fine.
        #expect(!refuses(#"{"a":{"a":1},"b":[{"a":1},{"a":2}]}"#))
    }

    /// "é" (U+00E9) and "e" + U+0301 are distinct names for RFC 8259, but canonically
    /// equivalent: our object model would merge them, so the parser refuses such a
    /// document as a duplicate instead of silently losing a member (docs/transcripts.md).
    @Test func canonicallyEquivalentKeysAreRefusedNotMerged() throws {
        #expect(refuses(#"{"\u00e9":1,"e\u0301":2}"#))
        let single = try parse(#"{"e\u0301":2}"#)
        #expect(single.objectValue?.keys.first.map { Array($0.unicodeScalars) } == ["e", "\u{0301}"])
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let depth = JSONParser.maximumDepth
        #expect(depth == 64)
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(!refuses(arrays))
        let objects = String(repeating: "{\"a\":", count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
        #expect(!refuses(objects))
        let mixed = String(repeating: "[{\"k\":", count: depth / 2) + "1" + String(repeating: "}]", count: depth / 2)
        #expect(!refuses(mixed))
    }

    @Test func nestingOverTheLimitIsRefused() {
        let depth = JSONParser.maximumDepth + 1
        #expect(refuses(String(repeating: "[", count: depth) + String(repeating: "]", count: depth)))
        #expect(
            refuses(String(repeating: "{\"a\":", count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)))
        // Very deep input is refused without recursing into it (no stack overflow).
        #expect(refuses(String(repeating: "[", count: 100_000)))
    }

    @Test func errorsCarryTheOffset() {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse("[1,]") }
        do {
            _ = try JSONParser.parse("[1,]")
        } catch {
            #expect(error.offset == 3)
            #expect(error.description.contains("at byte 3"))
        }
        do {
            _ = try JSONParser.parse("{} x")
        } catch {
            #expect(error.offset == 3)
        }
    }
}

@Suite struct JSONParserIntegersOnlyTests {
    @Test(arguments: ["1.5", "2.0", "1e3", "1E+2", "-0.0", "[0,1.25]", #"{"a":{"b":[7e-1]}}"#, "9223372036854775808"])
    func fractionsExponentsAndOverflowAreRefused(text: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(text, integersOnly: true) }
        // The lenient reading (stored events of older versions) still takes them.
        #expect((try? JSONParser.parse(text)) != nil)
    }

    @Test func integersPass() throws {
        #expect(try JSONParser.parse("[0,-7,9223372036854775807]", integersOnly: true) == [0, -7, .int(.max)])
    }
}
