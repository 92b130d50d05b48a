extension HTTPRequest {
    /// A request from the parts lws hands the HTTP callback, the query as its URL-decoded
    /// `&`-separated fragments. Pure, so that the transport's reading of a request is
    /// unit-tested and fuzzed (Tests/fuzz/http) off the lws thread.
    package init(
        id: ConnectionID, method: String, path: String, queryFragments: [String], headers: [String: String],
        body: [UInt8], peer: String
    ) {
        self.init(
            id: id, method: method, path: path, query: Self.queryItems(fromFragments: queryFragments), headers: headers,
            body: body, peer: peer)
    }

    /// Query arguments from fragments: `name=value` split at the first `=`, a bare `name`
    /// with an empty value, empty fragments dropped.
    package static func queryItems(fromFragments fragments: [String]) -> [(name: String, value: String)] {
        fragments.compactMap { pair in
            // The `=` scalar, not Character: `=` and a combining mark after it are one
            // Character, and `q=%CC%81…` was read as a name with no value (found by fuzz-http).
            let scalars = pair.unicodeScalars
            if let equals = scalars.firstIndex(of: "=") {
                return (String(scalars[..<equals]), String(scalars[scalars.index(after: equals)...]))
            }
            return pair.isEmpty ? nil : (pair, "")
        }
    }
}
