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
        let events = try await store.events(ofKinds: [.question, .draft, .answer, .rating], agent: pack.id, limit: 20_000)
        var questions: [String: Event] = [:]
        var answers: [String: Event] = [:]
        for event in events where event.kind == .question { questions["\(event.session)#\(event.seq)"] = event }
        for event in events where event.kind == .answer { answers["\(event.session)#\(event.seq)"] = event }
        func documents(_ reply: Event?) -> JSONValue {
            .array((reply?.body["citations"]?.arrayValue ?? []).compactMap { $0["document"] })
        }
        var seen: Set<String> = []
        var gaps: [JSONValue] = []
        // Unhelpful ratings first: the investor's own verdict outranks the assistant's confidence.
        for rating in events where rating.kind == .rating && rating.body["rating"]?.stringValue == "unhelpful" {
            guard let answerSeq = rating.body["about"]?.intValue, let answer = answers["\(rating.session)#\(answerSeq)"],
                let about = answer.body["about"]?.intValue, let question = questions["\(rating.session)#\(about)"],
                seen.insert("\(rating.session)#\(about)").inserted
            else { continue }
            var gap: [String: JSONValue] = [
                "session": .string(rating.session), "seq": .int(about), "question": .string(question.text ?? ""),
                "language": .string(question.body["language"]?.stringValue ?? ""),
                "at": .string(rating.body["at"]?.stringValue ?? ""), "reason": "unhelpful", "answer": .int(answerSeq),
                "documents": documents(answer),
            ]
            if let why = rating.body["reason"]?.stringValue { gap["ratingReason"] = .string(why) }
            if let comment = rating.body["comment"]?.stringValue { gap["comment"] = .string(comment) }
            gaps.append(.object(gap))
        }
        // A question's draft and its approved answer are one gap: the first reply seen counts.
        for reply in events where reply.kind != .question {
            guard let about = reply.body["about"]?.intValue else { continue }
            let key = "\(reply.session)#\(about)"
            // `confidencePercent` (an integer) since issue 16; `confidence` (0…1) before.
            let confidence =
                reply.body["confidencePercent"]?.intValue.map { Double($0) / 100 } ?? reply.body["confidence"]?.doubleValue
            let desk = reply.body["contact"]?["desk"]?.stringValue
            let reason: String
            if desk != nil {
                reason = "handed_over"
            } else if let confidence, confidence < floor {
                reason = "low_confidence"
            } else {
                continue
            }
            guard seen.insert(key).inserted, let question = questions[key] else { continue }
            var gap: [String: JSONValue] = [
                "session": .string(reply.session), "seq": .int(about), "question": .string(question.text ?? ""),
                "language": .string(question.body["language"]?.stringValue ?? ""),
                "at": .string(question.body["at"]?.stringValue ?? ""), "reason": .string(reason),
                "documents": documents(reply),
            ]
            if let confidence { gap["confidence"] = .double(confidence) }
            if let desk { gap["desk"] = .string(desk) }
            gaps.append(.object(gap))
        }
        return Self.json(200, ["gaps": .array(gaps)])
    }
}
