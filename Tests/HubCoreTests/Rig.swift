import Dialogue

@testable import HubCore

/// What a client asked for, as the driver would run it once the session is in memory.
enum TestWork: Sendable, Equatable {
    case admit(after: Int64)
    case join(after: Int64)
    case say(clientId: String, text: String)
    case end
    case moderate(action: String, target: String)
    case leave
}

/// What a client received, in order.
enum Received: Equatable {
    case history([Int64], complete: Bool)
    case event(Int64, EventKind)
    case ack(clientId: String, seq: Int64)
    case error(ErrorCode)
    case presence(String, online: Bool)
    case closed(UInt16)
    /// A history frame held a draft for a reader who does not see drafts.
    case draftLeak
}

/// A driver for tests: a store and a group-commit writer in memory, loads, history reads
/// and timers as lists the test (or the seeded interleaving) completes in any order. It
/// carries out the core's actions as the hub does, and records what every client received.
struct Rig {
    static let session = "ses_rig"
    var core: HubCore<TestWork>
    let shared: Bool
    var info = SessionInfo(
        id: Rig.session, title: "Rig", languages: ["vi", "en"], agent: "agent", assistant: .review,
        createdAt: "2026-11-26T04:40:00.000Z", createdBy: "stf_officer")
    /// Committed events, by session, in seq order.
    var stored: [Event] = []
    /// Events submitted and not yet committed or refused.
    var writerQueue: [Event] = []
    /// Sessions the shared writer refuses until `reopen`.
    var writerBlocked = false
    var loads: [UInt64] = []
    var reloads: [Int64] = []
    var historyReads: [HistoryRead] = []
    var rechecks: [HistoryRead] = []
    var behindReads: [[String: Int64]] = []
    var reloadTimers = 0
    var behindTimers = 0
    var participants: [ConnectionKey: Participant] = [:]
    var busy: Set<ConnectionKey> = []
    var backlog: [ConnectionKey: [TestWork]] = [:]
    var closed: Set<ConnectionKey> = []
    var received: [ConnectionKey: [Received]] = [:]
    /// Every ack sent, with whether its seq was committed with that clientId when sent.
    var acksOfUncommitted: [(ConnectionKey, String, Int64)] = []
    var loggedErrors: [HubLogEntry] = []
    var clock = 0
    var queued: [ConnectionKey: Int] = [:]
    /// The `after` each connection subscribed with (once per connection in these tests).
    var subscribedAfter: [ConnectionKey: Int64] = [:]
    /// Connections that left their session (they read no more).
    var left: Set<ConnectionKey> = []
    /// Everything that happened, for reading a failing seed (only when `tracing`).
    var trace: [String] = []
    /// The effects beyond delivery the core asked for (answers, archives, translations).
    var effects: [HubAction<TestWork>] = []
    /// Every change of the shared store's reachability announced.
    var reachability: [Bool] = []
    /// `lobbyDecided` actions, as "session invite admitted|declined".
    var lobbyDecisions: [String] = []
    var tracing = false
    /// What held events brought back at the end of a catch-up (what the commit found once).
    var foundAtCatchUp: [String] = []
    /// Work of the session's own handed back to run (`withSessionUnattended`).
    var unattended: [TestWork] = []
    /// `say` frames each connection sent (not dropped as closed), by clientId.
    var saysSent: [ConnectionKey: [String: Int]] = [:]
    /// Answers each connection got for its `say`s: acks, and refusals naming the clientId.
    var saysAnswered: [ConnectionKey: [String: Int]] = [:]
    /// How often the paths the property test must reach were taken.
    var reached = Reached()

    /// Paths taken, counted over a run.
    struct Reached {
        var reloads = 0
        var heldWhileRecovering = 0
        var retries = 0
        var tooSlow = 0
    }

    /// The clientId a frame carries (a refusal of it names it).
    static func ref(of work: TestWork) -> String? {
        if case .say(let clientId, _) = work { return clientId }
        return nil
    }

    init(shared: Bool = false, translates: Bool = true, limits: HubLimits = HubLimits()) {
        self.shared = shared
        core = HubCore(sharedStore: shared, translates: translates, limits: limits)
    }

