import Dialogue

/// Several nodes on one shared store: each node holds the sessions its own connections
/// use and learns of the others' commits from the store's notices. The store decides the
/// order: every node reads the committed rows after the last seq it delivered, applies them
/// to the session's rules and delivers them, in order and once.
extension HubCore {
    /// Another node committed `first...through` of a session; `bodies` are their canonical
    /// bytes when the notice carried them.
    package mutating func committedElsewhere(
        _ sessionId: String, first: Int64, through: Int64, bodies: [[UInt8]]
    ) -> [HubAction<Work>] {
        // Scalars only: a copy of the session held while `deliverFromStore` mutates it
        // would make every table it touches copy.
        guard let durable = sessions[sessionId]?.durableSeq, through > durable else { return [] }
        var actions: [HubAction<Work>] = []
        // The notice carries events that follow what was delivered here: no read for them.
        if !bodies.isEmpty, first <= durable + 1, sessions[sessionId]?.isServingAndSettled == true {
            actions += deliverFromStore(sessionId, zip(first..., bodies).map { (seq: $0, canonical: $1) })
            if (sessions[sessionId]?.durableSeq ?? through) >= through { return actions }
        }
        behindStore.insert(sessionId)
        return actions + startReadBehind()
    }

    /// The notices were interrupted and are back: every session may have missed commits.
    package mutating func noticesResumed() -> [HubAction<Work>] {
        behindStore.formUnion(sessions.keys)
        return startReadBehind()
    }

    /// Whether this node reaches its shared store: its notices are connected and its last
    /// heartbeat got through (always true for a store of one node).
    package var storeReachable: Bool { !noticesInterrupted && !heartbeatFailing }

    /// The notices' connection was lost, or is back (then every session is read again:
    /// notices may have been lost meanwhile).
    package mutating func noticesConnection(up: Bool) -> [HubAction<Work>] {
        let was = storeReachable
        noticesInterrupted = !up
        return reachabilityChanged(was: was) + (up ? noticesResumed() : [])
    }

    /// The last heartbeat reached the store, or did not.
    package mutating func heartbeat(reached: Bool) -> [HubAction<Work>] {
        let was = storeReachable
        heartbeatFailing = !reached
        return reachabilityChanged(was: was)
    }

    /// Announces a change of reachability, once per change.
    private func reachabilityChanged(was: Bool) -> [HubAction<Work>] {
        storeReachable == was ? [] : [.storeReachability(reachable: storeReachable)]
    }

    /// Starts the read of other nodes' events unless one is out. While it is out, notices
    /// for more sessions pile up in `behindStore` and the next read takes them all at once,
    /// so the reads per second stay about constant as the commits per second grow.
    mutating func startReadBehind() -> [HubAction<Work>] {
        guard !readingBehind else { return [] }
        var after: [String: Int64] = [:]
        for sessionId in behindStore {
            guard let session = sessions[sessionId] else {
                behindStore.remove(sessionId)  // unloaded: read afresh when loaded again
                continue
            }
            // A session with this node's events in flight waits: they commit (and
            // `committed` looks again) or fail, and recovery reloads it.
            if session.isServingAndSettled { after[sessionId] = session.durableSeq }
        }
        guard !after.isEmpty else { return [] }
        behindStore.subtract(after.keys)
        readingBehind = true
        return [.readBehind(after)]
    }

    /// The read of other nodes' events came back.
    package mutating func readBehindFinished(
        _ after: [String: Int64], frames: [String: [(seq: Int64, canonical: [UInt8])]]
    ) -> [HubAction<Work>] {
        readingBehind = false
        var actions: [HubAction<Work>] = []
        for (sessionId, from) in after.sorted(by: { $0.key < $1.key }) {
            guard let durable = sessions[sessionId]?.durableSeq else { continue }
            guard durable == from, sessions[sessionId]?.isServingAndSettled == true else {
                behindStore.insert(sessionId)  // this node moved meanwhile: look again once settled
                continue
            }
            let read = frames[sessionId] ?? []
            if read.count >= limits.readBehindPage { behindStore.insert(sessionId) }  // more to read
            actions += deliverFromStore(sessionId, read)
            actions += unloadIfIdle(sessionId)
        }
        return actions + startReadBehind()
    }

    /// The read of other nodes' events failed: the sessions are read again after a pause.
    package mutating func readBehindFailed(_ after: [String: Int64], reason: String) -> [HubAction<Work>] {
        readingBehind = false
        behindStore.formUnion(after.keys)
        return [
            .log(
                HubLogEntry(
                    level: .error, message: "reading other nodes' events failed; trying again",
                    session: after.keys.sorted().joined(separator: ","), detail: reason)),
            .scheduleReadBehind(afterMilliseconds: limits.readBehindRetryMilliseconds),
        ]
    }

    /// The pause after a failed read is over.
    package mutating func readBehindTimerFired() -> [HubAction<Work>] { startReadBehind() }

    /// Applies other nodes' stored events to the session's rules and delivers them, in seq
    /// order from `durableSeq + 1`.
    mutating func deliverFromStore(_ sessionId: String, _ frames: [(seq: Int64, canonical: [UInt8])]) -> [HubAction<Work>] {
        var actions: [HubAction<Work>] = []
        for frame in frames {
            // A delivery can close a too-slow last reader, and the session unloads with it.
            guard let durable = sessions[sessionId]?.durableSeq else { break }
            guard frame.seq == durable + 1 else { continue }
            guard let event = try? Event(body: JSONParser.parse(frame.canonical)) else {
                actions.append(
                    .log(HubLogEntry(level: .error, message: "unreadable stored event", session: sessionId, detail: "seq \(frame.seq)")))
                break
            }
            sessions[sessionId]?.state.apply(event)
            sessions[sessionId]?.durableSeq = event.seq
            sessions[sessionId]?.settled(event.seq)
            broadcast(event, canonical: frame.canonical, batchIndex: nil, into: &actions)
            moderationEffects(event, into: &actions)
        }
        return actions
    }

    /// After this node's own commits, failures or recovery: a session left behind the store
    /// catches up once settled.
    mutating func catchUpIfSettled(_ sessionId: String) -> [HubAction<Work>] {
        guard behindStore.contains(sessionId), sessions[sessionId]?.isSettled == true else { return [] }
        return startReadBehind()
    }
}
