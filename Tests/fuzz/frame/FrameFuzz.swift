import Dialogue
import Foundation
import FuzzSupport

/// Fuzzes what a WebSocket text frame goes through first: the JSON parser, the canonical
/// writer and `ClientFrame` decoding. Beyond "no crash" it checks that whatever parses
/// re-serialises canonically and re-parses to the same value, that refusals are the
/// modules' own errors and say where or why, and that decoded frames obey the field rules.
@main enum FrameFuzz {
    static func main() {
        FuzzDriver.main(target: "fuzz-frame", folders: FuzzDriver.defaultFolders(besides: #filePath), check: check)
    }

    static func check(_ bytes: [UInt8]) throws(FuzzFailure) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            try require(
                (0...bytes.count).contains(error.offset), "syntax error offset \(error.offset) outside 0...\(bytes.count)")
            try require(!error.reason.isEmpty, "a syntax error without a reason")
            try checkRefusal(bytes)
            return
        }
        // Only strings may hold non-ASCII bytes, and they are validated: an accepted
        // document is valid UTF-8 as a whole.
        try require(String(validating: bytes, as: UTF8.self) != nil, "accepted a document that is not UTF-8")
        // A second, independent parser agrees that the text is JSON (ours is the stricter:
        // it also refuses duplicate members, lone surrogates, deep nesting, huge numbers).
        do {
            _ = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw FuzzFailure("accepted a text Foundation's parser refuses (\(error))")
        }
        let canonical = JSONWriter.bytes(value)
        let again: JSONValue
        do {
            again = try JSONParser.parse(canonical)
        } catch {
            throw FuzzFailure("the canonical form does not parse (\(error)): \(String(decoding: canonical, as: UTF8.self))")
        }
        try require(
            JSONWriter.bytes(again) == canonical,
            "the canonical form is not stable: \(String(decoding: canonical, as: UTF8.self))")
        try require(numbersFolded(again) == numbersFolded(value), "re-parsing the canonical form changed the value")
        try checkFrame(bytes, value: value, canonical: canonical)
    }

    /// A frame that is not JSON is refused as `bad_request`, never decoded.
    static func checkRefusal(_ bytes: [UInt8]) throws(FuzzFailure) {
        do {
            _ = try ClientFrame.decode(bytes)
            throw FuzzFailure("ClientFrame decoded a text the JSON parser refused")
        } catch let error as DialogueError {
            try require(error.code == .badRequest, "malformed JSON refused as \(error.code), not bad_request")
            try require(error.message.hasPrefix("malformed JSON"), "malformed JSON refused with \"\(error.message)\"")
        } catch let failure as FuzzFailure {
            throw failure
        } catch {
            throw FuzzFailure("unexpected error \(error)")
        }
    }

    static func checkFrame(_ bytes: [UInt8], value: JSONValue, canonical: [UInt8]) throws(FuzzFailure) {
        let frame: ClientFrame
        do {
            frame = try ClientFrame.decode(bytes)
        } catch {
            try require(error.code == .badRequest, "a frame refused as \(error.code), not bad_request")
            try require(!error.message.isEmpty, "a refusal without a message")
            if let ref = error.ref { try require(value["clientId"]?.stringValue == ref, "ref \(ref) is not the clientId") }
            // The error frame the client gets back is itself well-formed JSON.
            let reply = JSONWriter.bytes(error.frame)
            do {
                let parsed = try JSONParser.parse(reply)
                try require(parsed["type"] == "error", "the error frame has no type error")
            } catch let failure as FuzzFailure {
                throw failure
            } catch {
                throw FuzzFailure("the error frame does not parse: \(error)")
            }
            // Frames take integers only (docs/protocol.md): a refusal for a fraction or an
            // exponent must be about a number the text really holds as one. Its canonical
            // form writes a whole number such as 2.0 as 2, so it is not compared below.
            if error.message.hasPrefix("malformed JSON: numbers must be integers")
                || error.message.hasPrefix("malformed JSON: integer out of the 64-bit range")
            {
                try require(holdsNonInteger(value), "refused for a fraction the frame does not hold")
                return
            }
            // The same document written canonically is refused the same way.
            do {
                _ = try ClientFrame.decode(canonical)
                throw FuzzFailure("the canonical form decodes where the original was refused")
            } catch let again as DialogueError {
                try require(again == error, "the canonical form is refused differently: \(again) vs \(error)")
            } catch let failure as FuzzFailure {
                throw failure
            } catch {
                throw FuzzFailure("unexpected error \(error)")
            }
            return
        }
        do {
            let again = try ClientFrame.decode(canonical)
            try require(again == frame, "the canonical form decodes to another frame")
        } catch let failure as FuzzFailure {
            throw failure
        } catch {
            throw FuzzFailure("the canonical form of a decoded frame is refused: \(error)")
        }
        try checkFields(frame)
    }

