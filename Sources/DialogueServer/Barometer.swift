import Dialogue

/// The service barometer's figures (docs/knowledge.md), computed from plain values so they
/// can be checked without a store: survey scores per dimension and group, response counts
/// and rates, the helpful share of answers per cited document, the most frequent gaps.
struct Barometer: Sendable {
    /// How answers are grouped.
    enum Grouping: String, Sendable, CaseIterable {
        case month, quarter, desk, zone, language
        /// The country of the investor's time zone (the invite's), as the tz database maps it.
        case country
    }

    /// Where a survey answer or an invitation belongs: when (its session's end), in which
    /// language, about which desk and zone (the meeting request's topic).
    struct Place: Sendable, Equatable {
        var at: String
        var language: String
        var desk: String?
        var zone: String?
        /// ISO 3166 code of the investor's time zone, when the invite has one.
        var country: String? = nil
    }

    /// One invite's answers: its place and its 1–5 scores by dimension.
    struct Response: Sendable, Equatable {
        var place: Place
        var scores: [String: Int]
    }

    /// One group's figures.
    struct Group: Sendable, Equatable {
        var key: String
        /// Invites of ended meetings in the period (those the survey was offered to).
        var invited: Int
        var responses: Int
        /// Mean score per dimension, to two decimals; a dimension nobody scored is absent.
        var scores: [String: Double]
        /// Answers per dimension behind each mean.
        var counts: [String: Int]
        /// `responses / invited`, to three decimals; 0 when nobody was invited.
        var responseRate: Double { invited == 0 ? 0 : Self.round(Double(responses) / Double(invited), places: 3) }

        static func round(_ value: Double, places: Int) -> Double {
            var factor = 1.0
            for _ in 0..<places { factor *= 10 }
            return (value * factor).rounded() / factor
        }
    }

    /// The key of a place under a grouping: `2026-11`, `2026-Q4`, a desk or zone id
    /// (`none` when the meeting had no topic), a language code, a country code (`none`
    /// when the invite gave no time zone).
    static func key(_ place: Place, _ grouping: Grouping) -> String {
        switch grouping {
        case .month: return String(place.at.prefix(7))
        case .quarter:
            let month = Int(place.at.dropFirst(5).prefix(2)) ?? 1
            return "\(place.at.prefix(4))-Q\((month - 1) / 3 + 1)"
        case .desk: return place.desk ?? "none"
        case .zone: return place.zone ?? "none"
        case .language: return LanguageTag.primary(place.language)
        case .country: return place.country ?? "none"
        }
    }

    /// Groups sorted by key, with every dimension's mean; `invited` counts invitations.
    static func groups(
        responses: [Response], invited: [Place], dimensions: [String], by grouping: Grouping
    ) -> [Group] {
        var sums: [String: [String: Int]] = [:]
        var counts: [String: [String: Int]] = [:]
        var responded: [String: Int] = [:]
        var invitedCount: [String: Int] = [:]
        for place in invited { invitedCount[key(place, grouping), default: 0] += 1 }
        for response in responses {
            let group = key(response.place, grouping)
            responded[group, default: 0] += 1
            for dimension in dimensions {
                guard let score = response.scores[dimension] else { continue }
                sums[group, default: [:]][dimension, default: 0] += score
                counts[group, default: [:]][dimension, default: 0] += 1
            }
        }
        let keys = Set(invitedCount.keys).union(responded.keys).sorted()
        return keys.map { group in
            var means: [String: Double] = [:]
            for (dimension, count) in counts[group] ?? [:] where count > 0 {
                means[dimension] = Group.round(Double(sums[group]?[dimension] ?? 0) / Double(count), places: 2)
            }
            return Group(
                key: group, invited: invitedCount[group] ?? 0, responses: responded[group] ?? 0, scores: means,
                counts: counts[group] ?? [:])
        }
    }

    /// Every response and invitation as one group (the `totals`, the gauges).
    static func total(responses: [Response], invited: [Place], dimensions: [String]) -> Group {
        var all = groups(
            responses: responses.map { Response(place: Place(at: "", language: "all"), scores: $0.scores) },
            invited: invited.map { _ in Place(at: "", language: "all") }, dimensions: dimensions, by: .language
        ).first ?? Group(key: "all", invited: 0, responses: 0, scores: [:], counts: [:])
        all.key = "all"
        return all
    }

    /// One rating of an answer, with the documents the answer cited.
    struct Rating: Sendable, Equatable {
        var helpful: Bool
        var documents: [String]
    }

    /// Per document: ratings of answers citing it and how many were helpful.
    struct DocumentShare: Sendable, Equatable {
        var document: String
        var ratings: Int
        var helpful: Int
        var helpfulShare: Double { ratings == 0 ? 0 : Group.round(Double(helpful) / Double(ratings), places: 3) }
    }

    /// Documents by number of ratings (most first), then id.
    static func documentShares(_ ratings: [Rating]) -> [DocumentShare] {
        var shares: [String: DocumentShare] = [:]
        for rating in ratings {
            for document in Set(rating.documents) {
                shares[document, default: DocumentShare(document: document, ratings: 0, helpful: 0)].ratings += 1
                if rating.helpful { shares[document]!.helpful += 1 }
            }
        }
        return shares.values.sorted { ($0.ratings, $1.document) > ($1.ratings, $0.document) }
    }

    /// A question that needed a person or was rated unhelpful.
    struct Gap: Sendable, Equatable {
        var question: String
        var documents: [String]
    }

    /// Questions asked more than once count once each time; the same words (case and spacing
    /// folded) make one line; most frequent first, at most `limit`.
    static func frequentGaps(_ gaps: [Gap], limit: Int = 20) -> [(question: String, count: Int, documents: [String])] {
        var byKey: [String: (question: String, count: Int, documents: Set<String>)] = [:]
        for gap in gaps {
            let key = gap.question.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
            guard !key.isEmpty else { continue }
            var entry = byKey[key] ?? (gap.question, 0, [])
            entry.count += 1
            entry.documents.formUnion(gap.documents)
            byKey[key] = entry
        }
        return byKey.values.sorted { ($0.count, $1.question) > ($1.count, $0.question) }.prefix(limit)
            .map { ($0.question, $0.count, $0.documents.sorted()) }
    }
}
