// The hub core's cost per delivered event, without I/O (docs/architecture.md, "What the
// core costs"): decisions, acks and delivery plans for one session of N live readers.
// swift build -c release --product hubcore-bench && .build/release/hubcore-bench
// (also: another node's events through committedElsewhere, and an up-to-date subscribe)
import Dialogue
import HubCore
#if canImport(Glibc)
import Glibc
#endif


/// Thread CPU time in seconds: what the core costs, whatever else the machine runs.
func now() -> Double { var t = timespec(); clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9 }

/// Cost of the core's part of a delivery: `events` messages decided and committed (in
/// batches of 16, as the writer returns them) to `members` live readers.
func bench(members: Int, events: Int, translates: Bool) {
    let info = SessionInfo(id: "s", title: "t", languages: ["vi", "en"], agent: "a", assistant: .review,
                           createdAt: "2026-11-26T04:40:00.000Z", createdBy: "o")
    var state = SessionState(info: info)
    let officer = Participant(id: "o", role: .officer, name: "O", language: "vi")
    _ = try! state.join(officer, at: "2026-11-26T04:40:00.000Z")
    var core = HubCore<Int>(sharedStore: false, translates: translates)
    var actions = core.withSession("s", for: ConnectionKey(0), 0)
    guard case .load(_, let token)? = actions.last else { fatalError() }
    actions = core.sessionLoaded("s", token: token, state: state)
    for i in 0..<members {
        let p = Participant(id: "i\(i)", role: i == 0 ? .officer : .investor, name: "I", language: i % 2 == 0 ? "vi" : "en")
        _ = core.subscribe(ConnectionKey(UInt64(i + 1)), to: "s", as: p, after: 0, sendHistory: false)
    }
    var batch: [(event: Event, canonical: [UInt8])] = []
    var count = 0
    var inCommit = 0.0
    let start = now()
    for n in 0..<events {
        let outcome = try! core.withState(of: "s") { s in
            try s.say(by: officer, text: "message \(n)", clientId: "c\(n)", language: "vi", citations: nil, at: "2026-11-26T04:40:01.000Z")
        }
        guard case .append(let event)? = outcome else { fatalError() }
        count += core.acknowledge(.append(event), clientId: "c\(n)", in: "s", to: ConnectionKey(1)).count
        batch.append((event, event.canonicalBytes))
        if batch.count == 16 {
            let t = now()
            count += core.committed(batch).count
            inCommit += now() - t
            batch = []
        }
    }
    let elapsed = now() - start
    print("members \(members), translates \(translates): \(Int(elapsed / Double(events) * 1e9)) ns per event with the decision and encoding; core.committed alone: \(Int(inCommit / Double(events) * 1e9)) ns per event, \(Int(inCommit / Double(events * members) * 1e9)) ns per delivery")
}

/// A session of `members` live readers in a core, loaded from `state`.
func loadedCore(members: Int, state: SessionState, shared: Bool) -> HubCore<Int> {
    var core = HubCore<Int>(sharedStore: shared)
    let actions = core.withSession("s", for: ConnectionKey(0), 0)
    guard case .load(_, let token)? = actions.last else { fatalError() }
    _ = core.sessionLoaded("s", token: token, state: state)
    for i in 0..<members {
        let p = Participant(id: "i\(i)", role: i == 0 ? .officer : .investor, name: "I", language: i % 2 == 0 ? "vi" : "en")
        _ = core.subscribe(ConnectionKey(UInt64(i + 1)), to: "s", as: p, after: 0, sendHistory: false)
    }
    if shared { _ = core.readBehindFinished(["s": state.lastSeq], frames: [:]) }  // the read after the load
    return core
}

/// Cost of another node's events (a shared store) arriving with their bodies in notices:
/// `committedElsewhere` applies each to the rules and plans its delivery.
func benchElsewhere(members: Int, events: Int) {
    let info = SessionInfo(id: "s", title: "t", languages: ["vi", "en"], agent: "a", assistant: .review,
                           createdAt: "2026-11-26T04:40:00.000Z", createdBy: "o")
    var state = SessionState(info: info)
    let officer = Participant(id: "o", role: .officer, name: "O", language: "vi")
    _ = try! state.join(officer, at: "2026-11-26T04:40:00.000Z")
    var core = loadedCore(members: members, state: state, shared: true)
    // The other node's events, decided on a copy of the rules beforehand.
    var elsewhere = state
    var bodies: [[UInt8]] = []
    for n in 0..<events {
        guard case .append(let event)? = try? elsewhere.say(
            by: officer, text: "message \(n)", clientId: "e\(n)", language: "vi", citations: nil, at: "2026-11-26T04:40:01.000Z")
        else { fatalError() }
        bodies.append(event.canonicalBytes)
    }
    var count = 0
    let start = now()
    for (n, body) in bodies.enumerated() {
        let seq = state.lastSeq + Int64(n) + 1
        count += core.committedElsewhere("s", first: seq, through: seq, bodies: [body]).count
    }
    let elapsed = now() - start
    guard core.durableSeq(of: "s") == state.lastSeq + Int64(events) else {
        fatalError("delivered through \(core.durableSeq(of: "s") ?? -1), expected \(state.lastSeq + Int64(events)); \(core.phase(of: "s"))")
    }
    print("members \(members): committedElsewhere \(Int(elapsed / Double(events) * 1e9)) ns per event (\(count) actions)")
}

/// Cost of a subscribe by a reader already up to date (a reconnect at the end of a session).
func benchSubscribe(members: Int, rounds: Int) {
    let info = SessionInfo(id: "s", title: "t", languages: ["vi", "en"], agent: "a", assistant: .review,
                           createdAt: "2026-11-26T04:40:00.000Z", createdBy: "o")
    var state = SessionState(info: info)
    let officer = Participant(id: "o", role: .officer, name: "O", language: "vi")
    _ = try! state.join(officer, at: "2026-11-26T04:40:00.000Z")
    var core = loadedCore(members: members, state: state, shared: false)
    let reader = Participant(id: "r", role: .investor, name: "R", language: "en")
    let key = ConnectionKey(UInt64(members + 1))
    var count = 0
    let start = now()
    for _ in 0..<rounds {
        count += core.subscribe(key, to: "s", as: reader, after: state.lastSeq, sendHistory: true).count
        count += core.detach(key, from: "s", participant: reader).count
    }
    let elapsed = now() - start
    print("members \(members): subscribe (up to date) and detach \(Int(elapsed / Double(rounds) * 1e9)) ns per round (\(count) actions)")
}

for translates in [false, true] {
    bench(members: 10, events: 200_000, translates: translates)
    bench(members: 100, events: 50_000, translates: translates)
    bench(members: 1000, events: 5_000, translates: translates)
}
benchElsewhere(members: 10, events: 100_000)
benchElsewhere(members: 1000, events: 5_000)
benchSubscribe(members: 10, rounds: 100_000)
benchSubscribe(members: 1000, rounds: 20_000)
