extension AgentManifest {
    /// When the assistant proposes a human contact, and which desk (a `contacts.json` id).
    package struct Handover: Codable, Sendable, Equatable {
        /// The desk proposed when no rule matches.
        package var defaultDesk: String
        /// Below this answer confidence (0…1) the assistant hands over; 0.35 when absent.
        package var confidenceFloor: Double
        /// Topic and concept rules, tried in order; empty when absent.
        package var rules: [Rule]

        /// Settings from their parts.
        package init(defaultDesk: String, confidenceFloor: Double = 0.35, rules: [Rule] = []) {
            self.defaultDesk = defaultDesk
            self.confidenceFloor = confidenceFloor
            self.rules = rules
        }

        /// Decodes, filling absent `confidenceFloor` and `rules` with the defaults.
        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            defaultDesk = try container.decode(String.self, forKey: .defaultDesk)
            confidenceFloor =
                try container.decodeIfPresent(Double.self, forKey: .confidenceFloor) ?? 0.35
            rules = try container.decodeIfPresent([Rule].self, forKey: .rules) ?? []
        }
    }
}

extension AgentManifest.Handover {
    /// Questions about any of `topics` or mentioning any of `concepts` go to `desk`.
    package struct Rule: Codable, Sendable, Equatable {
        /// The desk (a `contacts.json` id) to hand over to.
        package var desk: String
        /// Topic words or phrases, matched in the question; empty when absent.
        package var topics: [String]
        /// Glossary concept ids found in the question; empty when absent.
        package var concepts: [String]

        /// A rule from its parts.
        package init(desk: String, topics: [String] = [], concepts: [String] = []) {
            self.desk = desk
            self.topics = topics
            self.concepts = concepts
        }

        /// Decodes, filling absent `topics` and `concepts` with empty lists.
        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            desk = try container.decode(String.self, forKey: .desk)
            topics = try container.decodeIfPresent([String].self, forKey: .topics) ?? []
            concepts = try container.decodeIfPresent([String].self, forKey: .concepts) ?? []
        }
    }
}
