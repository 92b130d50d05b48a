import Testing
import HashChain

@testable import PostgresStore

/// Shipped PostgreSQL migrations never change (a database that applied one would differ
/// from a new one): `dialogue_append`, written once as a template for v2, v4 and v6, must
/// still produce each version's text as shipped.
@Suite struct PostgresSchemaTests {
    /// SHA-256 of each shipped migration: its name, a line break, its statements joined by
    /// "\n;\n". A new migration is added here once it ships.
    static let shipped: [String: String] = [
        "v1: staff, sessions, invites, participants, events, heads, notes, audit, glossary, translations":
            "b7bcd798f7d8ecc66d175cbbbab9e4e283c62f0c3d935d6e391b97a30e8448e0",
        "v2: dialogue_append, one statement per commit":
            "6a90942199607a9b6506a5a26ca1dcf2a8b54662f13023ffc08c5160aaf9b9a7",
        "v3: nodes and presence": "5c22f377a3df40ea9768894c800231e8a3fa27554631ff5cb67f277aa56f3fc3",
        "v4: dialogue_append with the node and the events in its notices":
            "103aad6fd1d8d0e4632ea86d16866c404b161b534c77357dbcef407837922e9e",
        "v5: translations record who translated": "06bc4eb48071ea9f603f8472294194c29a4595d0bf696ab8cbccda2f9327eb5a",
        "v6: salted commitments and redactions": "bab3f477b80a6f481906be72b142ea3e0e1e1bba224277d2e7962e56204cc5ee",
        "v7: signed checkpoints": "9067a71e83a4f304d29f2a805fc103877698d4a42b5294695eb5f19950abcb11",
        "v8: meetings in time and the mail outbox": "ef4b73de895d179a9cdfc5a927fcc997e4c0194b23594994eae98e043ffdfce0",
        "v9: transcripts by mail": "d0d93d7247aec07bc8e54259bc1319957eb9995cf133492db678f6ca7339f044",
        "v10: meeting requests": "6c18695772a909bae2fc9f0474af7ab56041c4286e8620169798b5833d2af82b",
        "v11: a cancelled meeting stays cancelled": "c7a488192f3637ce6450bf530e8c14aac8710e261fece2352ebc3b8fc69d2ee6",
        "v12: the investor's answers": "1e73fa7f4804ba24d7cdd7f25d2a3af3267cc05882060e24c93b99ceabcab1e2",
        "v13: the time before a move": "01530a6e0b37d5a9943b4792257c1704ef47c1211921861340bf2585aaf2fd19",
        "v14: outbox keys in byte order": "7ebbb741056e993a16e3364320f799c5ae87a34bbdffba5e897e149fa84777e1",
        "v15: mails replaced while being sent": "caeb1d59fb780ba3425bbed81c9b4b39c8987336ce476fa25ce1fc88d82cf32c",
        "v16: uploaded documents, survey answers, shared files": "da3a76abe92690243132ed25488a3ee8f5a36d978d2c19e5ab4e374a37fac3f5",
    ]

    @Test func shippedMigrationsKeepTheirText() {
        let names = PostgresSchema.migrations.map(\.name)
        for name in Self.shipped.keys {
            #expect(names.contains(name), "migration \(name) is gone")
        }
        for migration in PostgresSchema.migrations {
            guard let digest = Self.shipped[migration.name] else { continue }
            let text = migration.name + "\n" + migration.sql.joined(separator: "\n;\n")
            #expect(Hex.encode(HashChain.sha256(Array(text.utf8))) == digest, "migration \(migration.name) changed")
        }
    }

    @Test func theAppendFunctionIsOneTemplate() {
        // Each version's differences are where the template puts them.
        #expect(PostgresSchema.appendV2.hasPrefix("CREATE OR REPLACE FUNCTION dialogue_append("))
        #expect(PostgresSchema.appendV2.contains("INSERT INTO event_heads (session_id, seq, chain)"))
        #expect(!PostgresSchema.appendV2.contains("RAISE EXCEPTION 'no session %'"))
        #expect(PostgresSchema.appendV4.contains("RAISE EXCEPTION 'no session %'"))
        #expect(!PostgresSchema.appendV4.contains("text_salt"))
        #expect(PostgresSchema.appendV6.contains("chain, text_salt, person_salt)"))
        #expect(PostgresSchema.appendV6.contains("p_text_salts TEXT[], p_person_salts TEXT[])"))
        #expect(PostgresSchema.appendV6.hasSuffix("END\n$$"))
    }
}
