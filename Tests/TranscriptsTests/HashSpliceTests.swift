import Dialogue
import Testing

@testable import Transcripts

/// The writer hashes an event from the bytes it already encoded; the result must be the
/// hash of the hashed form, always.
@Suite struct HashSpliceTests {
    typealias Generator = SeededGenerator

    static let pieces = ["a", "Vân Đồn", "\"quoted\"", "back\\slash", "line\nbreak", "\u{1}", "工业园区", "🏭", "text", "textHash"]
    static let keys = ["session", "seq", "kind", "at", "from", "text", "language", "citations", "contact", "about",
        "glossary", "textA", "text2", "texts", "tex", "textH", "textHasi", "zeta", "\u{E000}k", "\u{1F600}k"]

    func randomString(_ g: inout Generator) -> String {
        (0..<Int.random(in: 0...4, using: &g)).map { _ in Self.pieces.randomElement(using: &g)! }.joined()
    }

    func randomValue(_ g: inout Generator, depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth > 1 ? 4 : 6), using: &g) {
        case 0: return .string(randomString(&g))
        case 1: return .int(Int64.random(in: -1000...1000, using: &g))
        case 2: return .bool(Bool.random(using: &g))
        case 3: return .null
        case 4: return .array((0..<3).map { _ in randomValue(&g, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &g) {
                members[Self.keys.randomElement(using: &g)!] = randomValue(&g, depth: depth + 1)
            }
            return .object(members)
        }
    }

    @Test func splicedHashEqualsTheHashOfTheHashedForm() {
        var g = Generator(state: 20_261_126)
        var spliced = 0
        for _ in 0..<3000 {
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...8, using: &g) {
                members[Self.keys.randomElement(using: &g)!] = randomValue(&g, depth: 0)
            }
            if Bool.random(using: &g) { members["text"] = .string(randomString(&g)) }
            let body = JSONValue.object(members)
            let (bytes, textMember) = JSONWriter.bytes(body, locating: "text")
            #expect(bytes == JSONWriter.bytes(body))
            let fast = HashChain.eventHash(body: body, canonical: bytes, textMember: textMember)
            #expect(fast == HashChain.eventHash(body: body), "\(JSONWriter.string(body))")
            if textMember != nil { spliced += 1 }
        }
        #expect(spliced > 1000)
    }

    /// The version-2 splice (text members and the author's name committed in place).
    @Test func saltedSpliceEqualsTheHashOfTheHashedForm() {
        var g = Generator(state: 20_261_206)
        let extraKeys = ["organisation", "targetName", "textHash", "organisationHasi", "citations", "citationsA", "name"]
        for round in 0..<3000 {
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...8, using: &g) {
                let key = (Self.keys + extraKeys).randomElement(using: &g)!
                members[key] = randomValue(&g, depth: 0)
            }
            if Bool.random(using: &g) { members["text"] = .string(randomString(&g)) }
            if Bool.random(using: &g) {
                members["from"] = ["id": "p", "role": "investor", "name": .string(randomString(&g))]
            }
            let body = JSONValue.object(members)
            let salts = EventSalts(
                text: round % 3 == 0 ? nil : EventSalts.random(), person: round % 5 == 0 ? nil : EventSalts.random())
            let (bytes, located) = JSONWriter.bytes(body, locating: HashChain.splicedMembers)
            #expect(bytes == JSONWriter.bytes(body))
            let fast = HashChain.eventHash(body: body, canonical: bytes, members: located, salts: salts)
            #expect(fast == HashChain.eventHash(body: body, salts: salts), "\(JSONWriter.string(body))")
        }
    }
}
