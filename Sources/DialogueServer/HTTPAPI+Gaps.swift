import Dialogue
import Store
import Transport

extension HTTPAPI {
    /// `GET /v1/gaps?agent=ID`: questions the assistant answered with low confidence or
    /// handed over, and answers the investor rated unhelpful (with the documents they cited),
    /// newest first — what the pack's documents should cover next.
    func gaps(_ call: RouteCall) async throws -> HTTPResponse {
        let pack = try requestedPack(call.request)
        let floor = pack.manifest.handover?.confidenceFloor ?? 0.35
        let events = try await store.events(ofKinds: [.question, .draft, .answer, .rating], agent: pack.id, limit: Self.gapEventLimit)
        let gaps: [JSONValue] = KnowledgeGaps.find(in: events, confidenceFloor: floor).map { found in
            let question = found.question
            var gap: [String: JSONValue] = [
                "session": .string(question.session), "seq": .int(question.seq), "question": .string(question.text ?? ""),
                "language": .string(question.body["language"]?.stringValue ?? ""), "at": .string(found.at),
                "reason": .string(found.reason.rawValue), "documents": .array(found.documents.map { .string($0) }),
            ]
            if let rating = found.rating {
                gap["answer"] = .int(found.reply.seq)
                if let why = rating.body["reason"]?.stringValue { gap["ratingReason"] = .string(why) }
                if let comment = rating.body["comment"]?.stringValue { gap["comment"] = .string(comment) }
            } else if let confidence = found.confidence {
                gap["confidence"] = .double(confidence)
            }
            if let desk = found.desk { gap["desk"] = .string(desk) }
            return .object(gap)
        }
        // Read from the newest events only: say so when older ones were left out.
        return Self.json(200, ["gaps": .array(gaps), "complete": .bool(events.count < Self.gapEventLimit)])
    }

    /// Most events one gap list reads (newest sessions first).
    static let gapEventLimit = 20_000
}
