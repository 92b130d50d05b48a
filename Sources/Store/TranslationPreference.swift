/// Which translation of an event a reader is shown, and which one storage keeps: a person's
/// over the phrasebook's over a machine's. Both stores apply `replaces` in SQL (one row per
/// event and language); `ReaderTranslation` ranks a reader's candidates (the stored one, a
/// phrase's own text) with `rank`.
package enum TranslationPreference {
    /// The `engine` of a phrase's own text in another language (not stored: the event holds it).
    package static let phrasebookEngine = "phrasebook"

    /// Higher wins: human 2, phrasebook 1, any machine provider 0.
    package static func rank(_ engine: String) -> Int {
        switch engine {
        case StoredTranslation.humanEngine: return 2
        case phrasebookEngine: return 1
        default: return 0
        }
    }

    /// Whether a translation made by `incoming` replaces a stored one made by `existing`:
    /// a machine's replaces a machine's, a person's replaces anything, and nothing but a
    /// person's replaces a person's (a late machine translation never overwrites one).
    package static func replaces(_ incoming: String, _ existing: String) -> Bool {
        existing != StoredTranslation.humanEngine || incoming == StoredTranslation.humanEngine
    }
}
