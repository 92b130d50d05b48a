import Testing

@testable import Dialogue

/// Fuzzing the frame decoder and the session rules with seeded random input: nothing may
/// crash, every refusal must be a `DialogueError`, and the rules' invariants must hold.
@Suite struct FuzzTests {
    static let validFrames: [String] = [
        #"{"type":"hello","token":"dst_abc","language":"en","name":"Lan","resume":{"session":"ses_1","after":3}}"#,
        #"{"type":"join","session":"ses_1","after":0}"#,
        #"{"type":"say","session":"ses_1","text":"Vân Đồn \u00e9\n","clientId":"c1","language":"vi","citations":[]}"#,
        #"{"type":"ask","session":"ses_1","text":"land lease?","clientId":"c2"}"#,
        #"{"type":"approve","session":"ses_1","draft":4,"text":"ok"}"#,
        #"{"type":"reject","session":"ses_1","draft":4,"reason":"no"}"#,
        #"{"type":"moderate","session":"ses_1","action":"mute","target":"inv_1"}"#,
        #"{"type":"moderate","session":"ses_1","action":"assistant","mode":"auto"}"#,
        #"{"type":"end","session":"ses_1"}"#,
        #"{"type":"leave","session":"ses_1"}"#,
    ]

    /// Random bytes, and valid frames with bytes flipped, cut, duplicated or spliced.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func decoderNeverCrashesOnMutatedFrames(seed: UInt64) {
        var random = SeededGenerator(state: seed)
        var decoded = 0
        for _ in 0..<5_000 {
            var bytes = Array(Self.validFrames.randomElement(using: &random)!.utf8)
            switch Int.random(in: 0..<5, using: &random) {
            case 0:
                bytes = (0..<Int.random(in: 0..<64, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
            case 1:
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            case 2:
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
            case 3:
                let cut = Int.random(in: 0...bytes.count, using: &random)
                bytes.insert(contentsOf: bytes[..<cut], at: cut)
            default:
                let other = Array(Self.validFrames.randomElement(using: &random)!.utf8)
                bytes = Array(bytes.prefix(bytes.count / 2)) + Array(other.suffix(other.count / 2))
            }
            do {
                _ = try ClientFrame.decode(bytes)
                decoded += 1
            } catch {
                #expect(!error.message.isEmpty, "seed \(seed): a refusal must say why")
            }
        }
        #expect(decoded > 0, "seed \(seed): some mutations stay valid frames")
    }

    @Test func deepNestingIsRefusedNotRecursed() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(deep) }
    }

    /// Random actions by random people: whatever is refused, the decided events are numbered
    /// 1…N without gaps, a repeated clientId never makes a second event, and replaying the
    /// decided events rebuilds the same rules.
    @Test(arguments: [UInt64(7), 8, 9])
    func sessionRulesKeepTheirInvariants(seed: UInt64) throws {
        var random = SeededGenerator(state: seed)
        let info = SessionInfo(
            id: "ses_f", title: "Fuzz", languages: ["vi", "en"], agent: "a", assistant: .review,
            createdAt: "2026-11-26T00:00:00.000Z", createdBy: "stf_o")
        let people = [
            Participant(id: "stf_o", role: .officer, name: "Officer", language: "vi"),
            Participant(id: "stf_p", role: .officer, name: "Other officer", language: "en"),
            Participant(id: "inv_a", role: .investor, name: "A", language: "ja"),
            Participant(id: "inv_b", role: .investor, name: "B", language: "ko"),
        ]
        var state = SessionState(info: info)
        var events: [Event] = []
        var firstSeqOfClientId: [String: Int64] = [:]
        for step in 0..<2_000 {
            let who = people.randomElement(using: &random)!
            let at = "2026-11-26T00:00:00.000Z"
            do {
                switch Int.random(in: 0..<12, using: &random) {
                case 0..<2:
                    if let e = try state.join(who, at: at) { events.append(e) }
                case 2..<8:
                    let clientId = "\(who.id)-\(Int.random(in: 0..<40, using: &random))"
                    switch try state.say(
                        by: who, text: "m\(step)", clientId: clientId, language: "vi", citations: nil, at: at)
                    {
                    case .append(let e):
                        #expect(firstSeqOfClientId[clientId] == nil, "seed \(seed): clientId \(clientId) stored twice")
                        firstSeqOfClientId[clientId] = e.seq
                        events.append(e)
                    case .duplicate(let seq):
                        #expect(firstSeqOfClientId[clientId] == seq, "seed \(seed): duplicate ack with another seq")
                    }
                case 8..<10:
                    let target = people.randomElement(using: &random)!.id
                    let action = ["mute", "unmute", "remove"].randomElement(using: &random)!
                    events.append(try state.moderate(by: who, action: action, target: target, at: at))
                case 10:
                    if let e = try state.leave(by: who, at: at) { events.append(e) }
                default:
                    if Int.random(in: 0..<20, using: &random) == 0 { events.append(try state.end(by: who, at: at)) }
                }
            } catch {
                #expect(!error.message.isEmpty)
            }
        }
        #expect(events.map(\.seq) == (0..<events.count).map { Int64($0) + 1 }, "seed \(seed): seqs run 1…N")
        #expect(state.lastSeq == Int64(events.count))
        var replayed = SessionState(info: info)
        for event in events { replayed.apply(try Event(body: JSONParser.parse(event.canonicalBytes))) }
        #expect(replayed.participants == state.participants)
        #expect(replayed.lastSeq == state.lastSeq)
        #expect(replayed.info.status == state.info.status)
    }
}