    static let officer = Participant(id: "stf_officer", role: .officer, name: "Hà", language: "vi")
    static let reviewer = Participant(id: "stf_reviewer", role: .reviewer, name: "Rev", language: "en")
    static let investor = Participant(id: "inv_kenji", role: .investor, name: "Kenji", language: "en")
    static let investor2 = Participant(id: "inv_marie", role: .investor, name: "Marie", language: "fr")

    var storedState: SessionState {
        var state = SessionState(info: info)
        for event in stored { state.apply(event) }
        return state
    }

    mutating func now() -> String {
        clock += 1
        return Timestamp.format(milliseconds: 1_795_668_000_000 + Int64(clock) * 1_000)
    }

    // MARK: Inputs

    mutating func connect(_ raw: UInt64, as participant: Participant) -> ConnectionKey {
        let id = ConnectionKey(raw)
        participants[id] = participant
        received[id] = []
        return id
    }

    /// A client frame: waits in the backlog while the connection is busy, as the hub does.
    mutating func frame(_ id: ConnectionKey, _ work: TestWork) {
        if tracing { trace.append("frame \(id) \(work) busy=\(busy.contains(id)) closed=\(closed.contains(id))") }
        guard !closed.contains(id) else { return }
        if let clientId = Rig.ref(of: work) { saysSent[id, default: [:]][clientId, default: 0] += 1 }
        if busy.contains(id) {
            backlog[id, default: []].append(work)
            return
        }
        perform(core.withSession(Rig.session, for: id, ref: Rig.ref(of: work), work))
    }

    mutating func disconnect(_ id: ConnectionKey) {
        if tracing { trace.append("disconnect \(id)") }
        guard participants[id] != nil else { return }
        closed.insert(id)  // kept in `participants`: what it received is checked afterwards
        perform(core.disconnected(id, participant: participants[id]))
        busy.remove(id)
        backlog[id] = nil
    }

    mutating func finishLoad(found: Bool = true) {
        guard !loads.isEmpty else { return }
        if tracing { trace.append("load") }
        let token = loads.removeFirst()
        perform(core.sessionLoaded(Rig.session, token: token, state: found ? storedState : nil))
    }

    /// Commits (or refuses) up to `count` queued events, as the writer does.
    mutating func commit(count: Int = .max, failing: Bool = false) {
        if tracing, !writerQueue.isEmpty { trace.append("commit \(count) failing=\(failing) stored=\(stored.count)") }
        let batch = Array(writerQueue.prefix(count))
        writerQueue.removeFirst(batch.count)
        guard !batch.isEmpty else { return }
        var committed: [(event: Event, canonical: [UInt8])] = []
        var failed: [FailedEvent] = []
        for event in batch {
            if shared && writerBlocked {
                failed.append(FailedEvent(event: event, outOfSequence: true, reason: "blocked"))
            } else if event.seq != Int64(stored.count) + 1 {
                failed.append(FailedEvent(event: event, outOfSequence: true, reason: "out of sequence"))
                if shared { writerBlocked = true }
            } else if failing {
                failed.append(FailedEvent(event: event, outOfSequence: false, reason: "disk full"))
                if shared { writerBlocked = true }  // the writer stops taking the session's events
            } else {
                stored.append(event)
                committed.append((event, event.canonicalBytes))
            }
        }
        if tracing { trace.append("  → committed \(committed.map(\.event.seq)) failed \(failed.map { "\($0.event.seq)\($0.outOfSequence ? "oos" : "")" })") }
        let stored = committed
        perform(core.committed(committed, failed: failed, found: { "found \(stored[$0].event.seq)" }))
    }

    /// Another node stores an event (a shared store): the next seq, by `who`.
    mutating func commitElsewhere(_ who: Participant, notify: Bool = true, withBodies: Bool = true) {
        var state = storedState
        let at = now()
        let event: Event
        if state.participant(who.id) == nil, let joined = try? state.join(who, at: at) {
            event = joined
        } else if case .append(let said)? = try? state.say(
            by: who, text: "elsewhere \(clock)", clientId: "n\(clock)", language: who.language, citations: nil, at: at)
        {
            event = said
        } else {
            return
        }
        stored.append(event)
        if tracing { trace.append("elsewhere seq \(event.seq) \(event.kind) notify=\(notify) bodies=\(withBodies)") }
        if notify {
            perform(
                core.committedElsewhere(
                    Rig.session, first: event.seq, through: event.seq, bodies: withBodies ? [event.canonicalBytes] : []))
        }
    }

