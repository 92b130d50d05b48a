import Testing

@testable import Transport

/// The outbox is what other threads share with the libwebsockets service thread: these
/// check its queueing, wake-up and slow-reader rules without any socket.
@Suite struct OutboxTests {
    let a = ConnectionID(raw: 1)
    let b = ConnectionID(raw: 2)

    func outbox(with ids: ConnectionID...) -> Outbox {
        var box = Outbox()
        for id in ids { box.frames[id] = FrameQueue() }
        return box
    }

    @Test func framesQueueInOrderAndMarkTheConnectionOnce() {
        var box = outbox(with: a)
        do { let r = box.enqueue([1], for: a, limit: 100); #expect(r) }
        do { let r = box.enqueue([2], for: a, limit: 100); #expect(!r, "already marked: no second wake-up needed") }
        #expect(box.wantsWrite == [a])
        do { let r = box.frames[a]!.popFirst(); #expect(r == [1]) }
        do { let r = box.frames[a]!.popFirst(); #expect(r == [2]) }
        do { let r = box.frames[a]!.popFirst(); #expect(r == nil) }
        #expect(box.frames[a]!.isEmpty)
    }

    @Test func framesForUnknownConnectionsAreDropped() {
        var box = outbox(with: a)
        do { let r = box.enqueue([1], for: b, limit: 100); #expect(!r) }
        #expect(box.frames[b] == nil)
        #expect(box.wantsWrite.isEmpty)
    }

    @Test func aReaderOverTheByteLimitIsClosedAsTooSlow() {
        var box = outbox(with: a)
        _ = box.enqueue([UInt8](repeating: 0, count: 60), for: a, limit: 100)
        _ = box.enqueue([UInt8](repeating: 0, count: 60), for: a, limit: 100)
        #expect(box.frames[a]!.close?.code == 1008)
        #expect(box.frames[a]!.queuedBytes == 60, "the frame over the limit is not queued")
        do { let r = box.enqueue([1], for: a, limit: 100); #expect(!r, "nothing more is queued once closing") }
    }

    @Test func writingFreesQueuedBytes() {
        var box = outbox(with: a)
        for _ in 0..<10 { _ = box.enqueue([UInt8](repeating: 0, count: 10), for: a, limit: 100) }
        #expect(box.frames[a]!.queuedBytes == 100)
        _ = box.frames[a]!.popFirst()
        #expect(box.frames[a]!.queuedBytes == 90)
        box.wantsWrite.removeAll()  // as the service thread does when it takes the set
        do { let r = box.enqueue([UInt8](repeating: 0, count: 10), for: a, limit: 100); #expect(r) }
        #expect(box.frames[a]!.close == nil)
    }

    @Test func closeComesAfterQueuedFramesAndOnlyOnce() {
        var box = outbox(with: a)
        _ = box.enqueue([1], for: a, limit: 100)
        box.wantsWrite.removeAll()
        do { let r = box.requestClose(a, code: 1001, reason: "bye"); #expect(r) }
        do { let r = box.requestClose(a, code: 1008, reason: "again"); #expect(!r) }
        #expect(box.frames[a]!.close?.code == 1001)
        do { let r = box.frames[a]!.popFirst(); #expect(r == [1], "queued frames still go out first") }
    }

    @Test func oneWakeUpPerServicePass() {
        var box = outbox(with: a, b)
        do { let r = box.claimWake(true); #expect(r) }
        do { let r = box.claimWake(true); #expect(!r, "a wake-up is already on its way") }
        do { let r = box.claimWake(false); #expect(!r) }
        box.wakePending = false  // what the service thread does when it wakes
        do { let r = box.claimWake(true); #expect(r) }
    }
}
