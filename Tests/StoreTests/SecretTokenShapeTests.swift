import Testing

@testable import Store

@Suite struct SecretTokenShapeTests {
    @Test func tokensAndCodesTheServerMakesAreWellFormed() {
        for _ in 0..<50 {
            #expect(SecretToken.isWellFormed(SecretToken.staffToken()))
            #expect(SecretToken.isWellFormed(SecretToken.inviteCode()))
        }
    }

    @Test(arguments: [
        "", "dst_", "dst_x", "dst_" + String(repeating: "A", count: 42), "dst_" + String(repeating: "A", count: 44),
        "dst_" + String(repeating: "+", count: 43), String(repeating: "a", count: 31), String(repeating: "a", count: 33),
        String(repeating: "Q", count: 32), String(repeating: "1", count: 32), "dst_" + String(repeating: "é", count: 43),
    ])
    func anythingElseIsRefusedWithoutALookUp(_ token: String) {
        #expect(!SecretToken.isWellFormed(token))
    }
}
