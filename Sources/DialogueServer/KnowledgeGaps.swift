import Dialogue

/// What the pack's documents should cover next, read from a pack's stored events: answers
/// the investor who asked rated unhelpful, and questions the assistant handed over or
/// answered below the confidence floor. One reading for `GET /v1/gaps` and the barometer.
struct KnowledgeGaps {
    enum Reason: String, Sendable {
        case unhelpful
        case handedOver = "handed_over"
        case lowConfidence = "low_confidence"
    }

    struct Gap: Sendable {
        var reason: Reason
        var question: Event
        /// The draft or answer the gap is about.
        var reply: Event
        /// The investor's rating, for `unhelpful`.
        var rating: Event?
        /// Ids of the documents the reply cited.
        var documents: [String]
        var confidence: Double?
        var desk: String?

        /// When the gap arose: the rating's time for `unhelpful`, else the question's.
        var at: String { (rating ?? question).body["at"]?.stringValue ?? "" }
    }

    /// Gaps of `events` (questions, drafts, answers and ratings of a pack, in any order):
    /// unhelpful ratings first (the investor's own verdict outranks the assistant's
    /// confidence), then the others in the order given; one gap per question, its first
    /// reply counting (a draft and the answer approved from it are one gap).
    static func find(in events: [Event], confidenceFloor: Double) -> [Gap] {
        var questions: [String: Event] = [:]
        var answers: [String: Event] = [:]
        for event in events {
            let key = "\(event.session)#\(event.seq)"
            if event.kind == .question { questions[key] = event }
            if event.kind == .answer { answers[key] = event }
        }
        var seen: Set<String> = []
        var gaps: [Gap] = []
        for rating in events where rating.kind == .rating && rating.body["rating"]?.stringValue == "unhelpful" {
            guard let answerSeq = rating.body["about"]?.intValue, let answer = answers["\(rating.session)#\(answerSeq)"],
                let about = answer.body["about"]?.intValue, let question = questions["\(rating.session)#\(about)"],
                seen.insert("\(rating.session)#\(about)").inserted
            else { continue }
            gaps.append(
                Gap(
                    reason: .unhelpful, question: question, reply: answer, rating: rating, documents: cited(answer),
                    confidence: confidence(answer), desk: nil))
        }
        for reply in events where reply.kind == .draft || reply.kind == .answer {
            guard let about = reply.body["about"]?.intValue else { continue }
            let confidence = confidence(reply)
            let desk = reply.body["contact"]?["desk"]?.stringValue
            let reason: Reason
            if desk != nil {
                reason = .handedOver
            } else if let confidence, confidence < confidenceFloor {
                reason = .lowConfidence
            } else {
                continue
            }
            let key = "\(reply.session)#\(about)"
            guard seen.insert(key).inserted, let question = questions[key] else { continue }
            gaps.append(
                Gap(
                    reason: reason, question: question, reply: reply, rating: nil, documents: cited(reply),
                    confidence: confidence, desk: desk))
        }
        return gaps
    }

    /// `confidencePercent` (an integer) since issue 16; `confidence` (0…1) before.
    static func confidence(_ reply: Event) -> Double? {
        reply.body["confidencePercent"]?.intValue.map { Double($0) / 100 } ?? reply.body["confidence"]?.doubleValue
    }

    static func cited(_ reply: Event) -> [String] {
        (reply.body["citations"]?.arrayValue ?? []).compactMap { $0["document"]?.stringValue }
    }
}
