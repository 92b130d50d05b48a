import Dialogue

/// When a group-commit writer commits, and how much: the one batching policy of SQLite's
/// `GroupCommitWriter` and PostgreSQL's `PostgresEventWriter`, decided here without I/O so
/// it is tested once (the writers only wait as told and take what it says).
///
/// Waiting for more events pays only under load: one fsync (or one round trip) then serves
/// many. A lone event after a quiet spell (the last batch was a single one) goes at once;
/// otherwise a small batch gathers for up to `interval` while events keep coming, and goes as
/// soon as `quiet` passes without one (a few clients waiting on their acks send nothing more)
/// or it has grown to `enough`. A batch never exceeds `limit`.
package struct CommitBatching: Sendable {
    /// A batch this large is committed without waiting for more.
    package static let enough = 64
    /// Time without a new event after which a gathering batch goes.
    package static let quiet: Duration = .microseconds(250)

    /// Longest a batch gathers (`--commit-interval-ms`); zero never waits.
    package let interval: Duration
    /// Most events per transaction (`--commit-batch`), at least 1.
    package let limit: Int
    /// Size of the batch taken last.
    private var lastBatch = 0
    /// The batch being gathered: when it must go, how many were queued at the last look,
    /// and when it goes if none came since.
    private var gathering: (deadline: ContinuousClock.Instant, seen: Int, quietUntil: ContinuousClock.Instant)?

    /// A policy for a writer with these settings.
    package init(interval: Duration, limit: Int) {
        self.interval = interval
        self.limit = max(1, limit)
    }

    /// What a writer does next.
    package enum Step: Sendable, Equatable {
        /// Nothing is queued: wait for a submission.
        case waitForEvents
        /// Nothing is queued and the writer is stopping: finish.
        case finish
        /// Wait for another submission, or until this instant, then ask again.
        case gather(until: ContinuousClock.Instant)
        /// Take this many of the queued events (the oldest) and commit them in one transaction.
        case take(Int)
    }

    /// The next step, given how many events are queued now, whether the writer is stopping
    /// (then what is queued goes without waiting), and the time.
    package mutating func next(queued: Int, stopping: Bool, now: ContinuousClock.Instant) -> Step {
        guard queued > 0 else {
            gathering = nil
            return stopping ? .finish : .waitForEvents
        }
        let wanted = min(limit, Self.enough)
        if stopping || queued >= wanted || interval <= .zero { return take(queued) }
        guard var batch = gathering else {
            guard lastBatch > 1 else { return take(queued) }
            let batch = (deadline: now + interval, seen: queued, quietUntil: now + Self.quiet)
            gathering = batch
            return .gather(until: min(batch.deadline, batch.quietUntil))
        }
        if now >= batch.deadline { return take(queued) }
        if queued == batch.seen {
            if now >= batch.quietUntil { return take(queued) }
        } else {
            batch.seen = queued
            batch.quietUntil = now + Self.quiet
        }
        gathering = batch
        return .gather(until: min(batch.deadline, batch.quietUntil))
    }

    private mutating func take(_ queued: Int) -> Step {
        let count = min(queued, limit)
        lastBatch = count
        gathering = nil
        return .take(count)
    }

    /// What a writer does with a batch whose transaction failed.
    package enum Recovery: Sendable, Equatable {
        /// Commit each of its events in a transaction of its own: one bad event must not
        /// sink the others.
        case retryOneByOne
        /// Report every event of the batch not stored.
        case failAll
    }

    /// The recovery for a failed batch of `count` events; `eventsCanBeAtFault` when the
    /// error may come from one event's data (any SQLite error; only a statement error from
    /// PostgreSQL, since after a timeout or a lost connection retrying each event alone would
    /// only add load).
    package static func recovery(count: Int, eventsCanBeAtFault: Bool) -> Recovery {
        count > 1 && eventsCanBeAtFault ? .retryOneByOne : .failAll
    }
}

extension CommitResult {
    /// The results of `parts`, committed one after another, as one result (a batch retried
    /// one event at a time reports so).
    package init(merging parts: [CommitResult]) {
        self.init(committed: [], failed: [], submittedAt: [], committedAt: 0)
        for part in parts {
            committed += part.committed
            canonical += part.canonical
            failed += part.failed
            submittedAt += part.submittedAt
            committedAt = part.committedAt
        }
    }

    /// Every event of `events` not stored, for `reason` (a failed batch, a stopped writer).
    package init(failing events: [Event], _ reason: StoreError, at now: UInt64) {
        self.init(
            committed: [], failed: events.map { FailedAppend(event: $0, error: reason) }, submittedAt: [],
            committedAt: now)
    }
}
