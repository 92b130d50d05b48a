/// The contents of `Agents/<id>/agent.json`: who the assistant is, in which languages.
///
/// Keys this type does not know are ignored, so packs may carry fields added by later
/// versions. Decode with `AgentManifest.parse(_:file:expectedID:)` to get validation and
/// errors that name file and line.
package struct AgentManifest: Codable, Sendable, Equatable {
    /// The agent's id; equal to its folder's name.
    package var id: String
    /// Version of the pack's content, 1 or more; bumped by the pack's authors.
    package var version: Int
    /// Languages served, as BCP 47 tags (`vi`, `zh`, `pt-BR`), in the authors' order.
    package var languages: [String]
    /// The language used when a reader's language is not served; one of `languages`.
    package var defaultLanguage: String
    /// The organisation the assistant speaks for, per language.
    package var organisation: [String: String]?
    /// The assistant's display name, per language.
    package var names: [String: String]
    /// The greeting shown to an investor who joins, per language.
    package var greetings: [String: String]
    /// The recording and AI notice shown to investors when they join, per language.
    package var notice: [String: String]
    /// The same notice as the mails before a meeting give it (in the future tense), per
    /// language; the mails use `notice` for a language it lacks.
    package var meetingNotice: [String: String]?
    /// Retrieval settings; `Retrieval()` defaults when absent.
    package var retrieval: Retrieval?
    /// Hand-over settings; none means the assistant never proposes a desk.
    package var handover: Handover?

    /// A manifest from its parts; `parse` is the way to read one from a file.
    package init(
        id: String, version: Int = 1, languages: [String], defaultLanguage: String,
        organisation: [String: String]? = nil, names: [String: String],
        greetings: [String: String], notice: [String: String],
        retrieval: Retrieval? = nil, handover: Handover? = nil
    ) {
        self.id = id
        self.version = version
        self.languages = languages
        self.defaultLanguage = defaultLanguage
        self.organisation = organisation
        self.names = names
        self.greetings = greetings
        self.notice = notice
        self.retrieval = retrieval
        self.handover = handover
    }

    /// Decodes every key; `version` may be written `1` or `1.0`. Unknown keys are ignored.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        version = try container.decodeWholeNumber(forKey: .version)
        languages = try container.decode([String].self, forKey: .languages)
        defaultLanguage = try container.decode(String.self, forKey: .defaultLanguage)
        organisation = try container.decodeIfPresent([String: String].self, forKey: .organisation)
        names = try container.decode([String: String].self, forKey: .names)
        greetings = try container.decode([String: String].self, forKey: .greetings)
        notice = try container.decode([String: String].self, forKey: .notice)
        meetingNotice = try container.decodeIfPresent([String: String].self, forKey: .meetingNotice)
        retrieval = try container.decodeIfPresent(Retrieval.self, forKey: .retrieval)
        handover = try container.decodeIfPresent(Handover.self, forKey: .handover)
    }

    /// The retrieval settings in force: the file's, else the defaults.
    package var retrievalSettings: Retrieval { retrieval ?? Retrieval() }
}
