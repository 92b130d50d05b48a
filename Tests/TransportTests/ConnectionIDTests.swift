import Testing

@testable import Transport

@Suite("Connection ids")
struct ConnectionIDTests {
    @Test func sequentialIdsSpreadOverTheHashTable() {
        // The low bits of the hash (what a dictionary uses) behave like random ones, for
        // sequential ids and for ids a power of two apart alike: 100,000 values in 131,072
        // buckets fill about 69,970 of them at random (1 - e^-0.76).
        let ids = (1...100_000).map { ConnectionID(raw: UInt64($0)) }
        for sample in [ids, ids.map { ConnectionID(raw: $0.raw << 17) }] {
            let buckets = Set(sample.map { $0._rawHashValue(seed: 7) & (131_072 - 1) })
            #expect(buckets.count > 68_000)
        }
        var table: [ConnectionID: UInt64] = [:]
        for id in ids { table[id] = id.raw }
        #expect(table.count == 100_000)
        #expect(ids.allSatisfy { table[$0] == $0.raw })
        #expect(table[ConnectionID(raw: 100_001)] == nil)
    }

    @Test func theSeedChangesTheHash() {
        let id = ConnectionID(raw: 42)
        #expect(id._rawHashValue(seed: 1) != id._rawHashValue(seed: 2))
        #expect(id == ConnectionID(raw: 42) && id != ConnectionID(raw: 43))
    }
}
