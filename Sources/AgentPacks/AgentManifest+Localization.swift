import Foundation

extension AgentManifest {
    /// The entry of a per-language `table` best suited to a reader of `language`.
    ///
    /// Tries the exact language, then its base (`zh-Hant` → `zh`), then another variant of
    /// that base (`pt-PT` for `pt-BR`: closer to the reader than any other language), then
    /// `defaultLanguage`, then `en`, then any entry (the first by code). Codes compare
    /// case-insensitively; blank entries count as absent. An empty table gives "".
    package func localized(_ table: [String: String], language: String) -> String {
        var entries: [String: String] = [:]
        // Blank texts do not count. Looked for, not trimmed: this runs for every join (the
        // welcome's greeting and notice), and trimming copied each paragraph in six
        // languages through NSString every time.
        for (code, text) in table where text.contains(where: { !$0.isWhitespace }) {
            entries[code.lowercased()] = text
        }
        let base = Self.baseLanguage(of: language).lowercased()
        let sibling = entries.keys.sorted().first { Self.baseLanguage(of: $0) == base }
        let chain = [language.lowercased(), base, sibling, defaultLanguage.lowercased(), "en"]
        for code in chain.compactMap({ $0 }) {
            if let text = entries[code] { return text }
        }
        return entries.keys.sorted().first.flatMap { entries[$0] } ?? ""
    }

    /// The assistant's display name for a reader of `language`.
    package func name(in language: String) -> String { localized(names, language: language) }

    /// The greeting for an investor reading `language`.
    package func greeting(in language: String) -> String { localized(greetings, language: language) }

    /// The recording and AI notice for an investor reading `language`.
    package func notice(in language: String) -> String { localized(notice, language: language) }

    /// The recording and AI notice as the mails before a meeting give it: `meetingNotice`,
    /// else the conversation's own `notice`.
    package func meetingNotice(in language: String) -> String {
        // Only in the reader's own language: another language's mail notice would read worse
        // to them than the conversation's notice in theirs.
        let base = Self.baseLanguage(of: language).lowercased()
        guard let meetingNotice,
            meetingNotice.contains(where: { Self.baseLanguage(of: $0.key).lowercased() == base && !$0.value.isEmpty })
        else { return notice(in: language) }
        return localized(meetingNotice, language: language)
    }

    /// The organisation's name for a reader of `language` ("" when the pack names none).
    package func organisationName(in language: String) -> String {
        localized(organisation ?? [:], language: language)
    }

    /// The served language closest to `requested`: itself, its base, a variant of that
    /// base, else `defaultLanguage`. Spelled as in `languages`.
    package func servedLanguage(for requested: String) -> String {
        let wanted = requested.lowercased()
        let base = Self.baseLanguage(of: wanted)
        return languages.first { $0.lowercased() == wanted }
            ?? languages.first { $0.lowercased() == base }
            ?? languages.first { Self.baseLanguage(of: $0.lowercased()) == base }
            ?? defaultLanguage
    }

    /// Whether `code` is a language code: 2–3 lowercase letters, optionally followed by
    /// subtags of 2–8 letters or digits (`zh`, `pt-BR`, `zh-Hant-TW`, `es-419`).
    package static func isLanguageCode(_ code: String) -> Bool {
        let subtags = code.split(separator: "-", omittingEmptySubsequences: false)
        guard let primary = subtags.first, (2...3).contains(primary.utf8.count),
            primary.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) })
        else { return false }
        return subtags.dropFirst().allSatisfy { subtag in
            (2...8).contains(subtag.utf8.count)
                && subtag.utf8.allSatisfy { byte in
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                        || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                }
        }
    }

    /// The primary subtag of a language code: `zh-Hant` → `zh`, `vi` → `vi`.
    package static func baseLanguage(of code: String) -> String {
        String(code.prefix { $0 != "-" && $0 != "_" })
    }
}
