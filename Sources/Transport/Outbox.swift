/// What other threads hand to the service thread, guarded by the server's mutex.
struct Outbox {
    /// Frames waiting per WebSocket connection.
    var frames: [ConnectionID: FrameQueue] = [:]
    /// Responses waiting per HTTP request.
    var httpResponses: [ConnectionID: HTTPResponse] = [:]
    /// Preflight verdicts waiting for the service thread: nil clears the request, a
    /// response refuses it.
    var preflightResults: [ConnectionID: HTTPResponse?] = [:]
    /// Connections that have something to write since the service thread last looked.
    var wantsWrite: Set<ConnectionID> = []
    /// Set once by `closeAll`: close every connection with this code.
    var closeAll: (code: UInt16, reason: String)?
    /// No new connections once draining.
    var draining = false
    /// Open WebSocket connections.
    var openCount = 0
    /// A wake-up is on its way to the service thread; further ones would only cost syscalls.
    var wakePending = false

    /// True once per service-loop pass: the caller must wake the service thread.
    mutating func claimWake(_ needed: Bool) -> Bool {
        guard needed, !wakePending else { return false }
        wakePending = true
        return true
    }

    /// Queues a frame; true when the service thread must be woken. Frames for unknown
    /// (closed) connections are dropped. A connection over `limit` is closed as too slow.
    mutating func enqueue(_ frame: [UInt8], for id: ConnectionID, limit: Int) -> Bool {
        // Mutated in place through the subscript: copying the queue out would copy its frames.
        guard let queue = frames[id], queue.close == nil else { return false }
        if queue.queuedBytes + frame.count > limit {
            frames[id]!.close = (1008, "too slow: outgoing queue full")
        } else {
            frames[id]!.pending.append(frame)
            frames[id]!.queuedBytes += frame.count
        }
        return wantsWrite.insert(id).inserted
    }

    /// Asks for a close after the queued frames; true when the service thread must be woken.
    mutating func requestClose(_ id: ConnectionID, code: UInt16, reason: String) -> Bool {
        guard let queue = frames[id], queue.close == nil else { return false }
        frames[id]!.close = (code, reason)
        return wantsWrite.insert(id).inserted
    }
}

/// A connection's outgoing frames; `head` avoids shifting the array on every write.
struct FrameQueue {
    var pending: [[UInt8]] = []
    var head = 0
    /// Bytes of the frames not yet written.
    var queuedBytes = 0
    var close: (code: UInt16, reason: String)?

    mutating func popFirst() -> [UInt8]? {
        guard head < pending.count else { return nil }
        let frame = pending[head]
        queuedBytes -= frame.count
        pending[head] = []
        head += 1
        if head == pending.count {
            pending.removeAll(keepingCapacity: pending.count <= 16)
            head = 0
        }
        return frame
    }

    var isEmpty: Bool { head >= pending.count }
}
