import Dialogue
import Synchronization

/// What the hub calls when something it decided calls for mail: a hand-over published (the
/// desk is told), a session archived (investors who asked get the transcript). Set by the
/// server once its mailer exists (it needs the links' base URL, known after binding). The
/// closures are kept in a struct in the `Mutex`: bare there, they grow reabstraction thunks
/// at every read.
package final class MailHooks: Sendable {
    private struct Hooks {
        var handover: (@Sendable (Event) async -> Void)?
        var ended: (@Sendable (String) async -> Void)?
    }
    private let hooks = Mutex(Hooks())

    package init() {}

    /// What a published hand-over calls, if set.
    var handover: (@Sendable (Event) async -> Void)? { hooks.withLock { $0.handover } }
    /// What an archived session calls, if set.
    var ended: (@Sendable (String) async -> Void)? { hooks.withLock { $0.ended } }

    /// Sets both.
    package func set(
        handover: @escaping @Sendable (Event) async -> Void, ended: @escaping @Sendable (String) async -> Void
    ) {
        hooks.withLock {
            $0.handover = handover
            $0.ended = ended
        }
    }
}
