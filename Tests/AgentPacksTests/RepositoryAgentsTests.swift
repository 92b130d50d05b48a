import Foundation
import Testing

@testable import AgentPacks

@Suite("The repository's Agents folder")
struct RepositoryAgentsTests {
    @Test("loads, and the Quảng Ninh pack speaks its six languages")
    func repositoryAgents() throws {
        let catalog = try AgentCatalog(folder: Fixture.repositoryAgentsFolder())
        let pack = try #require(catalog.pack(id: "quang-ninh-ipa"))
        let manifest = pack.manifest
        #expect(manifest.languages == ["vi", "en", "fr", "ja", "ko", "zh"])
        #expect(manifest.defaultLanguage == "vi")
        #expect(manifest.organisationName(in: "vi") == "Ban Xúc tiến và Hỗ trợ đầu tư tỉnh Quảng Ninh")
        for language in manifest.languages {
            #expect(manifest.names[language]?.isEmpty == false, "name in \(language)")
            #expect(manifest.greetings[language]?.isEmpty == false, "greeting in \(language)")
            #expect(manifest.notice[language]?.isEmpty == false, "notice in \(language)")
            #expect(manifest.organisation?[language]?.isEmpty == false, "organisation in \(language)")
        }
        #expect(manifest.retrievalSettings.k == 5)
        #expect(manifest.handover?.defaultDesk == "investor-services")
        #expect(manifest.handover?.confidenceFloor == 0.35)
        #expect(manifest.notice(in: "zh-Hans") == manifest.notice["zh"])
        #expect(manifest.greeting(in: "de") == manifest.greetings["vi"])
        // Its zones, named in each language, go to the industrial parks desk.
        #expect(pack.zones.count >= 5)
        for zone in pack.zones {
            #expect(pack.desk(id: zone.desk) != nil)
            for language in manifest.languages {
                #expect(zone.name.values[language]?.isEmpty == false, "\(zone.id) in \(language)")
            }
        }
        #expect(pack.topicName("van-don-economic-zone", in: "ja") == "ヴァンドン経済区")
        #expect(pack.topicName("industrial-zones", in: "en") == "Industrial Parks Desk")
    }
}
