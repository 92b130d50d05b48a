import Testing

@testable import AgentPacks

@Suite("JSON source map")
struct JSONSourceMapTests {
    private func map(_ text: String) throws -> JSONSourceMap {
        try JSONSourceMap(Array(text.utf8))
    }

    @Test("records the line of every key and array element")
    func lines() throws {
        let map = try map("{\n\"a\": {\n  \"b\": [\n 1,\n {\"c\": 2}\n ]\n},\n\"d\\u00e9\": null\n}")
        #expect(map.line(of: ["a"]) == 2)
        #expect(map.line(of: ["a", "b"]) == 3)
        #expect(map.line(of: ["a", "b", "0"]) == 4)
        #expect(map.line(of: ["a", "b", "1", "c"]) == 5)
        #expect(map.line(of: ["dé"]) == 8)
        #expect(map.line(of: ["a", "missing"]) == 2)
        #expect(map.line(of: ["missing"]) == nil)
    }

    @Test("accepts what RFC 8259 accepts")
    func accepts() throws {
        for text in [
            "{}", "[]", "\u{FEFF}{}", " \"x\" ", "-0.5e+10", "[true,false,null]",
            #"{"s":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}"#,
        ] {
            #expect(throws: Never.self, "\(text)") { try map(text) }
        }
    }

    @Test("keys are compared after unescaping, so escaped duplicates are found")
    func escapedDuplicate() throws {
        let error = try #require(throws: JSONSourceMap.SyntaxError.self) {
            try map("{\"é\": 1,\n \"\\u00e9\": 2}")
        }
        #expect(error.reason == "duplicate key \"é\"")
        #expect(error.line == 2)
    }

    @Test("the line of a byte offset")
    func offsetLine() {
        let bytes = Array("a\nb\nc".utf8)
        #expect(JSONSourceMap.line(ofOffset: 0, in: bytes) == 1)
        #expect(JSONSourceMap.line(ofOffset: 2, in: bytes) == 2)
        #expect(JSONSourceMap.line(ofOffset: 4, in: bytes) == 3)
    }
}
