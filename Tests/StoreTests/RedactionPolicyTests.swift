import Testing
import HashChain

@testable import Store

/// Which events an erasure and retention change, decided once for both stores.
@Suite struct RedactionPolicyTests {
    typealias C = RedactionPolicy.Candidate

    static let events = [
        C(seq: 1, sender: "stf_officer", kind: "joined", target: nil),
        C(seq: 2, sender: "inv_kenji", kind: "joined", target: nil),
        C(seq: 3, sender: "inv_kenji", kind: "message", target: nil),
        C(seq: 4, sender: "stf_officer", kind: "moderation", target: "inv_kenji"),
        C(seq: 5, sender: "stf_officer", kind: "message", target: nil),
        // Only a moderation event's target names someone.
        C(seq: 6, sender: "stf_officer", kind: "message", target: "inv_kenji"),
    ]

    @Test func anErasureTakesTheirEventsAndTheModerationsOfThem() {
        let scopes = Self.events.map { RedactionPolicy.erasure(of: "inv_kenji", $0) }
        #expect(scopes == [nil, .person, .person, .person, nil, nil])
    }

    @Test func retentionErasesInvestorsEverywhereTheyAreNamedAndClearsTheRestsText() {
        let scopes = Self.events.map { RedactionPolicy.retention(investors: ["inv_kenji"], $0) }
        #expect(scopes == [.text, .person, .person, .person, .text, .text])
    }

    @Test func aDamagedEventIsReportedNotThrown() throws {
        #expect(try RedactionPolicy.retentionOutcome { true } == .changed)
        #expect(try RedactionPolicy.retentionOutcome { false } == .unchanged)
        let damaged = try RedactionPolicy.retentionOutcome { () throws -> Bool in
            throw StoreError.conflict("event 5 of session ses_a does not match its hash; it was not redacted")
        }
        #expect(damaged == .damaged("event 5 of session ses_a does not match its hash; it was not redacted"))
        #expect(throws: StoreError.self) {
            _ = try RedactionPolicy.retentionOutcome { () throws -> Bool in throw StoreError.writeFailed("disk full") }
        }
        #expect(
            RedactionPolicy.retentionReason(changed: 4, damaged: [5, 9])
                == "retention: 4 events cleared; left as they were (they do not match their hash): 5, 9")
        #expect(RedactionPolicy.retentionReason(changed: 4, damaged: []) == "retention: 4 events cleared")
    }
}
