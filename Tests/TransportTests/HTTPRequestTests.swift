import Testing

@testable import Transport

/// How the transport reads a request's query from the fragments lws hands over.
@Suite struct HTTPRequestTests {
    func items(_ fragments: [String]) -> [String] {
        HTTPRequest.queryItems(fromFragments: fragments).map { "\($0.name)|\($0.value)" }
    }

    @Test func fragmentsSplitAtTheFirstEquals() {
        #expect(items(["q=land lease", "k=5", "flag", "", "a=b=c", "=v"]) == ["q|land lease", "k|5", "flag|", "a|b=c", "|v"])
    }

    /// Found by fuzz-http (Tests/fuzz/http/regressions/query-equals-then-combining-mark):
    /// `=` followed by a combining mark is one Character, so `?q=%CC%81land` was read as a
    /// parameter named "q=́land" with no value, and the search answered 400 "q is required".
    @Test func equalsFollowedByACombiningMarkStillSplits() {
        #expect(items(["q=\u{301}land", "lang=\u{20DD}"]) == ["q|\u{301}land", "lang|\u{20DD}"])
        let request = HTTPRequest(
            id: ConnectionID(raw: 1), method: "GET", path: "/v1/search", queryFragments: ["q=\u{301}x"], headers: [:],
            body: [], peer: "127.0.0.1")
        #expect(request.queryValue("q").map { Array($0.unicodeScalars) } == ["\u{301}", "x"])
    }
}