    /// The field rules of docs/protocol.md, on what the decoder let through.
    static func checkFields(_ frame: ClientFrame) throws(FuzzFailure) {
        func language(_ tag: String) throws(FuzzFailure) {
            try require(LanguageTag.isValid(tag), "language \"\(tag)\" let through")
            try require(LanguageTag.normalise(tag) == tag, "language \"\(tag)\" not normalised")
        }
        func clientId(_ id: String) throws(FuzzFailure) {
            try require(!id.isEmpty && id.utf8.count <= ClientFrame.maxClientIdLength, "clientId of \(id.utf8.count) bytes")
        }
        if frame.action != nil {
            try require(frame.session.map { !$0.isEmpty } ?? false, "a frame without its session")
        }
        switch frame {
        case .hello(let token, let lang, let name, let resume):
            try require(!token.isEmpty, "hello without a token")
            try language(lang)
            try require((name?.utf8.count ?? 0) <= ClientFrame.maxNameLength, "name over the limit")
            if let resume { try require(!resume.session.isEmpty && resume.after >= 0, "bad resume") }
        case .join(_, let after): try require(after >= 0, "negative after")
        case .say(_, let text, let id, let lang, let citations):
            try require(text.contains { !$0.isWhitespace }, "blank say let through")
            try clientId(id)
            if let lang { try language(lang) }
            if let citations { try require(citations.arrayValue != nil, "citations not an array") }
        case .sayPhrase(_, let phrase, let id):
            try require(!phrase.isEmpty && phrase.utf8.count <= 64, "phrase id of \(phrase.utf8.count) bytes")
            try clientId(id)
        case .ask(_, let text, let id):
            try require(text.contains { !$0.isWhitespace }, "blank ask let through")
            try clientId(id)
        case .approve(_, let draft, let text):
            try require(draft >= 0 && (text?.utf8.count ?? 0) <= 65_536, "bad approve")
        case .reject(_, let draft, let reason):
            try require(draft >= 0 && (reason?.utf8.count ?? 0) <= 4096, "bad reject")
        case .moderate(_, let action, let target, let mode):
            // admit and decline are the lobby's own frames, decoded as moderations of the invite.
            try require(
                ["mute", "unmute", "remove", "assistant", "admit", "decline"].contains(action), "action \(action) let through")
            if action == "assistant" {
                try require(mode.map { ["auto", "review", "off"].contains($0) } ?? false, "mode let through")
            } else {
                try require(target.map { !$0.isEmpty } ?? false, "moderate without a target")
            }
        case .translate(_, let seq, let lang, _):
            try require(seq >= 0, "negative seq")
            try language(lang)
        case .rate(_, let seq, let rating, let reason, let comment, let ref):
            if let ref { try clientId(ref) }
            try require(seq >= 0 && ["helpful", "unhelpful"].contains(rating), "bad rate")
            try require((reason?.utf8.count ?? 0) <= 64, "reason over the limit")
            try require((comment?.utf8.count ?? 0) <= ClientFrame.maxRatingCommentLength, "comment over the limit")
        case .end, .leave: break
        }
    }

    /// The value with integral doubles written as integers, as the canonical form writes
    /// them: `1.0` and `1` are one number to an outside verifier.
    /// Whether a parsed value holds a number written with a fraction or an exponent (or too
    /// large for 64 bits), which the lenient parser keeps as a `Double`.
    static func holdsNonInteger(_ value: JSONValue) -> Bool {
        switch value {
        case .double: return true
        case .array(let elements): return elements.contains(where: holdsNonInteger)
        case .object(let members): return members.values.contains(where: holdsNonInteger)
        default: return false
        }
    }

    static func numbersFolded(_ value: JSONValue) -> JSONValue {
        switch value {
        case .double(let d) where d.rounded() == d && abs(d) < 9.0e15: return .int(Int64(d))
        case .array(let elements): return .array(elements.map(numbersFolded))
        case .object(let members): return .object(members.mapValues(numbersFolded))
        default: return value
        }
    }
}
