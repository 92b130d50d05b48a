import Foundation
import Synchronization
import Testing

@testable import Transport

/// Who runs the hub's jobs (docs/architecture.md, "The hub on the lws service thread"):
/// the decisions alone, then the executor with a thread standing in for the lws service
/// thread (woken the way `lws_cancel_service` wakes it).
@Suite struct JobRunQueueTests {
    @Test func theFallbackIsToldOnceAndRunsTheJobsInOrder() {
        var queue = JobRunQueue<Int>()
        #expect(queue.enqueue(1) == .drainOnFallback)
        #expect(queue.enqueue(2) == .none, "told already")
        #expect(queue.take(as: .serviceThread) == nil, "not its turn")
        #expect(queue.take(as: .fallback) == [1, 2])
        #expect(queue.take(as: .fallback) == nil, "one batch at a time")
        #expect(queue.enqueue(3) == .none, "the running batch looks again when it ends")
        #expect(queue.finished() == .drainOnFallback)
        #expect(queue.take(as: .fallback) == [3])
        #expect(queue.finished() == .none)
        #expect(queue.take(as: .fallback) == nil, "nothing queued")
    }

    @Test func aSwitchHandsTheQueuedJobsToTheNewRunner() {
        var queue = JobRunQueue<Int>()
        #expect(queue.enqueue(1) == .drainOnFallback)
        // The service thread starts before the fallback queue looked: the jobs are its now.
        #expect(queue.switchTo(.serviceThread) == .wakeServiceThread)
        #expect(queue.take(as: .fallback) == nil, "the fallback's late drain finds nothing to do")
        #expect(queue.enqueue(2) == .none, "woken already")
        #expect(queue.take(as: .serviceThread) == [1, 2])
        #expect(queue.finished() == .none)
        #expect(queue.enqueue(3) == .wakeServiceThread)
        // The service thread stops with a job queued: the fallback queue runs it.
        #expect(queue.switchTo(.fallback) == .drainOnFallback)
        #expect(queue.take(as: .serviceThread) == nil)
        #expect(queue.take(as: .fallback) == [3])
    }

    @Test func aSwitchDuringABatchWaitsForItsEnd() {
        var queue = JobRunQueue<Int>()
        _ = queue.enqueue(1)
        #expect(queue.take(as: .fallback) == [1])
        _ = queue.enqueue(2)
        #expect(queue.switchTo(.serviceThread) == .none, "a batch is running")
        #expect(queue.take(as: .serviceThread) == nil, "never two batches at once")
        #expect(queue.finished() == .wakeServiceThread, "the new runner is told when the batch ends")
        #expect(queue.take(as: .serviceThread) == [2])
    }

    @Test func aWakeForNothingClearsTheFlag() {
        var queue = JobRunQueue<Int>()
        #expect(queue.switchTo(.serviceThread) == .none)
        #expect(queue.enqueue(1) == .wakeServiceThread)
        #expect(queue.take(as: .serviceThread) == [1])
        #expect(queue.finished() == .none)
        // Woken for the outbox only: nothing to run, and the next job wakes it again.
        #expect(queue.take(as: .serviceThread) == nil)
        #expect(queue.enqueue(2) == .wakeServiceThread)
    }
}

/// Counts what ran where, and whether two jobs ever overlapped.
actor Recorder {
    nonisolated let executor: ServiceThreadExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    var order: [Int] = []
    var onServiceThread = 0
    var inside = false
    var overlaps = 0

    init(executor: ServiceThreadExecutor) { self.executor = executor }

    func record(_ value: Int) {
        if inside { overlaps += 1 }
        inside = true
        order.append(value)
        if executor.isOnServiceThread { onServiceThread += 1 }
        inside = false
    }

    func report() -> (order: [Int], onServiceThread: Int, overlaps: Int) { (order, onServiceThread, overlaps) }
}

/// A thread standing in for the lws service thread: runs the executor's jobs when woken,
/// and calls into the actor directly (as an lws callback does) between wake-ups.
final class StandInServiceThread: @unchecked Sendable {
    let executor: ServiceThreadExecutor
    let wakes = DispatchSemaphore(value: 0)
    let stopping = Atomic<Bool>(false)
    let stopped = DispatchSemaphore(value: 0)
    let direct: @Sendable () -> Void

    init(executor: ServiceThreadExecutor, direct: @escaping @Sendable () -> Void) {
        self.executor = executor
        self.direct = direct
    }

    func start() {
        let thread = Thread { [self] in
            executor.serviceThreadStarted { [wakes] in wakes.signal() }
            while !stopping.load(ordering: .acquiring) {
                _ = wakes.wait(timeout: .now() + .milliseconds(5))
                executor.runJobs()
                direct()
            }
            executor.serviceThreadStopped()
            stopped.signal()
        }
        thread.start()
    }

    func stop() {
        stopping.store(true, ordering: .releasing)
        wakes.signal()
        stopped.wait()
    }
}

@Suite struct ServiceThreadExecutorTests {
    @Test func withoutAServiceThreadTheFallbackQueueRunsTheJobs() async {
        let recorder = Recorder(executor: ServiceThreadExecutor())
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<200 { group.addTask { await recorder.record(i) } }
        }
        let report = await recorder.report()
        #expect(report.order.count == 200 && Set(report.order).count == 200)
        #expect(report.onServiceThread == 0 && report.overlaps == 0)
    }

    @Test func theServiceThreadTakesOverAndHandsBackWithoutOverlapOrLoss() async {
        let executor = ServiceThreadExecutor()
        let recorder = Recorder(executor: executor)
        let direct = Atomic<Int>(0)
        // Calls made on the service thread outside a job, as lws callbacks make them.
        let thread = StandInServiceThread(executor: executor) {
            recorder.assumeIsolated { $0.record(-1) }
            direct.add(1, ordering: .relaxed)
        }
        // Jobs before, during and after the service thread's time, from many tasks at once.
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<300 { group.addTask { await recorder.record(i) } }
            thread.start()
            for i in 300..<600 { group.addTask { await recorder.record(i) } }
            await group.waitForAll()
            for i in 600..<900 { group.addTask { await recorder.record(i) } }
        }
        thread.stop()
        for i in 900..<1000 { await recorder.record(i) }
        let report = await recorder.report()
        #expect(report.overlaps == 0, "two jobs ran at once")
        #expect(report.order.filter { $0 >= 0 }.sorted() == Array(0..<1000), "a job was lost or ran twice")
        #expect(report.onServiceThread > 0, "the service thread ran none of the jobs")
        #expect(direct.load(ordering: .relaxed) > 0)
        // Sequential calls from one task keep their order, whoever runs them.
        #expect(report.order.filter { $0 >= 900 } == Array(900..<1000))
    }

    @Test func closuresRunInOrderWithTheJobsAndIsolatedToTheActor() async {
        let executor = ServiceThreadExecutor()
        let recorder = Recorder(executor: executor)
        let thread = StandInServiceThread(executor: executor) {}
        thread.start()
        for i in 0..<100 {
            if i.isMultiple(of: 2) {
                executor.perform { recorder.assumeIsolated { $0.record(i) } }
            } else {
                await recorder.record(i)
            }
        }
        let report = await recorder.report()
        thread.stop()
        #expect(report.order == Array(0..<100))
        #expect(report.overlaps == 0)
    }
}
