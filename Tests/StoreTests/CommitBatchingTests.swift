import Dialogue
import Testing

@testable import Store

/// The batching policy both writers share (SQLite's and PostgreSQL's), tested here once.
@Suite struct CommitBatchingTests {
    let start = ContinuousClock.now
    func at(_ microseconds: Int) -> ContinuousClock.Instant { start + .microseconds(microseconds) }

    /// A policy whose last batch held several events, so the next small one gathers.
    func underLoad(interval: Duration = .milliseconds(1), limit: Int = 512) -> CommitBatching {
        var policy = CommitBatching(interval: interval, limit: limit)
        #expect(policy.next(queued: 5, stopping: false, now: at(0)) == .take(5))  // a first batch goes at once
        return policy
    }

    @Test func anEmptyQueueWaitsForEventsOrFinishesWhenStopping() {
        var policy = CommitBatching(interval: .milliseconds(1), limit: 512)
        #expect(policy.next(queued: 0, stopping: false, now: at(0)) == .waitForEvents)
        #expect(policy.next(queued: 0, stopping: true, now: at(0)) == .finish)
    }

    @Test func aLoneEventAfterAQuietSpellGoesAtOnce() {
        var policy = CommitBatching(interval: .milliseconds(1), limit: 512)
        #expect(policy.next(queued: 1, stopping: false, now: at(0)) == .take(1))
        // The last batch was a single event: the next one does not wait either.
        #expect(policy.next(queued: 2, stopping: false, now: at(10)) == .take(2))
    }

    @Test func underLoadASmallBatchGathersUntilQuietPassesWithoutAnEvent() {
        var policy = underLoad()
        // Two queued after a batch of five: wait a quiet period for company.
        #expect(policy.next(queued: 2, stopping: false, now: at(100)) == .gather(until: at(350)))
        // Woken early with nothing new: keep waiting for the same instant.
        #expect(policy.next(queued: 2, stopping: false, now: at(200)) == .gather(until: at(350)))
        // More came: the quiet period starts again.
        #expect(policy.next(queued: 4, stopping: false, now: at(300)) == .gather(until: at(550)))
        // Quiet passed without another: the batch goes.
        #expect(policy.next(queued: 4, stopping: false, now: at(550)) == .take(4))
    }

    @Test func aGatheringBatchGoesAtTheIntervalWhileEventsKeepComing() {
        var policy = underLoad()
        #expect(policy.next(queued: 2, stopping: false, now: at(0)) == .gather(until: at(250)))
        #expect(policy.next(queued: 3, stopping: false, now: at(200)) == .gather(until: at(450)))
        #expect(policy.next(queued: 4, stopping: false, now: at(400)) == .gather(until: at(650)))
        #expect(policy.next(queued: 5, stopping: false, now: at(600)) == .gather(until: at(850)))
        #expect(policy.next(queued: 6, stopping: false, now: at(800)) == .gather(until: at(1000)))  // the interval caps it
        #expect(policy.next(queued: 7, stopping: false, now: at(1000)) == .take(7))
    }

    @Test func enoughEventsGoWithoutWaitingAndABatchNeverExceedsTheLimit() {
        var policy = underLoad()
        #expect(policy.next(queued: CommitBatching.enough, stopping: false, now: at(0)) == .take(CommitBatching.enough))
        var small = underLoad(limit: 8)
        #expect(small.next(queued: 20, stopping: false, now: at(0)) == .take(8))
        // Twelve left, more than this writer's limit: no waiting for company either.
        #expect(small.next(queued: 12, stopping: false, now: at(1)) == .take(8))
        #expect(small.next(queued: 4, stopping: false, now: at(2)) == .gather(until: at(252)))
    }

    @Test func stoppingOrAZeroIntervalNeverWaits() {
        var stopping = underLoad()
        #expect(stopping.next(queued: 2, stopping: false, now: at(0)) == .gather(until: at(250)))
        #expect(stopping.next(queued: 2, stopping: true, now: at(10)) == .take(2))
        var eager = underLoad(interval: .zero)
        #expect(eager.next(queued: 2, stopping: false, now: at(0)) == .take(2))
    }

    @Test func aFailedBatchIsRetriedOneByOneOnlyWhenAnEventCanBeAtFault() {
        #expect(CommitBatching.recovery(count: 5, eventsCanBeAtFault: true) == .retryOneByOne)
        #expect(CommitBatching.recovery(count: 5, eventsCanBeAtFault: false) == .failAll)
        #expect(CommitBatching.recovery(count: 1, eventsCanBeAtFault: true) == .failAll)
    }

    @Test func retriedPartsMergeInOrder() {
        func event(_ seq: Int64) -> Event {
            Event(session: "s", seq: seq, kind: .message, at: "2026-01-01T00:00:00Z", from: StoreFixture.investor)
        }
        let parts = [
            CommitResult(committed: [event(1)], canonical: [[1]], failed: [], submittedAt: [10], committedAt: 100),
            CommitResult(failing: [event(2)], .writeFailed("bad"), at: 200),
            CommitResult(committed: [event(3)], canonical: [[3]], failed: [], submittedAt: [30], committedAt: 300),
        ]
        let merged = CommitResult(merging: parts)
        #expect(merged.committed.map(\.seq) == [1, 3])
        #expect(merged.canonical == [[1], [3]])
        #expect(merged.submittedAt == [10, 30])
        #expect(merged.failed.map(\.event.seq) == [2])
        #expect(merged.committedAt == 300)
    }
}