    /// Completes the oldest history read: one page of up to `pageSize` events.
    mutating func finishHistoryRead(pageSize: Int = 3, failing: Bool = false) {
        guard !historyReads.isEmpty else { return }
        if tracing { trace.append("historyRead page=\(pageSize) failing=\(failing)") }
        let read = historyReads.removeFirst()
        if failing {
            perform(core.historyFailed(read))
            return
        }
        let page = stored.filter { $0.seq > read.after && $0.seq <= read.upTo }.prefix(pageSize)
        let visible = page.filter { read.seesDrafts || !$0.kind.officersOnly }.map { event -> [UInt8] in
            let canonical = event.canonicalBytes
            let bytes =
                read.seesDrafts
                ? canonical : ReviewFields.canonicalForReadersWithoutDrafts(kind: event.kind, canonical: canonical) ?? canonical
            return Event.frameBytes(canonical: bytes, hasText: event.kind.hasText)
        }
        perform(core.historyPage(read, events: visible, through: page.last?.seq, queuedBytes: queued[read.connection] ?? 0))
    }

    mutating func finishRecheck() {
        guard !rechecks.isEmpty else { return }
        let read = rechecks.removeFirst()
        perform(core.historyQueueChecked(read, queuedBytes: queued[read.connection] ?? 0))
    }

    mutating func finishReload(failing: Bool = false) {
        guard !reloads.isEmpty else { return }
        if tracing { trace.append("reload failing=\(failing) stored=\(stored.count)") }
        let delivered = reloads.removeFirst()
        if failing {
            perform(core.reloadFailed(Rig.session, reason: "unreachable"))
            return
        }
        reached.reloads += 1
        let missed = stored.filter { $0.seq > delivered }.map { (seq: $0.seq, canonical: $0.canonicalBytes) }
        perform(core.reloaded(Rig.session, state: storedState, missed: missed))
    }

    mutating func finishBehindRead() {
        guard !behindReads.isEmpty else { return }
        if tracing { trace.append("behindRead") }
        let after = behindReads.removeFirst()
        var frames: [String: [(seq: Int64, canonical: [UInt8])]] = [:]
        for (sessionId, from) in after {
            frames[sessionId] = stored.filter { $0.seq > from }.prefix(core.limits.readBehindPage).map {
                (seq: $0.seq, canonical: $0.canonicalBytes)
            }
        }
        perform(core.readBehindFinished(after, frames: frames))
    }

    mutating func fireTimers() {
        while reloadTimers > 0 {
            reloadTimers -= 1
            perform(core.reloadTimerFired(Rig.session))
        }
        while behindTimers > 0 {
            behindTimers -= 1
            perform(core.readBehindTimerFired())
        }
    }

    /// Runs everything pending until nothing is left (no failures injected).
    mutating func settle() {
        for _ in 0..<10_000 {
            if !loads.isEmpty {
                finishLoad()
            } else if !writerQueue.isEmpty {
                commit()
            } else if !historyReads.isEmpty {
                finishHistoryRead()
            } else if !rechecks.isEmpty {
                queued = [:]
                finishRecheck()
            } else if !reloads.isEmpty {
                finishReload()
            } else if !behindReads.isEmpty {
                finishBehindRead()
            } else if reloadTimers + behindTimers > 0 {
                fireTimers()
            } else {
                return
            }
        }
    }

    // MARK: The driver

    mutating func perform(_ actions: [HubAction<TestWork>]) {
        for action in actions { perform(action) }
    }

