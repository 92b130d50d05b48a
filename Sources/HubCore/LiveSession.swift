import Dialogue

/// Identifies one client connection to the core; the driver maps its transport's ids onto it.
package struct ConnectionKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The transport's number for the connection.
    package let raw: UInt64
    /// Wraps the transport's number.
    package init(_ raw: UInt64) { self.raw = raw }
    /// Ordered by number, for stable test output.
    package static func < (a: Self, b: Self) -> Bool { a.raw < b.raw }
    /// `c<number>`, as the transport writes it.
    package var description: String { "c\(raw)" }
}

/// A member's reader language, whether it may see officers-only events, and whether it
/// gets the translations into every language.
package struct Reader: Sendable, Equatable {
    /// The reader's language.
    package var language: String
    /// Officers and interpreters see drafts and review fields.
    package var seesDrafts: Bool
    /// Officers and interpreters get every translation of their sessions.
    package var getsEveryTranslation: Bool

    /// A reader.
    package init(language: String, seesDrafts: Bool, getsEveryTranslation: Bool) {
        self.language = language
        self.seesDrafts = seesDrafts
        self.getsEveryTranslation = getsEveryTranslation
    }

    /// The reader a participant is, by role.
    package init(_ participant: Participant) {
        self.init(
            language: participant.language, seesDrafts: participant.role.seesDrafts,
            getsEveryTranslation: participant.role.may(.translate))
    }
}

/// One connection's subscription to a session's events.
package enum Subscription: Sendable, Equatable {
    /// Receiving history up to `upTo`; live events after it wait in the session's
    /// `catchUpBuffers` (kept apart so appending never copies them).
    case catchingUp(upTo: Int64, generation: UInt64)
    /// Receiving live events.
    case live
}

/// A connection receiving a session's events: only what delivery reads, so going through
/// the members for each event copies one string per member (who they are is kept apart,
/// in `LiveSession.speakers`).
package struct Member: Sendable {
    /// What delivery needs of it.
    package var reader: Reader
    /// History first, or live.
    package var subscription: Subscription
}

/// A live event held back for a reader that is still receiving history.
package struct HeldEvent: Sendable {
    /// The event, for visibility checks.
    package var event: Event
    /// Its canonical bytes as this reader gets them (review fields stripped or not).
    package var canonical: [UInt8]
    /// What the driver found for it when it committed (its terms), so the end of the
    /// catch-up does not find it again; nil when nothing was found (another node's event).
    package var found: (any Sendable)?
}

/// History frames waiting for room in a reader's outgoing queue, and the page to read after them.
struct HistoryOut: Sendable {
    /// Frames still to send, in order.
    var frames: [[UInt8]]
    /// The next page, or nil when these frames end the history.
    var next: HistoryRead?
}

/// Where a session in memory stands with its store.
package enum SessionMode: Sendable, Equatable {
    /// Deciding and delivering.
    case serving
    /// A commit failed (or lost a race on a shared store): its actions wait (shared store)
    /// or are refused (one node) until its state is read again.
    case recovering(RecoveryPhase)
}

/// The steps of a recovery.
package enum RecoveryPhase: Sendable, Equatable {
    /// Waiting until every event this node decided has come back from the writer (stored
    /// or refused): none may be in the writer when it takes the session's events again.
    case settling
    /// The state is being read again; `attempt` counts reads that failed.
    case reloading(attempt: Int)
}

/// A session loaded in memory: its rules plus who is listening and what is owed.
package struct LiveSession: Sendable {
    /// The session's rules.
    package var state: SessionState
    /// Highest seq known committed (and delivered).
    package var durableSeq: Int64
    /// Highest seq of this node's whose commit result (stored or refused) came back.
    package var settledSeq: Int64
    /// Serving, or recovering.
    package var mode: SessionMode = .serving
    /// Connections receiving this session's events.
    package var members: [ConnectionKey: Member] = [:]
    /// Who each member speaks as (for presence and removals, not for delivery).
    var speakers: [ConnectionKey: Participant] = [:]
    /// Acks owed once a seq commits: (connection, clientId).
    var pendingAcks: [Int64: [(ConnectionKey, String)]] = [:]
    /// Who asked for each in-flight event that is not a message (join, moderation, end,
    /// leave), so a storage failure can be reported to them.
    var pendingSubmitters: [Int64: (connection: ConnectionKey, kind: EventKind)] = [:]
    /// Live connections per participant id (for presence).
    var onlineCount: [String: Int] = [:]
    /// Members per reader language (primary tag): the languages a text is translated into
    /// besides the session's, without going through every member per message.
    var readerLanguages: [String: Int] = [:]
    /// Live events held for readers still receiving history, in order.
    var catchUpBuffers: [ConnectionKey: [HeldEvent]] = [:]
    /// Bytes in each reader's catch-up buffer.
    var catchUpBytes: [ConnectionKey: Int] = [:]
    /// History frames framed and not yet sent (the reader's outgoing queue was full).
    var historyOut: [ConnectionKey: HistoryOut] = [:]
    /// Joins another node's events overtook, decided again after the reload.
    var joinsToRetry: [(connection: ConnectionKey, language: String?)] = []
    /// Messages and questions another node's events overtook, decided again after the reload.
    var saysToRetry: [(connection: ConnectionKey, event: Event)] = []

    /// A session as just read from the store: everything in it is committed.
    package init(state: SessionState) {
        self.state = state
        self.durableSeq = state.lastSeq
        self.settledSeq = state.lastSeq
    }

    /// Runs a decision on the rules in place (a copy would copy the client-id table).
    package mutating func deciding<R>(_ decide: (inout SessionState) throws -> R) rethrows -> R {
        try decide(&state)
    }

    /// A member reading `language` came.
    mutating func readerCame(language: String) { readerLanguages[LanguageTag.primary(language), default: 0] += 1 }

    /// A member reading `language` went.
    mutating func readerLeft(language: String) {
        let primary = LanguageTag.primary(language)
        guard let count = readerLanguages[primary] else { return }
        readerLanguages[primary] = count > 1 ? count - 1 : nil
    }

    /// A commit result (or another node's event) came back for `seq`.
    mutating func settled(_ seq: Int64) { settledSeq = max(settledSeq, seq) }

    /// Whether nothing of this node's is in flight and nobody listens.
    var isIdle: Bool {
        mode == .serving && members.isEmpty && pendingAcks.isEmpty && pendingSubmitters.isEmpty
            && durableSeq == state.lastSeq
    }

    /// Whether every event decided here is committed (nothing of this node's in flight).
    var isSettled: Bool { state.lastSeq == durableSeq }

    /// Serving, with nothing of this node's in flight: other nodes' events may be applied.
    var isServingAndSettled: Bool { mode == .serving && isSettled }
}

/// A session's state being read from the store, and who waits for it.
struct SessionLoad<Work> {
    /// Tells this load from a later one of the same session.
    var token: UInt64
    /// The work waiting, in arrival order.
    var waiters: [Waiter<Work>]
}

/// Work held for a session that is loading or recovering.
struct Waiter<Work> {
    /// The connection whose frame it is; nil for work of the session's own.
    var connection: ConnectionKey?
    /// Its clientId, for `ref` in a refusal.
    var ref: String?
    /// The work.
    var work: Work
}
