import Foundation
import Testing

@testable import Retrieval

@Suite("Transcript search")
struct TranscriptIndexTests {
    func freshIndex() throws -> TranscriptIndex {
        try TranscriptIndex(
            path: FileManager.default.temporaryDirectory.appendingPathComponent("transcripts-\(UUID().uuidString).sqlite")
                .path)
    }

    func line(_ session: String, _ seq: Int64, _ text: String, _ language: String = "vi") -> TranscriptLine {
        TranscriptLine(session: session, seq: seq, kind: "message", language: language, text: text)
    }

    @Test func everyWordMustOccurInOneEvent() async throws {
        let index = try freshIndex()
        try await index.add(
            [line("a", 1, "Giá thuê đất tại Sông Khoai"), line("a", 2, "Điện lưới ổn định")], session: "a", upTo: 2)
        #expect(try await index.search("song khoai", glossary: nil).map(\.line.seq) == [1])
        #expect(try await index.search("Sông Khoai điện", glossary: nil).isEmpty)
        // Only stop words: nothing to search for.
        #expect(try await index.search("what is the", glossary: nil).isEmpty)
    }

    @Test func aGlossaryTermMatchesItsFormsInEveryLanguage() async throws {
        let index = try freshIndex()
        try await index.add([line("vi", 1, "Khu công nghiệp Việt Hưng")], session: "vi", upTo: 1)
        try await index.add([line("ja", 1, "工業団地の電力", "ja")], session: "ja", upTo: 1)
        try await index.add([line("en", 1, "The park is green", "en")], session: "en", upTo: 1)
        let found = try await index.search("industrial park", glossary: RepositoryIndex.glossary)
        #expect(Set(found.map(\.line.session)) == ["vi", "ja"])
        // Without the glossary, the words themselves: `park` alone is not enough.
        #expect(try await index.search("industrial park", glossary: nil).isEmpty)
    }

    @Test func addingIsIdempotentAndRemembersWhereItStopped() async throws {
        let index = try freshIndex()
        try await index.add([line("s", 1, "một"), line("s", 2, "hai")], session: "s", upTo: 3)
        // A retry of the same range, and an overlapping one, add nothing twice.
        try await index.add([line("s", 1, "một"), line("s", 2, "hai")], session: "s", upTo: 3)
        try await index.add([line("s", 2, "hai"), line("s", 4, "bốn hai")], session: "s", upTo: 4)
        #expect(try await index.indexedSeq(session: "s") == 4)
        #expect(try await index.search("hai", glossary: nil).map(\.line.seq).sorted() == [2, 4])
        #expect(try await index.indexedSeqs() == ["s": 4])
    }

    @Test func atMostSoManyEventsPerSession() async throws {
        let index = try freshIndex()
        try await index.add((1...10).map { line("s", $0, "cảng Cái Lân \($0)") }, session: "s", upTo: 10)
        #expect(try await index.search("Cái Lân", glossary: nil, perSession: 3).count == 3)
    }
}

@Suite("Stop words")
struct StopWordTests {
    @Test func lettersAndDigitsTogetherAreOneWord() {
        // A code such as a reference ends in letters that alone would be a stop word (`ce`).
        #expect(StopWords.removing(from: "ref984784ce") == "ref984784ce")
        #expect(StopWords.removing(from: "what is ref98ce") == "  ref98ce")
        #expect(StopWords.removing(from: "2025 le parc") == "2025  parc")
    }
}