    mutating func perform(_ action: HubAction<TestWork>) {
        if tracing {
            switch action {
            case .send(let id, let bytes):
                trace.append("  send \(id) \(String(decoding: bytes, as: UTF8.self).prefix(60))")
            case .deliver(let delivery):
                trace.append("  deliver \(delivery.event.seq) \(delivery.event.kind) to \(delivery.connections.sorted())")
            case .submit(let events):
                trace.append("  submit \(events.map { "\($0.seq) \($0.kind)" })")
            default:
                trace.append("  \(action)")
            }
        }
        switch action {
        case .run(let work, let id, let sessionId, let thenResume):
            guard core.state(of: sessionId) != nil else {
                // Unloaded by the work before it: handed back, it loads again (as the hub does).
                perform(core.withSession(sessionId, for: id, work))
                return
            }
            if !closed.contains(id) { run(work, on: id) }
            perform(core.unloadIfIdle(sessionId))
            if thenResume { resume(id) }
        case .runUnattended(let work, _):
            unattended.append(work)
        case .hold(let id):
            if case .inMemory(.recovering) = core.phase(of: Rig.session) { reached.heldWhileRecovering += 1 }
            busy.insert(id)
        case .resume(let id):
            resume(id)
        case .refuse(let id, let error):
            if let ref = error.ref, !closed.contains(id) { saysAnswered[id, default: [:]][ref, default: 0] += 1 }
            deliver(.error(error.code), to: id)
        case .close(let id, let code, let reason):
            if reason.hasPrefix("too slow") { reached.tooSlow += 1 }
            deliver(.closed(code), to: id)
            closed.insert(id)
        case .ack(let id, let clientId, let seq):
            if !stored.contains(where: { $0.seq == seq && $0.clientId == clientId }) {
                acksOfUncommitted.append((id, clientId, seq))
            }
            if !closed.contains(id) { saysAnswered[id, default: [:]][clientId, default: 0] += 1 }
            deliver(.ack(clientId: clientId, seq: seq), to: id)
        case .deliver(let delivery):
            if delivery.batchIndex == nil, let found = delivery.found as? String { foundAtCatchUp.append(found) }
            for id in delivery.connections { deliver(.event(delivery.event.seq, delivery.event.kind), to: id) }
        case .send(let id, let bytes):
            guard let frame = try? JSONParser.parse(bytes), case .array(let events)? = frame["events"] else { return }
            let seqs = events.compactMap { $0["seq"]?.intValue }
            let kinds = events.compactMap { $0["kind"]?.stringValue.flatMap(EventKind.init(rawValue:)) }
            deliver(.history(seqs, complete: frame["complete"]?.boolValue == true), to: id)
            if kinds.contains(.draft), participants[id]?.role.seesDrafts != true {
                deliver(.draftLeak, to: id)
            }
        case .presence(_, let participant, let online, let to):
            for id in to { deliver(.presence(participant.id, online: online), to: id) }
        case .localPresence:
            break
        case .submit(let events):
            writerQueue += events
        case .answer, .carryDraftTranslations, .archive, .translate, .notifyDesk:
            effects.append(action)
        case .load(_, let token):
            loads.append(token)
        case .reload(_, let delivered):
            reloads.append(delivered)
        case .scheduleReload:
            reloadTimers += 1
        case .reopenWriter:
            writerBlocked = false
        case .readHistory(let read):
            historyReads.append(read)
        case .recheckHistoryQueue(let read, _):
            rechecks.append(read)
        case .readBehind(let after):
            behindReads.append(after)
        case .scheduleReadBehind:
            behindTimers += 1
        case .retryJoin(let id, let sessionId, _):
            reached.retries += 1
            guard !closed.contains(id), core.isMember(id, of: sessionId), let participant = participants[id] else { return }
            let at = now()
            perform(core.decideAndSubmit(sessionId, for: id) { try $0.join(participant, at: at) })
        case .retrySay(let id, let event):
            reached.retries += 1
            guard !closed.contains(id), let clientId = event.clientId else { return }
            run(.say(clientId: clientId, text: event.body["text"]?.stringValue ?? ""), on: id)
        case .sessionsInMemory:
            break
        case .lobbyClosed(let sessionId):
            lobbyDecisions.append("\(sessionId) closed")
        case .lobbyDecided(let sessionId, let invite, let admitted):
            lobbyDecisions.append("\(sessionId) \(invite) \(admitted ? "admitted" : "declined")")
        case .storeReachability(let reachable):
            reachability.append(reachable)
        case .log(let entry):
            if entry.level == .error { loggedErrors.append(entry) }
        }
    }

    mutating func deliver(_ item: Received, to id: ConnectionKey) {
        guard !closed.contains(id), participants[id] != nil else { return }
        received[id, default: []].append(item)
    }

    mutating func resume(_ id: ConnectionKey) {
        busy.remove(id)
        while !busy.contains(id), !closed.contains(id), let next = backlog[id]?.first {
            backlog[id]?.removeFirst()
            perform(core.withSession(Rig.session, for: id, ref: Rig.ref(of: next), next))
        }
    }

