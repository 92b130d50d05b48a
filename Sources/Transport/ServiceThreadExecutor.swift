import Dispatch
import Foundation
import Synchronization

/// Runs an actor's jobs on the libwebsockets service thread (docs/architecture.md, "The
/// hub on the lws service thread"), so that the hub decides where the frames are: a frame
/// read by lws is handed to the hub in the same callback (`WebSocketServer.setEventHandler`
/// and `assumeIsolated`), and the frames the hub queues are written in the same pass,
/// without a hop through the cooperative pool and back. What the hub awaits (reads,
/// provider calls, commits) runs elsewhere; its continuations come back here as jobs,
/// queued under a lock and run when `lws_cancel_service` wakes the thread.
///
/// Before the service thread starts and after it stopped, the jobs run on a serial
/// dispatch queue instead (`fallback`), so the actor works the same in tools and tests
/// that never start a transport, and at shutdown. Who may run jobs, and when a wake-up is
/// owed, is `JobRunQueue`'s decision; this class only carries it out.
package final class ServiceThreadExecutor: SerialExecutor, @unchecked Sendable {
    // @unchecked: UnownedJob values are handed between threads under the lock, each run once.

    private let state = Mutex(JobRunQueue<Work>())
    private let fallback = DispatchQueue(label: "hub-executor")
    /// The service thread's id while it runs the jobs (0: it does not).
    private let serviceThread = Atomic<UInt>(0)
    /// Wakes the service thread (`lws_cancel_service`) while it runs the jobs. Boxed: a bare
    /// closure in a Mutex is re-wrapped in two reabstraction thunks at every `withLock`
    /// (inout through the generic Value), so each read got slower than the last.
    private let wakeServiceThread = Mutex<Wake?>(nil)

    private struct Wake: Sendable {
        let call: @Sendable () -> Void
    }

    /// An executor that runs its jobs on the fallback queue until a service thread takes over.
    package init() {}

    /// What runs on the executor: a job of its actor, or a closure handed to `perform`.
    enum Work: Sendable {
        case job(UnownedJob)
        case closure(@Sendable () -> Void)
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        signal(state.withLock { $0.enqueue(.job(unowned)) })
    }

    /// Runs `work` on the executor, in order with its jobs: isolated to its actor (reach it
    /// with `assumeIsolated`). For a thread that is not a Swift task — the group-commit
    /// writer's — to hand results over without a task of its own in between.
    package func perform(_ work: @escaping @Sendable () -> Void) {
        signal(state.withLock { $0.enqueue(.closure(work)) })
    }

    package func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Called by `assumeIsolated` from code that runs outside a job (an lws callback): it
    /// passes on the service thread while it owns the jobs, and on the fallback queue.
    package func checkIsolated() {
        if isOnServiceThread { return }
        dispatchPrecondition(condition: .onQueue(fallback))
    }

    /// Whether the caller is the service thread that runs the jobs now.
    package var isOnServiceThread: Bool {
        let running = serviceThread.load(ordering: .acquiring)
        return running != 0 && running == UInt(pthread_self())
    }

    // MARK: The service thread's side (called by WebSocketServer on that thread)

    /// The service thread takes the jobs over: from now on they run in `runJobs()`, which
    /// `wake` makes the thread call. Waits for a batch the fallback queue is running.
    func serviceThreadStarted(wake: @escaping @Sendable () -> Void) {
        wakeServiceThread.withLock { $0 = Wake(call: wake) }
        serviceThread.store(UInt(pthread_self()), ordering: .releasing)
        let next = state.withLock { $0.switchTo(.serviceThread) }
        // A batch running on the fallback queue ends before this returns (the queue is
        // serial), and runs no more jobs after it: they are the service thread's now.
        fallback.sync {}
        signal(next)
    }

    /// Runs the jobs queued so far, on the service thread; those they queue run on the next pass.
    func runJobs() {
        guard let batch = state.withLock({ $0.take(as: .serviceThread) }) else { return }
        run(batch)
        signal(state.withLock { $0.finished() })
    }

    private func run(_ batch: [Work]) {
        for work in batch {
            switch work {
            case .job(let job): job.runSynchronously(on: asUnownedSerialExecutor())
            case .closure(let closure): closure()
            }
        }
    }

    /// The service thread stops (no more lws callbacks): the fallback queue runs the jobs again.
    func serviceThreadStopped() {
        let next = state.withLock { $0.switchTo(.fallback) }
        serviceThread.store(0, ordering: .releasing)
        wakeServiceThread.withLock { $0 = nil }
        signal(next)
    }

    // MARK: Carrying out the queue's decisions

    private func signal(_ signal: JobRunQueue<Work>.Signal) {
        switch signal {
        case .none:
            break
        case .wakeServiceThread:
            wakeServiceThread.withLock { $0 }?.call()
        case .drainOnFallback:
            fallback.async { [self] in drainOnFallback() }
        }
    }

    private func drainOnFallback() {
        guard let batch = state.withLock({ $0.take(as: .fallback) }) else { return }
        run(batch)
        signal(state.withLock { $0.finished() })
    }
}

/// Who runs an executor's jobs and when the runner must be told: the decisions of
/// `ServiceThreadExecutor`, without threads (unit-tested on their own). One runner at a
/// time (the fallback queue or the service thread), one batch at a time, jobs in the order
/// they came, and at most one wake-up owed.
package struct JobRunQueue<Job>: Sendable where Job: Sendable {
    /// Who runs the jobs.
    package enum Runner: Sendable, Equatable {
        /// A serial dispatch queue (before the service thread starts, after it stops).
        case fallback
        /// The lws service thread.
        case serviceThread
    }

    /// What the caller must do after a change.
    package enum Signal: Sendable, Equatable {
        /// Nothing: the runner knows already, or is running and will look again.
        case none
        /// Wake the service thread (`lws_cancel_service`).
        case wakeServiceThread
        /// Have the fallback queue run a batch.
        case drainOnFallback
    }

    package private(set) var runner: Runner = .fallback
    /// Jobs not yet taken, oldest first.
    package private(set) var jobs: [Job] = []
    /// A batch is running.
    package private(set) var running = false
    /// The runner was told and has not looked yet.
    package private(set) var told = false

    package init() {}

    /// Queues a job.
    package mutating func enqueue(_ job: Job) -> Signal {
        jobs.append(job)
        return tell()
    }

    /// `runner` starts a batch: the jobs to run, or nil when it may not (not its turn, a
    /// batch running, nothing queued).
    package mutating func take(as runner: Runner) -> [Job]? {
        guard self.runner == runner, !running else { return nil }
        told = false
        guard !jobs.isEmpty else { return nil }
        running = true
        let batch = jobs
        jobs = []  // not removeAll(keepingCapacity:): `batch` shares the buffer, which would be copied
        return batch
    }

    /// The batch ended; jobs queued meanwhile need their runner told.
    package mutating func finished() -> Signal {
        running = false
        return tell()
    }

    /// Hands the jobs to another runner (the batch running, if any, ends on the old one).
    package mutating func switchTo(_ runner: Runner) -> Signal {
        self.runner = runner
        told = false
        return tell()
    }

    private mutating func tell() -> Signal {
        guard !jobs.isEmpty, !running, !told else { return .none }
        told = true
        return runner == .serviceThread ? .wakeServiceThread : .drainOnFallback
    }
}
