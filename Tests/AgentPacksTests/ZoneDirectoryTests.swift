import Foundation
import Testing

@testable import AgentPacks

/// `zones.json`: the zones an investor may ask to meet about, each handled by a desk of
/// `contacts.json`; any fault names the file and line.
@Suite struct ZoneDirectoryTests {
    static let desks = [
        ContactDesk(
            id: "industrial-zones", name: LocalizedText(values: ["en": "Industrial Parks Desk"]),
            role: LocalizedText(values: ["": "Parks"]), organisation: LocalizedText(values: ["": "IPA"]),
            languages: ["vi", "en"], email: nil, topics: [])
    ]

    func parse(_ text: String) throws(AgentPackError) -> [PackZone] {
        try ZoneDirectory.parse(Data(text.utf8), file: "zones.json", desks: Self.desks)
    }

    func fault(_ text: String) -> AgentPackError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func zonesAreNamedPerLanguageAndHandledByADesk() throws {
        let zones = try parse(
            """
            {"zones": [
              {"id": "van-don-economic-zone", "name": {"vi": "Khu kinh tế Vân Đồn", "ja": "ヴァンドン経済区"},
               "desk": "industrial-zones"},
              {"id": "cam-thinh", "name": "Cam Thinh", "desk": "industrial-zones"}
            ]}
            """)
        #expect(zones.map(\.id) == ["van-don-economic-zone", "cam-thinh"])
        #expect(zones[0].name.text(in: "ja") == "ヴァンドン経済区")
        #expect(zones[1].name.text(in: "ko") == "Cam Thinh")
        #expect(zones[0].desk == "industrial-zones")
    }

    @Test func faultsNameTheLine() {
        let unknownDesk = fault(
            """
            {"zones": [
              {"id": "a", "name": "A", "desk": "industrial-zones"},
              {"id": "b", "name": "B",
               "desk": "lands"}
            ]}
            """)
        #expect(unknownDesk?.line == 4)
        #expect(unknownDesk?.reason == "zone \"b\": desk \"lands\" is not in contacts.json")
        let twice = fault(
            """
            {"zones": [
              {"id": "a", "name": "A", "desk": "industrial-zones"},
              {"id": "a", "name": "A again", "desk": "industrial-zones"}
            ]}
            """)
        #expect(twice?.line == 3 && twice?.reason == "zone id \"a\" is used twice")
        let deskId = fault(#"{"zones": [{"id": "industrial-zones", "name": "X", "desk": "industrial-zones"}]}"#)
        #expect(deskId?.reason == "zone id \"industrial-zones\" is a desk's id in contacts.json")
        #expect(fault(#"{"zones": [{"id": "Bad Id", "name": "X", "desk": "industrial-zones"}]}"#)?.reason.contains("lowercase") == true)
        #expect(fault(#"{"zones": [{"id": "a", "name": {"english": "A"}, "desk": "industrial-zones"}]}"#)?.reason
            == "zone \"a\": \"english\" is not a language code")
        #expect(fault(#"{"zones": [{"id": "a", "desk": "industrial-zones"}]}"#)?.reason.contains("needs \"name\"") == true)
        #expect(fault(#"{"zones": [{"id": "a", "name": "A"}]}"#)?.reason.contains("needs \"desk\"") == true)
        #expect(fault(#"[{"id": "a"}]"#)?.reason == "expected {\"zones\": [...]}")
        #expect(fault("{\"zones\": [\n  {\"id\": \"a\",,}]}")?.line == 2)
    }
}
