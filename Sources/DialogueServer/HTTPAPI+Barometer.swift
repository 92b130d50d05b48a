import AgentPacks
import Dialogue
import Foundation
import Store
import Transport

/// `GET /v1/barometer` (docs/knowledge.md): the survey's scores per DDCI dimension, grouped by
/// month, quarter, desk, zone or language, with response counts and rates; the helpful share
/// of answers per cited document; the most frequent gaps. JSON, or CSV with `format=csv`.
extension HTTPAPI {
    /// Everything the barometer reads for a period `[from, to)` of one pack.
    struct BarometerInput: Sendable {
        var responses: [Barometer.Response]
        var invited: [Barometer.Place]
        var ratings: [Barometer.Rating]
        var gaps: [Barometer.Gap]
        /// False when the newest `barometerEventLimit` events did not reach back to the period.
        var complete: Bool
    }

    /// Most events one barometer reads for ratings and gaps (newest sessions first).
    static let barometerEventLimit = 50_000

    func barometer(_ call: RouteCall) async throws -> HTTPResponse {
        let request = call.request
        let pack = try requestedPack(request)
        let (from, to) = try Self.period(request)
        let groupName = request.queryValue("group") ?? "month"
        guard let grouping = Barometer.Grouping(rawValue: groupName) else {
            throw Failure.badRequest(
                "group must be one of \(Barometer.Grouping.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let input = try await barometerInput(pack: pack, from: from, to: to)
        let dimensions = pack.survey?.dimensions ?? []
        let groups = Barometer.groups(responses: input.responses, invited: input.invited, dimensions: dimensions, by: grouping)
        let total = Barometer.total(responses: input.responses, invited: input.invited, dimensions: dimensions)
        let shares = Barometer.documentShares(input.ratings)
        if request.queryValue("format") == "csv" {
            return Self.barometerCSV(groups: groups, dimensions: dimensions, grouping: grouping, from: from, to: to)
        }
        let titles = Dictionary(pack.documents.map { ($0.id, $0.title) }, uniquingKeysWith: { first, _ in first })
        let helpfulRatings = input.ratings.filter(\.helpful).count
        let body: JSONValue = [
            "agent": .string(pack.id), "from": .string(from), "to": .string(to), "group": .string(grouping.rawValue),
            // Ratings and gaps come from the newest events: false when older ones were left out.
            "complete": .bool(input.complete),
            "dimensions": .array(dimensions.map { dimension in
                let question = pack.survey?.questions.first { ($0.dimension ?? $0.id) == dimension }
                return [
                    "id": .string(dimension),
                    "label": [
                        "en": .string(Self.shortLabel(question?.text.text(in: "en")) ?? dimension),
                        "vi": .string(Self.shortLabel(question?.text.text(in: "vi")) ?? dimension),
                    ],
                ]
            }),
            "groups": .array(groups.map { Self.groupJSON($0) }),
            "totals": [
                "invited": .int(Int64(total.invited)), "responses": .int(Int64(total.responses)),
                "responseRate": .double(total.responseRate),
                "scores": .object(total.scores.mapValues { .double($0) }),
                "ratings": .int(Int64(input.ratings.count)),
                "helpfulShare": .double(
                    input.ratings.isEmpty
                        ? 0 : Barometer.Group.round(Double(helpfulRatings) / Double(input.ratings.count), places: 3)),
            ],
            "documents": .array(shares.map { share in
                [
                    "document": .string(share.document), "title": .string(titles[share.document] ?? share.document),
                    "ratings": .int(Int64(share.ratings)), "helpful": .int(Int64(share.helpful)),
                    "helpfulShare": .double(share.helpfulShare),
                ]
            }),
            "gaps": .array(Barometer.frequentGaps(input.gaps).map { gap in
                [
                    "question": .string(gap.question), "count": .int(Int64(gap.count)),
                    "documents": .array(gap.documents.map { .string($0) }),
                ]
            }),
        ]
        return Self.json(200, body)
    }

    /// Sets the Prometheus gauges from the default pack's current month.
    func refreshBarometerGauges() async {
        let pack = agents.defaultPack
        let today = String(Timestamp.now().prefix(10))
        let monthStart = String(today.prefix(8)) + "01"
        do {
            let input = try await barometerInput(pack: pack, from: monthStart, to: today)
            let dimensions = pack.survey?.dimensions ?? []
            let all = Barometer.total(responses: input.responses, invited: input.invited, dimensions: dimensions)
            let helpful = input.ratings.filter(\.helpful).count
            // A dimension nobody scored this month shows NaN, not last month's figure.
            var scores = Dictionary(uniqueKeysWithValues: dimensions.map { ($0, Double.nan) })
            for (dimension, score) in all.scores { scores[dimension] = score }
            metrics.setBarometer(
                scores: scores, responses: all.responses, responseRate: all.responseRate,
                helpfulShare: input.ratings.isEmpty ? 0 : Double(helpful) / Double(input.ratings.count))
        } catch {
            logger.error("barometer gauges not refreshed", metadata: ["error": "\(error)"])
        }
    }

    /// A question's name as a chart shows it: the words before its colon ("Transparency:
    /// clarity and …" → "Transparency"), else the whole question.
    static func shortLabel(_ text: String?) -> String? {
        guard let text else { return nil }
        guard let colon = text.firstIndex(where: { $0 == ":" || $0 == "：" }), text.distance(from: text.startIndex, to: colon) <= 48
        else { return text }
        return String(text[..<colon]).trimmingCharacters(in: .whitespaces)
    }

    static func groupJSON(_ group: Barometer.Group) -> JSONValue {
        [
            "key": .string(group.key), "invited": .int(Int64(group.invited)), "responses": .int(Int64(group.responses)),
            "responseRate": .double(group.responseRate), "scores": .object(group.scores.mapValues { .double($0) }),
            "counts": .object(group.counts.mapValues { .int(Int64($0)) }),
        ]
    }

    /// `from` and `to` as days (`YYYY-MM-DD`, `to` included): by default the twelve months to today.
    static func period(_ request: HTTPRequest) throws -> (from: String, to: String) {
        func day(_ name: String) throws -> String? {
            guard let text = request.queryValue(name), !text.isEmpty else { return nil }
            guard text.count == 10, Timestamp.parse(text + "T00:00:00Z") != nil else {
                throw Failure.badRequest("\(name) must be a day YYYY-MM-DD")
            }
            return text
        }
        let now = Timestamp.nowMilliseconds()
        let to = try day("to") ?? String(Timestamp.format(milliseconds: now).prefix(10))
        let from = try day("from") ?? String(Timestamp.format(milliseconds: now - 365 * 86_400_000).prefix(10))
        guard from <= to else { throw Failure.badRequest("from must not be after to") }
        return (from, to)
    }

    /// The RFC 3339 bound just after day `to`.
    static func dayAfter(_ day: String) -> String {
        let start = Timestamp.parse(day + "T00:00:00Z") ?? 0
        return Timestamp.format(milliseconds: start + 86_400_000)
    }

    /// Reads the period's survey answers, invitations, ratings and gaps of one pack.
    func barometerInput(pack: AgentPack, from: String, to: String) async throws -> BarometerInput {
        // Bounds written as the store writes times (milliseconds), so text order is time order.
        let start = Timestamp.format(milliseconds: Timestamp.parse(from + "T00:00:00Z") ?? 0)
        let end = Self.dayAfter(to)
        // Desk and zone of a meeting: the topic of the request it was planned from.
        var topics: [String: String] = [:]
        for request in try await store.requests(status: nil, limit: 100_000) {
            if let session = request.session { topics[session] = request.topic }
        }
        func place(session: SessionInfo, language: String, timeZone: String?) -> Barometer.Place {
            let topic = topics[session.id]
            let zone = topic.flatMap { pack.zone(id: $0) }
            let desk = zone?.desk ?? topic.flatMap { pack.desk(id: $0)?.id }
            return Barometer.Place(
                at: session.endedAt ?? session.createdAt, language: language, desk: desk, zone: zone?.id,
                country: TimeZoneCountry.country(of: timeZone))
        }
        var inviteZones: [String: String] = [:]
        var sessions: [String: SessionInfo] = [:]
        var invited: [Barometer.Place] = []
        // Invitations of meetings of this pack that ended in the period: those offered the survey.
        for session in try await store.sessions(matching: nil, status: .ended)
        where session.agent == pack.id && (session.endedAt ?? "") >= start && (session.endedAt ?? "") < end {
            sessions[session.id] = session
            // The survey is offered to investors who attended: joined, and neither removed nor
            // turned away (it answers the others 403).
            let shutOut = try await store.shutOutInvestors(of: session)
            let attended = Set(try await store.participants(session: session.id).map(\.id))
            for invite in try await store.invites(session: session.id)
            where invite.revokedAt == nil && attended.contains(invite.id) && !shutOut.removed.contains(invite.id)
                && !shutOut.declined.contains(invite.id)
            {
                invited.append(place(session: session, language: invite.language, timeZone: invite.timeZone))
                inviteZones[invite.id] = invite.timeZone
            }
        }
        var responses: [Barometer.Response] = []
        // Answers to those invitations, whenever they came within the survey's validity.
        for response in try await store.surveyResponses(from: start, to: "9999-12-31T23:59:59.999Z") {
            guard let session = sessions[response.session] else { continue }
            var scores: [String: Int] = [:]
            if case .object(let answers) = (try? JSONParser.parse(Array(response.answers.utf8), integersOnly: true)) ?? .null {
                for question in pack.survey?.questions ?? [] where question.kind == .scale {
                    if let value = answers[question.id]?.intValue { scores[question.dimension ?? question.id] = Int(value) }
                }
            }
            responses.append(
                Barometer.Response(
                    place: place(session: session, language: response.language, timeZone: inviteZones[response.invite]),
                    scores: scores))
        }
        // Ratings and gaps: events of the pack's sessions in the period.
        let events = try await store.events(
            ofKinds: [.question, .answer, .draft, .rating], agent: pack.id, limit: Self.barometerEventLimit)
        var answers: [String: Event] = [:]
        for event in events where event.kind == .answer { answers["\(event.session)#\(event.seq)"] = event }
        var ratings: [Barometer.Rating] = []
        for event in events where event.kind == .rating {
            let at = event.body["at"]?.stringValue ?? ""
            guard at >= start, at < end else { continue }
            let answer = event.body["about"]?.intValue.flatMap { answers["\(event.session)#\($0)"] }
            ratings.append(
                Barometer.Rating(
                    helpful: event.body["rating"]?.stringValue == "helpful",
                    documents: answer.map(KnowledgeGaps.cited) ?? []))
        }
        let floor = pack.manifest.handover?.confidenceFloor ?? 0.35
        let gaps = KnowledgeGaps.find(in: events, confidenceFloor: floor).filter { $0.at >= start && $0.at < end }
            .map { Barometer.Gap(question: $0.question.text ?? "", documents: $0.documents) }
        return BarometerInput(
            responses: responses, invited: invited, ratings: ratings, gaps: gaps,
            complete: events.count < Self.barometerEventLimit)
    }


    /// One row per group: key, invited, responses, rate, then each dimension's mean and count.
    static func barometerCSV(
        groups: [Barometer.Group], dimensions: [String], grouping: Barometer.Grouping, from: String, to: String
    ) -> HTTPResponse {
        func cell(_ text: String) -> String {
            // Quoted when needed (RFC 4180); a leading formula character is defused for spreadsheets.
            var value = text
            if let first = value.first, "=+-@".contains(first) { value = "'" + value }
            return value.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
        }
        var lines = [([grouping.rawValue, "invited", "responses", "response_rate"] + dimensions.flatMap { [$0, "\($0)_count"] }).joined(separator: ",")]
        for group in groups {
            var row = [cell(group.key), String(group.invited), String(group.responses), String(group.responseRate)]
            for dimension in dimensions {
                row.append(group.scores[dimension].map { String($0) } ?? "")
                row.append(String(group.counts[dimension] ?? 0))
            }
            lines.append(row.joined(separator: ","))
        }
        return HTTPResponse(
            status: 200, contentType: "text/csv; charset=utf-8",
            headers: [("Content-Disposition", "attachment; filename=\"barometer-\(grouping.rawValue)-\(from)-\(to).csv\"")],
            body: Array((lines.joined(separator: "\r\n") + "\r\n").utf8))
    }
}
