extension AgentManifest {
    /// How many passages the assistant retrieves for a question, and how good they must be.
    package struct Retrieval: Codable, Sendable, Equatable {
        /// Passages retrieved per question, 1…50; 5 when absent.
        package var k: Int
        /// Passages scoring below this are dropped (higher score = better); 0 when absent.
        package var minScore: Double

        /// Settings from their parts; the defaults are `k` 5 and `minScore` 0.
        package init(k: Int = 5, minScore: Double = 0) {
            self.k = k
            self.minScore = minScore
        }

        /// Decodes, filling absent keys with the defaults.
        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            k = try container.decodeWholeNumberIfPresent(forKey: .k) ?? 5
            minScore = try container.decodeIfPresent(Double.self, forKey: .minScore) ?? 0
        }
    }
}
