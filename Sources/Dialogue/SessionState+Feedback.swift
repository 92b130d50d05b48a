/// The rules of an investor's rating of an answer and of a file shared in the session
/// (issue 19): value-level decisions, tested without sockets.
extension SessionState {
    /// The investor who asked rates a published answer, once. `reasons` are the ids the
    /// pack's survey offers (nil: the pack has none, so no reason is accepted).
    /// Longest comment, in characters.
    package static let maxRatingCommentCharacters = 2000

    package mutating func rate(
        by investor: Participant, answer: Int64, rating: String, reason: String?, comment: String?,
        reasons: Set<String>?, at: String, clientId: String? = nil
    ) throws(DialogueError) -> Event {
        do {
            return try decideRating(
                by: investor, answer: answer, rating: rating, reason: reason, comment: comment, reasons: reasons, at: at,
                clientId: clientId)
        } catch {
            var named = error
            named.ref = clientId
            throw named
        }
    }

    private mutating func decideRating(
        by investor: Participant, answer: Int64, rating: String, reason: String?, comment: String?,
        reasons: Set<String>?, at: String, clientId: String?
    ) throws(DialogueError) -> Event {
        try requireLive()
        if let comment, comment.count > Self.maxRatingCommentCharacters {
            throw DialogueError(
                .badRequest, "field \"comment\" has \(comment.count) characters; at most \(Self.maxRatingCommentCharacters)")
        }
        guard investor.role == .investor else {
            throw DialogueError(.forbidden, "only the investor who asked the question may rate its answer")
        }
        // A muted investor's comment would reach everyone, as a message would.
        if participant(investor.id)?.muted == true { throw DialogueError(.forbidden, "you are muted in this session") }
        guard let question = answerAbout[answer] else {
            throw DialogueError(.notFound, "seq \(answer) is not an answer of the assistant in session \(info.id)")
        }
        guard askedBy[question] == investor.id else {
            throw DialogueError(.forbidden, "only the investor who asked the question may rate its answer")
        }
        guard !ratedAnswers.contains(answer) else {
            throw DialogueError(.conflict, "you rated the answer at seq \(answer) already")
        }
        if let reason {
            guard rating == "unhelpful" else {
                throw DialogueError(.badRequest, "a reason goes with an unhelpful rating only")
            }
            guard let reasons, reasons.contains(reason) else {
                let known = (reasons ?? []).sorted().joined(separator: ", ")
                throw DialogueError(
                    .badRequest, "\"\(reason)\" is not one of the pack's reasons (\(known.isEmpty ? "none" : known))")
            }
        }
        var fields: [String: JSONValue] = ["about": .int(answer), "rating": .string(rating)]
        if let reason { fields["reason"] = .string(reason) }
        if let comment { fields["comment"] = .string(comment) }
        return decide(.rating, by: investor, at: at, clientId: clientId, fields: fields)
    }

    /// An officer shares a stored file: the event carries what the signed record must prove
    /// (`{"id","name","type","size","sha256","url"}`).
    package mutating func shareAttachment(by officer: Participant, attachment: JSONValue, at: String) throws(DialogueError) -> Event {
        try requireLive()
        return decide(.attachment, by: officer, at: at, fields: ["attachment": attachment])
    }
}
