import Dialogue
import Testing

@testable import DialogueServer

/// The barometer's figures from plain values: means, counts, rates, shares and gaps.
@Suite struct BarometerTests {
    func place(_ at: String, _ language: String, desk: String? = nil, zone: String? = nil) -> Barometer.Place {
        Barometer.Place(at: at, language: language, desk: desk, zone: zone)
    }

    @Test func groupsByMonthWithMeansCountsAndRates() {
        let invited = [
            place("2026-10-03T09:00:00Z", "ja"), place("2026-10-20T09:00:00Z", "ko"), place("2026-11-02T09:00:00Z", "ja"),
            place("2026-11-05T09:00:00Z", "en"),
        ]
        let responses = [
            Barometer.Response(place: invited[0], scores: ["information": 4, "overall": 5]),
            Barometer.Response(place: invited[1], scores: ["information": 3]),
            Barometer.Response(place: invited[2], scores: ["information": 5, "overall": 2]),
        ]
        let groups = Barometer.groups(
            responses: responses, invited: invited, dimensions: ["information", "overall"], by: .month)
        #expect(groups.map(\.key) == ["2026-10", "2026-11"])
        #expect(groups[0].invited == 2 && groups[0].responses == 2 && groups[0].responseRate == 1)
        #expect(groups[0].scores == ["information": 3.5, "overall": 5])
        #expect(groups[0].counts == ["information": 2, "overall": 1])
        #expect(groups[1].responseRate == 0.5)
        let quarters = Barometer.groups(responses: responses, invited: invited, dimensions: ["information"], by: .quarter)
        #expect(quarters.map(\.key) == ["2026-Q4"] && quarters[0].scores["information"] == 4)
    }

    @Test func groupsByLanguageDeskAndZone() {
        let invited = [place("2026-11-02T09:00:00Z", "ja-JP", desk: "ipa", zone: "van-don"), place("2026-11-02T09:00:00Z", "vi")]
        let responses = [Barometer.Response(place: invited[0], scores: ["overall": 4])]
        #expect(Barometer.groups(responses: responses, invited: invited, dimensions: ["overall"], by: .language).map(\.key) == ["ja", "vi"])
        #expect(Barometer.groups(responses: responses, invited: invited, dimensions: ["overall"], by: .zone).map(\.key) == ["none", "van-don"])
        let desks = Barometer.groups(responses: responses, invited: invited, dimensions: ["overall"], by: .desk)
        #expect(desks.first { $0.key == "ipa" }?.scores == ["overall": 4])
        #expect(desks.first { $0.key == "none" }?.responses == 0)
    }

    @Test func groupsByTheCountryOfTheInvitesTimeZone() {
        let table = TimeZoneCountry.parse("# comment\nJP\t+353916+1394441\tAsia/Tokyo\nVN\t+1045+10640\tAsia/Ho_Chi_Minh\tmost of Vietnam\n")
        #expect(table == ["Asia/Tokyo": "JP", "Asia/Ho_Chi_Minh": "VN"])
        var tokyo = place("2026-11-02T09:00:00Z", "ja")
        tokyo.country = "JP"
        let groups = Barometer.groups(
            responses: [.init(place: tokyo, scores: ["overall": 5])], invited: [tokyo, place("2026-11-02T09:00:00Z", "en")],
            dimensions: ["overall"], by: .country)
        #expect(groups.map(\.key) == ["JP", "none"] && groups[0].responseRate == 1)
    }

    @Test func helpfulSharePerDocumentAndFrequentGaps() {
        let shares = Barometer.documentShares([
            .init(helpful: true, documents: ["a.en", "b.en"]), .init(helpful: false, documents: ["a.en", "a.en"]),
            .init(helpful: true, documents: ["a.en"]),
        ])
        #expect(shares.map(\.document) == ["a.en", "b.en"])
        #expect(shares[0].ratings == 3 && shares[0].helpful == 2 && shares[0].helpfulShare == 0.667)
        let gaps = Barometer.frequentGaps([
            .init(question: "Land rent in Van Don?", documents: ["x"]), .init(question: "land  rent in van don?", documents: ["y"]),
            .init(question: "Visa?", documents: []),
        ])
        #expect(gaps.map(\.count) == [2, 1] && gaps[0].documents == ["x", "y"])
    }

    @Test func gapsAreUnhelpfulRatingsFirstThenHandOversAndLowConfidence() {
        let investor = Participant(id: "inv_1", role: .investor, name: "Sato", language: "ja")
        let assistant = Participant(id: "assistant", role: .assistant, name: "A", language: "en")
        func event(_ seq: Int64, _ kind: EventKind, _ from: Participant, _ fields: [String: JSONValue]) -> Event {
            Event(session: "s", seq: seq, kind: kind, at: "2026-11-0\(seq)T00:00:00.000Z", from: from, fields: fields)
        }
        let cite: JSONValue = [["document": "fdi-overview.en", "title": "t", "passage": "p", "source": "s"]]
        let events = [
            event(1, .question, investor, ["text": "Land rent?"]),
            event(2, .answer, assistant, ["about": 1, "confidencePercent": 90, "citations": cite]),
            event(3, .question, investor, ["text": "Visa?"]),
            event(4, .draft, assistant, ["about": 3, "text": "d", "contact": ["desk": "ipa"]]),
            event(5, .answer, assistant, ["about": 3, "text": "d", "contact": ["desk": "ipa"]]),
            event(6, .question, investor, ["text": "Wages?"]),
            event(7, .answer, assistant, ["about": 6, "confidence": .double(0.2)]),
            event(8, .rating, investor, ["about": 2, "rating": "unhelpful", "reason": "outdated"]),
            event(9, .rating, investor, ["about": 7, "rating": "helpful"]),
        ]
        let gaps = KnowledgeGaps.find(in: events, confidenceFloor: 0.35)
        #expect(gaps.map(\.reason) == [.unhelpful, .handedOver, .lowConfidence])
        #expect(gaps.map { $0.question.seq } == [1, 3, 6])
        #expect(gaps[0].documents == ["fdi-overview.en"] && gaps[0].at == "2026-11-08T00:00:00.000Z")
        #expect(gaps[1].reply.seq == 4 && gaps[1].desk == "ipa")
        #expect(gaps[2].confidence == 0.2 && gaps[2].at == "2026-11-06T00:00:00.000Z")
    }

    @Test func aChartLabelIsTheQuestionsName() {
        #expect(HTTPAPI.shortLabel("Transparency: clarity and openness") == "Transparency")
        #expect(HTTPAPI.shortLabel("透明性：手続きの明確さ") == "透明性")
        #expect(HTTPAPI.shortLabel("Overall satisfaction") == "Overall satisfaction")
    }

    @Test func attachmentLinksExpireAndNameTheirFile() {
        let key = [UInt8](repeating: 7, count: 32)
        let link = AttachmentLink.make(attachment: "att_1", expires: 2_000, key: .init(key))
        #expect(AttachmentLink.verify(link, attachment: "att_1", key: .init(key), now: 1_000))
        #expect(!AttachmentLink.verify(link, attachment: "att_2", key: .init(key), now: 1_000))
        #expect(!AttachmentLink.verify(link, attachment: "att_1", key: .init(key), now: 2_000))
        #expect(!AttachmentLink.verify(link, attachment: "att_1", key: .init([UInt8](repeating: 8, count: 32)), now: 1_000))
        #expect(HTTPAPI.attachmentName("../../etc/plan\u{0}.pdf") == "plan.pdf")
        #expect(HTTPAPI.attachmentName(nil) == "file")
    }
}
