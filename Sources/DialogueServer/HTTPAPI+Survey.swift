import AgentPacks
import Dialogue
import Foundation
import HashChain
import Store
import Transport

/// The investor's verdict (docs/knowledge.md): the reasons offered with an unhelpful rating,
/// and the end-of-meeting survey, authorised by the invite code as `Bearer`, answered once.
extension HTTPAPI {
    /// `GET /v1/rating-reasons?agent=&language=`: the pack's reasons in a language (public:
    /// the investor page shows them before anything is sent).
    func ratingReasons(_ call: RouteCall) throws -> HTTPResponse {
        let pack = try requestedPack(call.request)
        let language = call.request.queryValue("language") ?? pack.manifest.defaultLanguage
        let reasons = pack.survey?.ratingReasons ?? []
        return Self.json(
            200,
            [
                "reasons": .array(
                    reasons.map { ["id": .string($0.id), "text": .string($0.text.text(in: language))] })
            ])
    }

    /// `GET /v1/survey`: the questions in the invite's language, and whether it answered.
    func survey(_ call: RouteCall) async throws -> HTTPResponse {
        let (invite, session, definition, validUntil) = try await surveyAccess(call.request)
        let language = invite.language
        let answered = try await store.surveyResponse(invite: invite.id) != nil
        var body: [String: JSONValue] = [
            "session": .string(session.id), "title": .string(session.title), "language": .string(language),
            "answered": .bool(answered), "validUntil": .string(validUntil),
            "scale": ["low": .string(definition.low.text(in: language)), "high": .string(definition.high.text(in: language))],
            "questions": .array(
                definition.questions.map { question in
                    var entry: [String: JSONValue] = [
                        "id": .string(question.id), "kind": .string(question.kind.rawValue),
                        "text": .string(question.text.text(in: language)),
                    ]
                    if question.kind == .scale { entry["dimension"] = .string(question.dimension ?? question.id) }
                    return .object(entry)
                }),
            "ratingReasons": .array(
                definition.ratingReasons.map { ["id": .string($0.id), "text": .string($0.text.text(in: language))] }),
        ]
        if let intro = definition.intro { body["intro"] = .string(intro.text(in: language)) }
        return Self.json(200, .object(body))
    }

    /// `POST /v1/survey` `{"answers":{"<question id>": 1…5 | "text"}}`: stored once per
    /// invite with a signed record (session, invite, answers, time, the session's chain head).
    func answerSurvey(_ call: RouteCall) async throws -> HTTPResponse {
        let (invite, session, definition, _) = try await surveyAccess(call.request)
        let fields = try body(call.request)
        guard case .object(let members) = fields else { throw Failure.badRequest("the body must be a JSON object") }
        if let unknown = members.keys.sorted().first(where: { $0 != "answers" }) {
            throw Failure.badRequest("unknown field \"\(unknown)\": the body is {\"answers\":{…}}")
        }
        guard case .object(let given) = members["answers"] ?? .null else {
            throw Failure.badRequest("\"answers\" must be an object of question id to 1…5 or text")
        }
        var answers: [String: SurveyAnswer] = [:]
        for (id, value) in given {
            if let number = value.intValue {
                answers[id] = .score(Int(clamping: number))
            } else if let text = value.stringValue {
                answers[id] = .text(text)
            } else {
                throw Failure.badRequest("\"\(id)\" must be a whole number from 1 to 5 or text")
            }
        }
        let kept: [String: SurveyAnswer]
        switch definition.validate(answers) {
        case .success(let valid): kept = valid
        case .failure(let refusal): throw Failure.badRequest(refusal.reason)
        }
        guard try await store.surveyResponse(invite: invite.id) == nil else {
            throw Failure.conflict("this invitation's survey was answered already; thank you")
        }
        let answersJSON = JSONValue.object(
            kept.mapValues { answer in
                switch answer {
                case .score(let value): return .int(Int64(value))
                case .text(let text): return .string(text)
                }
            })
        let now = Timestamp.now()
        // The newest signed head of the session's chain (its final one once it ended): the
        // record names the meeting as it was signed.
        let head = try await store.checkpoints(session: session.id).max { $0.seq < $1.seq }
        let record: JSONValue = [
            "kind": "survey", "session": .string(session.id), "invite": .string(invite.id),
            "language": .string(invite.language), "answers": answersJSON, "at": .string(now),
            "headSeq": .int(head?.seq ?? 0),
            "headChain": .string(Hex.encode(head?.chain ?? [])),
        ]
        let recordText = JSONWriter.string(record)
        let response = SurveyResponse(
            invite: invite.id, session: session.id, language: invite.language, answers: JSONWriter.string(answersJSON),
            submittedAt: now, record: recordText, signature: transcripts.sign(Array(recordText.utf8)))
        guard try await store.saveSurveyResponse(response) else {
            throw Failure.conflict("this invitation's survey was answered already; thank you")
        }
        logger.info("survey answered", metadata: ["session.id": "\(session.id)", "invite.id": "\(invite.id)"])
        // The gauges follow at once, without holding the investor's answer.
        let api = self
        Task.detached(priority: .utility) { await api.refreshBarometerGauges() }
        return Self.json(
            201,
            ["accepted": true, "record": record, "signature": .string(response.signature), "publicKey": .string(transcripts.publicKey)])
    }

    /// The invite behind the bearer code, its ended session, the pack's survey and until when
    /// it answers. An expired code still opens the survey (the link lasts `validDays` after
    /// the end); a revoked one does not, nor one of an investor removed or turned away.
    private func surveyAccess(_ request: HTTPRequest) async throws -> (Invite, SessionInfo, SurveyDefinition, String) {
        guard let header = request.headers["authorization"], header.lowercased().hasPrefix("bearer ") else {
            throw Failure(status: 401, code: "unauthorized", message: "send the invite code as Authorization: Bearer CODE")
        }
        let code = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard SecretToken.isWellFormed(code), !code.hasPrefix("dst_"), let invite = try await store.invite(code: code),
            invite.revokedAt == nil
        else {
            await signInFailures.failed(request.peer)
            throw Failure(status: 401, code: "unauthorized", message: "unknown or revoked invite code")
        }
        guard let session = try await store.session(id: invite.session) else { throw Failure.notFound("no session") }
        let shutOut = try await store.shutOutInvestors(of: session)
        if shutOut.removed.contains(invite.id) || shutOut.declined.contains(invite.id) {
            throw Failure(status: 403, code: "forbidden", message: "you did not take part in this meeting")
        }
        guard let definition = (agents.pack(id: session.agent) ?? agents.defaultPack).survey else {
            throw Failure.notFound("this agency has no survey")
        }
        guard session.status == .ended, let ended = session.endedAt.flatMap(Timestamp.parse) else {
            throw Failure(status: 403, code: "forbidden", message: "the survey opens once the meeting has ended")
        }
        let until = ended + Int64(definition.validDays) * 86_400_000
        guard Timestamp.nowMilliseconds() < until else {
            throw Failure(status: 410, code: "gone", message: "this survey link expired \(definition.validDays) days after the meeting")
        }
        // The survey is about a meeting the investor attended (joined at least once).
        guard try await store.participants(session: session.id).contains(where: { $0.id == invite.id }) else {
            throw Failure(status: 403, code: "forbidden", message: "you did not take part in this meeting")
        }
        return (invite, session, definition, Timestamp.format(milliseconds: until))
    }
}
