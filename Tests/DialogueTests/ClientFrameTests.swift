import Testing

@testable import Dialogue

/// Decodes a frame from its JSON text.
private func decode(_ text: String) throws(DialogueError) -> ClientFrame {
    try ClientFrame.decode(Array(text.utf8))
}

/// The error a frame is refused with, or nil when it decodes.
private func refusal(_ text: String) -> DialogueError? {
    do {
        _ = try decode(text)
        return nil
    } catch {
        return error
    }
}

@Suite struct ClientFrameTests {
    // MARK: Every frame type

    @Test func hello() throws {
        #expect(
            try decode(#"{"type":"hello","token":"dst_x","language":"vi"}"#)
                == .hello(token: "dst_x", language: "vi", name: nil, resume: nil))
        #expect(
            try decode(
                #"{"type":"hello","token":"abc","language":"EN","name":"Kenji","resume":{"session":"ses_1","after":7}}"#
            )
                == .hello(token: "abc", language: "en", name: "Kenji", resume: .init(session: "ses_1", after: 7)))
        #expect(
            try decode(#"{"type":"hello","token":"abc","language":"zh-Hant","resume":{"session":"ses_1"}}"#)
                == .hello(token: "abc", language: "zh-Hant", name: nil, resume: .init(session: "ses_1", after: 0)))
        #expect(
            try decode(#"{"type":"hello","token":"abc","language":"en","resume":null,"name":null}"#)
                == .hello(token: "abc", language: "en", name: nil, resume: nil))
    }

    @Test func join() throws {
        #expect(try decode(#"{"type":"join","session":"ses_1"}"#) == .join(session: "ses_1", after: 0))
        #expect(try decode(#"{"type":"join","session":"ses_1","after":12}"#) == .join(session: "ses_1", after: 12))
        #expect(try decode(#"{"type":"join","session":"ses_1","after":null}"#) == .join(session: "ses_1", after: 0))
    }

    @Test func say() throws {
        #expect(
            try decode(#"{"type":"say","session":"s","text":"Xin chào","clientId":"c1"}"#)
                == .say(session: "s", text: "Xin chào", clientId: "c1", language: nil, citations: nil))
        #expect(
            try decode(
                #"{"type":"say","session":"s","text":" hi ","clientId":"c1","language":"VI","citations":[{"document":"d","title":"T","passage":"P","source":""}]}"#
            )
                == .say(session: "s", text: " hi ", clientId: "c1", language: "vi", citations: [["document": "d", "title": "T", "passage": "P", "source": ""]]))
        #expect(
            try decode(#"{"type":"say","session":"s","text":"hi","clientId":"c1","language":null,"citations":null}"#)
                == .say(session: "s", text: "hi", clientId: "c1", language: nil, citations: nil))
    }

    @Test func ask() throws {
        #expect(
            try decode(#"{"type":"ask","session":"s","text":"What is the lease term?","clientId":"q1"}"#)
                == .ask(session: "s", text: "What is the lease term?", clientId: "q1"))
    }

    @Test func approveAndReject() throws {
        #expect(
            try decode(#"{"type":"approve","session":"s","draft":5}"#) == .approve(session: "s", draft: 5, text: nil))
        #expect(
            try decode(#"{"type":"approve","session":"s","draft":5,"text":"edited"}"#)
                == .approve(session: "s", draft: 5, text: "edited"))
        #expect(
            try decode(#"{"type":"reject","session":"s","draft":6}"#) == .reject(session: "s", draft: 6, reason: nil))
        #expect(
            try decode(#"{"type":"reject","session":"s","draft":6,"reason":"wrong"}"#)
                == .reject(session: "s", draft: 6, reason: "wrong"))
    }

    @Test(arguments: ["mute", "unmute", "remove"])
    func moderateParticipant(action: String) throws {
        #expect(
            try decode(#"{"type":"moderate","session":"s","action":"\#(action)","target":"inv_1"}"#)
                == .moderate(session: "s", action: action, target: "inv_1", mode: nil))
    }

    @Test(arguments: ["auto", "review", "off"])
    func moderateAssistantMode(mode: String) throws {
        #expect(
            try decode(#"{"type":"moderate","session":"s","action":"assistant","mode":"\#(mode)"}"#)
                == .moderate(session: "s", action: "assistant", target: nil, mode: mode))
    }

    @Test func endAndLeave() throws {
        #expect(try decode(#"{"type":"end","session":"s"}"#) == .end(session: "s"))
        #expect(try decode(#"{"type":"leave","session":"s"}"#) == .leave(session: "s"))
    }

    @Test func translate() throws {
        #expect(
            try decode(#"{"type":"translate","session":"s","seq":3,"language":"VI","text":"Xin chào"}"#)
                == .translate(session: "s", seq: 3, language: "vi", text: "Xin chào"))
        // Empty or blank text decodes: the session's rules refuse it, with the limit beside it.
        #expect(
            try decode(#"{"type":"translate","session":"s","seq":3,"language":"vi","text":""}"#)
                == .translate(session: "s", seq: 3, language: "vi", text: ""))
    }

    @Test func unknownMembersAreIgnored() throws {
        #expect(try decode(#"{"type":"leave","session":"s","extra":{"x":[1]}}"#) == .leave(session: "s"))
    }

    @Test func actionAndSession() throws {
        let frames: [(String, Action?, String?)] = [
            (#"{"type":"hello","token":"t","language":"en"}"#, nil, nil),
            (#"{"type":"hello","token":"t","language":"en","resume":{"session":"r"}}"#, nil, "r"),
            (#"{"type":"join","session":"s1"}"#, .join, "s1"),
            (#"{"type":"say","session":"s2","text":"x","clientId":"c"}"#, .say, "s2"),
            (#"{"type":"ask","session":"s3","text":"x","clientId":"c"}"#, .ask, "s3"),
            (#"{"type":"approve","session":"s4","draft":1}"#, .approve, "s4"),
            (#"{"type":"reject","session":"s5","draft":1}"#, .reject, "s5"),
            (#"{"type":"moderate","session":"s6","action":"mute","target":"t"}"#, .moderate, "s6"),
            (#"{"type":"end","session":"s7"}"#, .end, "s7"),
            (#"{"type":"leave","session":"s8"}"#, .leave, "s8"),
            (#"{"type":"translate","session":"s9","seq":1,"language":"vi","text":"x"}"#, .translate, "s9"),
        ]
        for (text, action, session) in frames {
            let frame = try decode(text)
            #expect(frame.action == action, "\(text)")
            #expect(frame.session == session, "\(text)")
        }
    }

    // MARK: Refusals

    @Test func malformedJSON() {
        let error = refusal(#"{"type":"say","#)
        #expect(error?.code == .badRequest)
        #expect(error?.message.hasPrefix("malformed JSON") == true)
        #expect(refusal(#"{"type":"leave","session":"s",}"#)?.code == .badRequest)
        #expect(refusal("")?.code == .badRequest)
    }

    @Test(arguments: ["[]", "\"hello\"", "1", "null", "true", #"[{"type":"leave","session":"s"}]"#])
    func nonObject(_ text: String) {
        let error = refusal(text)
        #expect(error?.code == .badRequest)
        #expect(error?.message == "a frame must be a JSON object")
        #expect(error?.ref == nil)
    }

    @Test func missingOrBadType() {
        #expect(refusal(#"{"session":"s"}"#) == DialogueError(.badRequest, "missing field \"type\""))
        #expect(
            refusal(#"{"session":"s","clientId":"c9"}"#)
                == DialogueError(.badRequest, "missing field \"type\"", ref: "c9"))
        #expect(refusal(#"{"type":5}"#) == DialogueError(.badRequest, "field \"type\" must be a string"))
    }

    @Test func unknownType() {
        let error = refusal(#"{"type":"shout","session":"s","clientId":"c7"}"#)
        #expect(error == DialogueError(.badRequest, "unknown frame type \"shout\"", ref: "c7"))
        #expect(refusal(#"{"type":"HELLO","token":"t","language":"en"}"#)?.message == "unknown frame type \"HELLO\"")
        #expect(refusal(#"{"type":"event"}"#)?.code == .badRequest)
    }

    /// Each frame with one required field left out: the error names that field.
    @Test(arguments: [
        (#"{"type":"hello","language":"en"}"#, "token"),
        (#"{"type":"hello","token":"t"}"#, "language"),
        (#"{"type":"hello","token":"t","language":"en","resume":{"after":1}}"#, "session"),
        (#"{"type":"join"}"#, "session"),
        (#"{"type":"say","text":"x","clientId":"c"}"#, "session"),
        (#"{"type":"say","session":"s","clientId":"c"}"#, "text"),
        (#"{"type":"say","session":"s","text":"x"}"#, "clientId"),
        (#"{"type":"ask","text":"x","clientId":"c"}"#, "session"),
        (#"{"type":"ask","session":"s","clientId":"c"}"#, "text"),
        (#"{"type":"ask","session":"s","text":"x"}"#, "clientId"),
        (#"{"type":"approve","session":"s"}"#, "draft"),
        (#"{"type":"approve","draft":1}"#, "session"),
        (#"{"type":"reject","session":"s"}"#, "draft"),
        (#"{"type":"moderate","session":"s"}"#, "action"),
        (#"{"type":"moderate","session":"s","action":"mute"}"#, "target"),
        (#"{"type":"moderate","session":"s","action":"assistant"}"#, "mode"),
        (#"{"type":"moderate","action":"mute","target":"t"}"#, "session"),
        (#"{"type":"end"}"#, "session"),
        (#"{"type":"leave"}"#, "session"),
        (#"{"type":"leave","session":null}"#, "session"),
        (#"{"type":"translate","seq":1,"language":"vi","text":"x"}"#, "session"),
        (#"{"type":"translate","session":"s","language":"vi","text":"x"}"#, "seq"),
        (#"{"type":"translate","session":"s","seq":1,"text":"x"}"#, "language"),
        (#"{"type":"translate","session":"s","seq":1,"language":"vi"}"#, "text"),
    ])
    func missingFieldIsNamed(text: String, field: String) {
        let error = refusal(text)
        #expect(error?.code == .badRequest, "\(text)")
        #expect(error?.message == "missing field \"\(field)\"", "\(text)")
    }

    @Test(arguments: [
        (#"{"type":"join","session":""}"#, "session"),
        (#"{"type":"join","session":5}"#, "session"),
        (#"{"type":"hello","token":["t"],"language":"en"}"#, "token"),
        (#"{"type":"say","session":"s","text":"x","clientId":7}"#, "clientId"),
        (#"{"type":"say","session":"s","text":"","clientId":"c"}"#, "text"),
        (#"{"type":"join","session":"s","after":-1}"#, "after"),
        (#"{"type":"join","session":"s","after":"3"}"#, "after"),
        (#"{"type":"approve","session":"s","draft":"1"}"#, "draft"),
        (#"{"type":"approve","session":"s","draft":1,"text":5}"#, "text"),
        (#"{"type":"reject","session":"s","draft":1,"reason":false}"#, "reason"),
        (#"{"type":"hello","token":"t","language":"en","name":3}"#, "name"),
        (#"{"type":"hello","token":"t","language":"en","resume":"ses_1"}"#, "resume"),
        (#"{"type":"say","session":"s","text":"x","clientId":"c","citations":{"a":1}}"#, "citations"),
        (#"{"type":"translate","session":"s","seq":"1","language":"vi","text":"x"}"#, "seq"),
        (#"{"type":"translate","session":"s","seq":1,"language":"vi","text":7}"#, "text"),
        (#"{"type":"translate","session":"s","seq":1,"language":"vietnamese","text":"x"}"#, "language"),
    ])
    func wrongTypeIsNamed(text: String, field: String) {
        let error = refusal(text)
        #expect(error?.code == .badRequest, "\(text)")
        #expect(error?.message.hasPrefix("field \"\(field)\"") == true, "\(text): \(error?.message ?? "accepted")")
    }

    @Test func refusalsOfFramesWithAClientIdCarryItAsRef() {
        let frames = [
            #"{"type":"say","text":"x","clientId":"c-42"}"#,
            #"{"type":"say","session":"s","clientId":"c-42"}"#,
            #"{"type":"say","session":"s","text":"   ","clientId":"c-42"}"#,
            #"{"type":"say","session":"s","text":"x","clientId":"c-42","language":"english"}"#,
            #"{"type":"say","session":"s","text":"x","clientId":"c-42","citations":"none"}"#,
            #"{"type":"ask","session":"s","text":"\n\t","clientId":"c-42"}"#,
            #"{"type":"ask","text":"x","clientId":"c-42"}"#,
            #"{"type":"nope","clientId":"c-42"}"#,
        ]
        for text in frames {
            let error = refusal(text)
            #expect(error?.code == .badRequest, "\(text)")
            #expect(error?.ref == "c-42", "\(text)")
            #expect(error?.frame["ref"] == "c-42", "\(text)")
        }
    }

    @Test(arguments: ["   ", "\n", "\t \r\n", "\u{00A0}", "\u{3000}"])
    func blankTextIsRefused(_ blank: String) {
        for type in ["say", "ask"] {
            let value: JSONValue = ["type": .string(type), "session": "s", "text": .string(blank), "clientId": "c"]
            #expect(throws: DialogueError(.badRequest, "field \"text\" is blank", ref: "c")) {
                try ClientFrame.decode(value)
            }
        }
    }

    @Test(arguments: ["english", "e", "en_US", "", "12", "en-", "vi VN"])
    func badLanguageIsRefused(_ language: String) {
        let hello: JSONValue = ["type": "hello", "token": "t", "language": .string(language)]
        let say: JSONValue = [
            "type": "say", "session": "s", "text": "x", "clientId": "c", "language": .string(language),
        ]
        for frame in [hello, say] {
            do {
                _ = try ClientFrame.decode(frame)
                Issue.record("accepted language \(language)")
            } catch {
                #expect(error.code == .badRequest)
                #expect(error.message.contains("\"language\""))
            }
        }
    }

    @Test func badModerateActionOrMode() {
        let action = refusal(#"{"type":"moderate","session":"s","action":"ban","target":"t"}"#)
        #expect(action == DialogueError(.badRequest, "field \"action\" must be mute, unmute, remove or assistant"))
        let mode = refusal(#"{"type":"moderate","session":"s","action":"assistant","mode":"manual"}"#)
        #expect(mode == DialogueError(.badRequest, "field \"mode\" must be auto, review or off"))
        #expect(refusal(#"{"type":"moderate","session":"s","action":"MUTE","target":"t"}"#)?.code == .badRequest)
        #expect(refusal(#"{"type":"moderate","session":"s","action":"mute","target":""}"#)?.code == .badRequest)
    }

    @Test func lengthLimits() {
        let longId = String(repeating: "c", count: ClientFrame.maxClientIdLength + 1)
        let okId = String(repeating: "c", count: ClientFrame.maxClientIdLength)
        #expect(refusal(#"{"type":"say","session":"s","text":"x","clientId":"\#(okId)"}"#) == nil)
        #expect(refusal(#"{"type":"say","session":"s","text":"x","clientId":"\#(longId)"}"#)?.code == .badRequest)
        let longName = String(repeating: "n", count: ClientFrame.maxNameLength + 1)
        #expect(
            refusal(#"{"type":"hello","token":"t","language":"en","name":"\#(longName)"}"#)?.message.contains("longer")
                == true)
        let longReason = String(repeating: "r", count: 4097)
        #expect(refusal(#"{"type":"reject","session":"s","draft":1,"reason":"\#(longReason)"}"#)?.code == .badRequest)
    }

    @Test func errorFrameShape() {
        #expect(
            DialogueError(.rateLimited, "slow down", ref: "c1").frame
                == ["type": "error", "code": "rate_limited", "message": "slow down", "ref": "c1"])
        #expect(DialogueError(.notFound, "gone").frame == ["type": "error", "code": "not_found", "message": "gone"])
    }
}

@Suite struct ClientFrameNumberTests {
    /// Fractions and exponents never reach a stored event: refused at parsing, wherever
    /// the number sits, with the frame's clientId as `ref` when it has one.
    @Test(arguments: [
        #"{"type":"join","session":"s","after":1.5}"#,
        #"{"type":"join","session":"s","after":2.0}"#,
        #"{"type":"join","session":"s","after":1e3}"#,
        #"{"type":"approve","session":"s","draft":3E0}"#,
        #"{"type":"hello","token":"t","language":"en","resume":{"session":"s","after":0.0}}"#,
        #"{"type":"say","session":"s","text":"x","clientId":"c-9","extra":-0.5}"#,
        #"{"type":"join","session":"s","after":9223372036854775808}"#,
    ])
    func fractionsAndExponentsAreRefused(text: String) {
        let error = refusal(text)
        #expect(error?.code == .badRequest, "\(text)")
        #expect(error?.message.hasPrefix("malformed JSON: ") == true, "\(text): \(error?.message ?? "accepted")")
        #expect(error?.message.contains("integer") == true, "\(text): \(error?.message ?? "accepted")")
    }

    @Test func theRefusalCarriesTheClientId() {
        let error = refusal(#"{"type":"say","session":"s","text":"x","clientId":"c-9","citations":[{"document":1.5}]}"#)
        #expect(error?.ref == "c-9")
    }

    @Test func integersStillDecode() throws {
        #expect(try decode(#"{"type":"join","session":"s","after":-0}"#) == .join(session: "s", after: 0))
        #expect(try decode(#"{"type":"join","session":"s","after":42}"#) == .join(session: "s", after: 42))
    }
}

@Suite struct ClientFrameCitationTests {
    private static let good = #"{"document":"d","title":"T","passage":"P","source":"https://a.example"}"#

    @Test func theDocumentedShapeIsKept() throws {
        let frame = try decode(#"{"type":"say","session":"s","text":"x","clientId":"c","citations":[\#(Self.good)]}"#)
        guard case .say(_, _, _, _, let citations) = frame else { Issue.record("not a say"); return }
        #expect(citations == [["document": "d", "title": "T", "passage": "P", "source": "https://a.example"]])
    }

    @Test(arguments: [
        (#"[1]"#, "citation 1 must be an object"),
        (#"[{"document":"d","title":"T","passage":"P"}]"#, "citation 1 misses field \"source\""),
        (#"[{"document":"d","title":"T","passage":"P","source":"s","url":"javascript:x"}]"#,
         "citation 1 has an unknown field \"url\""),
        (#"[{"document":"d","title":"T","passage":["P"],"source":"s"}]"#, "citation 1: field \"passage\" must be a string"),
        (#"[{"document":" ","title":"T","passage":"P","source":"s"}]"#, "citation 1: field \"document\" is blank"),
        (#"{"document":"d"}"#, "field \"citations\" must be an array"),
    ])
    func badShapesAreRefusedNamingCitationAndField(citations: String, reason: String) {
        let error = refusal(#"{"type":"say","session":"s","text":"x","clientId":"c","citations":\#(citations)}"#)
        #expect(error?.code == .badRequest)
        #expect(error?.ref == "c")
        #expect(error?.message.hasPrefix(reason) == true, "\(error?.message ?? "accepted")")
    }

    @Test func countAndLengthAreBounded() {
        let nine = Array(repeating: Self.good, count: Citation.maximumCount + 1).joined(separator: ",")
        #expect(
            refusal(#"{"type":"say","session":"s","text":"x","clientId":"c","citations":[\#(nine)]}"#)?.message
                .contains("at most \(Citation.maximumCount)") == true)
        let long = String(repeating: "p", count: Citation.maximumLength["passage"]! + 1)
        let citation = #"{"document":"d","title":"T","passage":"\#(long)","source":""}"#
        #expect(
            refusal(#"{"type":"say","session":"s","text":"x","clientId":"c","citations":[\#(citation)]}"#)?.message
                == "citation 1: field \"passage\" is longer than \(Citation.maximumLength["passage"]!) bytes")
    }
}
