import ServiceLifecycle

/// The long-running parts of a serving node, in the order the `ServiceGroup` starts them.
/// The group stops them in reverse, one at a time, each once the one after it has finished,
/// so `startOrder` reversed *is* the shutdown sequence (docs/architecture.md, "Lifecycle"):
/// stop taking frames and refuse connections, end the periodic work, commit what is in
/// flight so its acks go out, wait for archives, sign checkpoints, close the sockets with
/// 1001 and stop the transport, then the loops fed by it, presence, the providers' client, and the store last.
package enum ServerPart: String, Sendable, CaseIterable {
    /// The store: closed last, when nothing uses it any more.
    case store
    /// The translation and LLM providers' HTTP client: shut down once nothing asks a
    /// provider any more (the hub, the commits and the HTTP API have stopped).
    case providers
    /// The outbox's sender: sends until stopped, finishing the mail in hand (docs/mail.md).
    case mail
    /// This node's presence on a shared store's board: beats until stopped, then leaves.
    case presence
    /// Transport events (frames, opens, closes) to the hub; ends when the transport stops.
    case events
    /// HTTP requests to the API; ends when the transport stops.
    case http
    /// Other nodes' commits to the hub (a shared store only).
    case notices
    /// The sockets: closed with 1001, then the service thread stops.
    case transport
    /// Checkpoint signing: signs every session's unsigned tail, then stops.
    case checkpoints
    /// Transcript archives of ended sessions: waited for.
    case archives
    /// The group-commit writer and the delivery of its results to the hub: what is queued
    /// is committed and acknowledged.
    case commits
    /// The hello and invite-expiry sweep.
    case sweep
    /// The calendar: opens scheduled sessions whose time has come, queues reminders.
    case calendar
    /// The poll that closes connections of revoked staff.
    case staffRevocation
    /// The agent-pack watcher.
    case packWatcher
    /// Retention runs (`--retention-days`).
    case retention
    /// The start-up check for ended sessions without their final signed head.
    case archiveCheck
    /// The front door: stops taking frames and refuses new connections first.
    case gate

    /// The order the group starts the parts in; it stops them in reverse.
    package static let startOrder: [ServerPart] = [
        .store, .providers, .mail, .presence, .events, .http, .notices, .transport, .checkpoints, .archives, .commits,
        .sweep, .calendar, .staffRevocation, .packWatcher, .retention, .archiveCheck, .gate,
    ]
}

/// One part of the server as a `Service`: its `work` runs while the group serves; when its
/// turn to stop comes, `stop` runs (it is what makes a `whenDone` work end, such as the
/// writer's shutdown ending its results), then the work is awaited, or cancelled first when
/// `ending` says so, and then `afterwards` runs. It returns only after its own turn, so the
/// group never sees a part finish out of order.
package struct PartService: Service {
    /// How the work ends once the part is asked to stop.
    package enum Ending: Sendable {
        /// It ends by itself (its input finishes as the parts stopped before it stop).
        case whenDone
        /// It is cancelled.
        case cancelled
    }

    /// Which part.
    package let part: ServerPart
    /// How `work` ends.
    package let ending: Ending
    private let work: @Sendable () async -> Void
    private let stop: @Sendable () async -> Void
    private let afterwards: @Sendable () async -> Void

    /// A part whose `work` runs until its turn to stop; see the type's description.
    package init(
        _ part: ServerPart, ending: Ending = .whenDone, work: @escaping @Sendable () async -> Void = {},
        stop: @escaping @Sendable () async -> Void = {}, afterwards: @escaping @Sendable () async -> Void = {}
    ) {
        self.part = part
        self.ending = ending
        self.work = work
        self.stop = stop
        self.afterwards = afterwards
    }

    /// Runs the work until the group asks this part to stop, then stops it.
    package func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask(operation: work)
            // Our turn: the group asks the parts after this one first and waits for them. A
            // cancelled group (not graceful) ends here too.
            try? await gracefulShutdown()
            await stop()
            if ending == .cancelled { group.cancelAll() }
            await group.waitForAll()
        }
        await afterwards()
    }
}

extension PartService: CustomStringConvertible {
    /// The part's name, as the group logs it.
    package var description: String { part.rawValue }
}
