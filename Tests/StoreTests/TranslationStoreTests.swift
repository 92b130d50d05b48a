import Dialogue
import Foundation
import GRDB
import Testing

@testable import Store

/// Which translation wins (a person's over the phrasebook's over a machine's) and the v5
/// schema that records who translated.
@Suite struct TranslationStoreTests {
    static func translation(_ engine: String, at second: Int, text: String = "x") -> StoredTranslation {
        StoredTranslation(
            session: "ses_a", seq: 3, language: "vi", text: text, engine: engine, glossaryVersion: nil,
            glossaryOk: true, by: engine == "human" ? TranslationAuthor(id: "stf_lan", name: "Lan", role: "interpreter") : nil,
            at: Timestamp.format(milliseconds: 1_795_668_000_000 + Int64(second) * 1_000))
    }

    @Test func aPersonsTranslationReplacesAnythingAndOnlyAPersonsReplacesIt() {
        #expect(TranslationPreference.replaces("human", "libretranslate"))
        #expect(TranslationPreference.replaces("human", "human"))
        #expect(TranslationPreference.replaces("llm:m", "libretranslate"))
        #expect(!TranslationPreference.replaces("libretranslate", "human"))
        #expect(!TranslationPreference.replaces("llm:m", "human"))
    }

    @Test func ranksHumanOverPhrasebookOverMachine() {
        #expect(TranslationPreference.rank("human") > TranslationPreference.rank("phrasebook"))
        #expect(TranslationPreference.rank("phrasebook") > TranslationPreference.rank("libretranslate"))
        #expect(TranslationPreference.rank("llm:m") == TranslationPreference.rank("libretranslate"))
    }

    @Test func onlyAPersonsTranslationCarriesByAndAtInTheEvent() {
        #expect(Self.translation("libretranslate", at: 1).json.objectValue?.keys.sorted() == [
            "engine", "glossaryOk", "language", "text",
        ])
        let human = Self.translation("human", at: 1)
        #expect(human.json["by"] == ["id": "stf_lan", "name": "Lan", "role": "interpreter"])
        #expect(human.json["at"] == .string(human.at))
        #expect(human.frame["type"] == "translation" && human.frame["seq"] == 3 && human.frame["session"] == "ses_a")
        #expect(Self.translation("libretranslate", at: 1).frame["at"] != nil)
        // As listed and exported: Tests/DialogueServerTests/StoredTranslationListingTests.swift.
    }

    /// A database that stopped at v4 keeps its machine translations through v5: no
    /// translator, `at` from the stored time.
    @Test func v4TranslationsSurviveV5() async throws {
        let folder = try TemporaryFolder()
        let old = try DatabaseQueue(path: folder.file(SQLiteStore.fileName))
        try SQLiteStore.migrator.migrate(old, upTo: "v4: events in arrival order")
        try await old.write { db in
            // The event it translates (only an event that holds a text takes a translation).
            try db.execute(
                sql: """
                    INSERT INTO sessions (id, title, status, languages, agent, assistant, created_at, created_by)
                    VALUES ('ses_a', 't', 'live', '["vi","en"]', 'a', 'off', '2026-11-26T04:40:00.000Z', 'stf');
                    INSERT INTO events (session_id, seq, kind, sender, body, hash, chain)
                    VALUES ('ses_a', 3, 'message', 'inv_kenji', '{"kind":"message","text":"Hello"}', x'00', x'00')
                    """)
            try db.execute(
                sql: """
                    INSERT INTO translations
                        (session_id, seq, language, text, engine, glossary_version, glossary_ok, created_at)
                    VALUES ('ses_a', 3, 'vi', 'máy dịch', 'libretranslate', 2, 1, '2026-11-26T04:42:31.000Z')
                    """)
        }
        try old.close()
        let store = try SQLiteStore(dataDirectory: folder.path)
        let stored = try await store.translations(session: "ses_a", language: nil)
        #expect(
            stored == [
                StoredTranslation(
                    session: "ses_a", seq: 3, language: "vi", text: "máy dịch", engine: "libretranslate",
                    glossaryVersion: 2, glossaryOk: true, by: nil, at: "2026-11-26T04:42:31.000Z")
            ])
        #expect(try await store.saveTranslation(Self.translation("human", at: 2)))
        #expect(try await store.translations(session: "ses_a", from: 3, to: 3, language: "vi")[3]?.by?.name == "Lan")
    }
}
