import Dialogue
import Synchronization

/// What the hub calls when a hand-over is published: set by the server once its mailer
/// exists (it needs the links' base URL, known after binding). Kept in a struct in the
/// `Mutex`: a bare closure there grows reabstraction thunks at every read.
package final class DeskNotifier: Sendable {
    private struct Box { var notify: (@Sendable (Event) async -> Void)? }
    private let box = Mutex(Box())

    package init() {}

    /// The notifier, if set.
    var current: (@Sendable (Event) async -> Void)? { box.withLock { $0.notify } }

    /// Sets what a hand-over calls.
    package func set(_ notify: @escaping @Sendable (Event) async -> Void) {
        box.withLock { $0.notify = notify }
    }
}
