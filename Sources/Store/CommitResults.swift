import Synchronization

/// Where a writer's commit results go: the `results` stream, or — when a handler is set
/// before the writer starts — straight to that handler on the writer's own thread (or
/// task), without a hop through a consuming task. The hub's commit delivery uses the
/// handler: one crossing fewer between an fsync and the acks (docs/architecture.md).
package final class CommitResults: Sendable {
    /// Every result, in order, when no handler is set.
    package let stream: AsyncStream<CommitResult>
    private let continuation: AsyncStream<CommitResult>.Continuation
    /// Boxed: a bare closure in a Mutex grows reabstraction thunks at every `withLock`.
    private let handler = Mutex<Handler?>(nil)

    private struct Handler: Sendable {
        let deliver: @Sendable (CommitResult) -> Void
    }

    package init() {
        (stream, continuation) = AsyncStream.makeStream(of: CommitResult.self)
    }

    /// Hands every later result to `deliver` instead of the stream.
    package func deliver(to deliver: @escaping @Sendable (CommitResult) -> Void) {
        handler.withLock { $0 = Handler(deliver: deliver) }
    }

    /// A result, to the handler or the stream.
    package func yield(_ result: CommitResult) {
        if let handler = handler.withLock({ $0 }) {
            handler.deliver(result)
        } else {
            continuation.yield(result)
        }
    }

    /// No more results: the stream ends.
    package func finish() {
        continuation.finish()
    }
}
