import Store
import Synchronization

/// `work`'s result, or `StoreError.writeFailed` once `deadline` passed; the work is then
/// cancelled and not waited for. PostgresNIO's pool can lose a request for a connection made
/// while the server restarts and never answer it: every query of the store goes through
/// here, so such a loss turns into an error the caller retries instead of a wait forever.
func withDeadline<T: Sendable>(
    _ deadline: Duration, _ work: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withDeadline(deadline, untilStarted: nil) { _ in try await work() }
}

/// As `withDeadline(_:_:)`, with a shorter deadline, `untilStarted`, for the part before
/// `work` calls `started()` (a connection was leased): waiting for a lost lease is cut
/// short, while a statement PostgreSQL is busy with (a loaded server) gets the long one.
func withDeadline<T: Sendable>(
    _ deadline: Duration, untilStarted: Duration?,
    _ work: @escaping @Sendable (_ started: @escaping @Sendable () -> Void) async throws -> T
) async throws -> T {
    let hasStarted = Flag()
    let task = Task { try await work { hasStarted.set() } }
    let settled = FirstCaller()
    let result: Result<T, any Error> = await withCheckedContinuation { continuation in
        let timer = Task {
            if let untilStarted, untilStarted < deadline {
                try await Task.sleep(for: untilStarted)
                if !hasStarted.isSet, settled.claim() {
                    task.cancel()
                    continuation.resume(
                        returning: .failure(StoreError.writeFailed("no connection to PostgreSQL within \(untilStarted)")))
                    return
                }
                try await Task.sleep(for: deadline - untilStarted)
            } else {
                try await Task.sleep(for: deadline)
            }
            if settled.claim() {
                task.cancel()
                continuation.resume(returning: .failure(StoreError.writeFailed("no answer from PostgreSQL within \(deadline)")))
            }
        }
        Task {
            let result = await task.result
            timer.cancel()  // no sleeping timer left behind per query
            if settled.claim() { continuation.resume(returning: result) }
        }
    }
    return try result.get()
}

/// True for the first caller of `claim()` only.
private final class FirstCaller: Sendable {
    private let claimed = Mutex(false)

    func claim() -> Bool {
        claimed.withLock { claimed in
            defer { claimed = true }
            return !claimed
        }
    }
}

/// Set once, read from anywhere.
private final class Flag: Sendable {
    private let value = Mutex(false)

    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
