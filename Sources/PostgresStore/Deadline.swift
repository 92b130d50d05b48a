import Store
import Synchronization

/// `work`'s result, or `StoreError.writeFailed` once `deadline` passed; the work is then
/// cancelled and not waited for. PostgresNIO's pool can lose a request for a connection made
/// while the server restarts and never answer it: every query of the store goes through
/// here, so such a loss turns into an error the caller retries instead of a wait forever.
func withDeadline<T: Sendable>(
    _ deadline: Duration, _ work: @escaping @Sendable () async throws -> T
) async throws -> T {
    let task = Task { try await work() }
    let settled = FirstCaller()
    let result: Result<T, any Error> = await withCheckedContinuation { continuation in
        let timer = Task {
            try await Task.sleep(for: deadline)
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
