/// Which translation of an event a reader is shown, and which one storage keeps: a person's
/// over the phrasebook's over a machine's. Both stores apply `replaces` in SQL (one row per
/// event and language); readers' candidates (the stored one, a phrase's own text) go
/// through `preferred`.
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

    /// The candidate a reader is shown: the highest rank; among equals the latest.
    package static func preferred(_ candidates: [StoredTranslation]) -> StoredTranslation? {
        candidates.max { a, b in
            let (ra, rb) = (rank(a.engine), rank(b.engine))
            return ra != rb ? ra < rb : a.at < b.at
        }
    }
}
