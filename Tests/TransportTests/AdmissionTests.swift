import Testing

@testable import Transport

/// Origins, framing and connection admission: the transport's decisions, without sockets.
@Suite struct AdmissionTests {
    @Test func onlyTheServersOwnPagesAndAllowedOriginsOpenWebSockets() {
        let policy = OriginPolicy(allowed: ["https://partner.example"], publicURL: "https://meet.example.gov/base")
        #expect(policy.refusal(origin: nil, host: "x") == nil)  // not a browser page
        #expect(policy.refusal(origin: "http://127.0.0.1:8080", host: "127.0.0.1:8080") == nil)
        #expect(policy.refusal(origin: "https://meet.example.gov", host: "10.0.0.5:8080") == nil)
        #expect(policy.refusal(origin: "https://MEET.example.gov:443", host: "internal") == nil)
        #expect(policy.refusal(origin: "https://partner.example", host: "internal") == nil)
        // A TLS proxy: the page is https, the request arrives with the same Host over http.
        #expect(policy.refusal(origin: "https://app.example", host: "app.example") == nil)
        #expect(policy.refusal(origin: "https://app.example", host: "app.example:443") == nil)
        #expect(policy.refusal(origin: "https://evil.example", host: "127.0.0.1:8080") != nil)
        #expect(policy.refusal(origin: "http://127.0.0.1:9999", host: "127.0.0.1:8080") != nil)
        #expect(policy.refusal(origin: "null", host: "127.0.0.1:8080") != nil)
        #expect(policy.refusal(origin: "https://meet.example.gov.evil.example", host: "x") != nil)
        #expect(OriginPolicy().refusal(origin: "https://evil.example", host: nil) != nil)
    }

    @Test func oneDecimalContentLengthIsTheOnlyFraming() {
        #expect(RequestFraming.judge(transferEncoding: nil, contentLengths: []) == .length(0))
        #expect(RequestFraming.judge(transferEncoding: nil, contentLengths: ["42"]) == .length(42))
        #expect(RequestFraming.judge(transferEncoding: nil, contentLengths: [" 7 "]) == .length(7))
        guard case .refused(501, _) = RequestFraming.judge(transferEncoding: "chunked", contentLengths: ["5"]) else {
            Issue.record("Transfer-Encoding accepted"); return
        }
        for lengths in [["5", "5"], ["5", "6"], ["5, 6"], ["+5"], ["-1"], ["0x10"], ["5 6"], [""], ["99999999999999999999"]] {
            guard case .refused(400, _) = RequestFraming.judge(transferEncoding: nil, contentLengths: lengths) else {
                Issue.record("accepted \(lengths)"); continue
            }
        }
    }

    @Test func connectionsAreCappedInAllAndPerAddress() {
        var limits = ConnectionLimits(maxConnections: 3, maxPerAddress: 2, bodyBudget: 100)
        func connect(_ address: String?) -> ConnectionLimits.Admission {
            limits.accepted()
            let admission = limits.admit(address: address)
            if admission != .admitted { limits.released(address: nil) }  // refused: answered and closed
            return admission
        }
        #expect(connect("a") == .admitted)
        #expect(connect("a") == .admitted)
        #expect(connect("a") == .addressFull)
        #expect(connect("b") == .admitted)
        #expect(limits.total == 3)
        #expect(connect("c") == .serverFull)
        #expect(connect(nil) == .serverFull)
        #expect(limits.total == 3)
        limits.released(address: "a")
        #expect(limits.perAddress["a"] == 1 && limits.total == 2)
        #expect(connect(nil) == .admitted)  // a proxy's connection: in the total only
        #expect(limits.perAddress.values.reduce(0, +) == 2)
        limits.uncount(address: "b")
        #expect(limits.perAddress["b"] == nil)
        #expect(!limits.refusesAccept())
        for _ in 0..<ConnectionLimits.answeredOverflow { limits.accepted() }
        #expect(limits.refusesAccept())
    }

    @Test func theBodyBudgetIsReservedAndGivenBack() {
        var limits = ConnectionLimits(maxConnections: 1, maxPerAddress: 1, bodyBudget: 100)
        do { let r = limits.reserveBody(60); #expect(r) }
        do { let r = limits.reserveBody(41); #expect(!r) }
        do { let r = limits.reserveBody(40); #expect(r) }
        limits.releaseBody(60)
        do { let r = limits.reserveBody(60); #expect(r && limits.bodyReserved == 100) }
        do { let r = limits.reserveBody(-1); #expect(!r) }
    }

    @Test func refusalsAreValidJSON() {
        #expect(JSONText.error(code: "x", message: "a \"b\" \\ \n\u{1}") == #"{"error":{"code":"x","message":"a \"b\" \\ \n\u0001"}}"#)
    }
}