    /// What the hub's frame handlers do with a session in memory.
    mutating func run(_ work: TestWork, on id: ConnectionKey) {
        guard let participant = participants[id] else { return }
        let sessionId = Rig.session
        let live = core.state(of: sessionId)?.info.status == .live
        switch work {
        case .admit(let after):
            if core.state(of: sessionId)?.participant(participant.id)?.removed == true {
                perform(.refuse(id, DialogueError(.unauthorized, "removed")))
                perform(.close(id, code: 1008, reason: "removed"))
                return
            }
            subscribedAfter[id] = after
            perform(core.subscribe(id, to: sessionId, as: participant, after: after, sendHistory: true))
            if live {
                let at = now()
                perform(core.decideAndSubmit(sessionId, for: id) { try $0.join(participant, at: at) })
            }
        case .join(let after):
            subscribedAfter[id] = after
            perform(core.subscribe(id, to: sessionId, as: participant, after: after, sendHistory: true))
            if participant.role == .officer, live {
                let at = now()
                perform(core.decideAndSubmit(sessionId, for: id) { try $0.join(participant, at: at) })
            }
        case .say(let clientId, let text):
            guard ensureJoined(id, participant, ref: clientId) else { return }
            let at = now()
            do {
                let outcome = try core.withState(of: sessionId) {
                    try $0.say(by: participant, text: text, clientId: clientId, language: participant.language, citations: nil, at: at)
                }
                if let outcome {
                    perform(core.acknowledge(outcome, clientId: clientId, in: sessionId, to: id))
                } else {
                    perform(.refuse(id, DialogueError(.unavailable, "recovering", ref: clientId)))
                }
            } catch let error as DialogueError {
                perform(.refuse(id, DialogueError(error.code, error.message, ref: clientId)))
            } catch {}
        case .end:
            guard ensureJoined(id, participant) else { return }
            let at = now()
            perform(core.decideAndSubmit(sessionId, for: id) { try $0.end(by: participant, at: at) })
        case .moderate(let action, let target):
            guard ensureJoined(id, participant) else { return }
            let at = now()
            perform(core.decideAndSubmit(sessionId, for: id) { try $0.moderate(by: participant, action: action, target: target, at: at) })
        case .leave:
            guard core.isMember(id, of: sessionId) else {
                perform(.refuse(id, DialogueError(.conflict, "not in session")))
                return
            }
            if !participant.role.isObserver, live {
                let at = now()
                perform(core.decideAndSubmit(sessionId, for: id) { try $0.leave(by: participant, at: at) })
            }
            left.insert(id)
            perform(core.detach(id, from: sessionId, participant: participant))
        }
    }

    mutating func ensureJoined(_ id: ConnectionKey, _ participant: Participant, ref: String? = nil) -> Bool {
        if core.isMember(id, of: Rig.session) { return true }
        guard participant.role == .officer else {
            perform(.refuse(id, DialogueError(.forbidden, "not in session", ref: ref)))
            return false
        }
        perform(core.subscribe(id, to: Rig.session, as: participant, after: core.durableSeq(of: Rig.session) ?? 0, sendHistory: false))
        if core.state(of: Rig.session)?.info.status == .live {
            let at = now()
            perform(core.decideAndSubmit(Rig.session, for: id) { try $0.join(participant, at: at) })
        }
        return true
    }

    // MARK: Reading what clients got

    /// The event seqs a client received (history and live), in order.
    func seqs(_ id: ConnectionKey) -> [Int64] {
        (received[id] ?? []).flatMap { item -> [Int64] in
            switch item {
            case .history(let seqs, _): return seqs
            case .event(let seq, _): return [seq]
            default: return []
            }
        }
    }

    func acks(_ id: ConnectionKey) -> [Received] {
        (received[id] ?? []).filter { if case .ack = $0 { return true } else { return false } }
    }

    func errors(_ id: ConnectionKey) -> [ErrorCode] {
        (received[id] ?? []).compactMap { if case .error(let code) = $0 { return code } else { return nil } }
    }

    /// The seqs of stored events a reader may see, after `after`.
    func visibleSeqs(after: Int64, seesDrafts: Bool) -> [Int64] {
        stored.filter { $0.seq > after && (seesDrafts || !$0.kind.officersOnly) }.map(\.seq)
    }
}
