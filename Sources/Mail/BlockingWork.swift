import Foundation

/// Runs blocking work (file system calls, waiting for a child process) on a thread of its own,
/// so that it never holds one of the few threads Swift concurrency runs tasks on.
/// A thread per call is fine at the rate mail is sent.
enum BlockingWork {
    static func run<T: Sendable>(name: String, _ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.name = name
            thread.start()
        }
    }
}
