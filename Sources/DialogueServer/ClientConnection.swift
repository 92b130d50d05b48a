import Dialogue
import Store
import Transport

/// Who a connection authenticated as.
enum Identity: Sendable {
    case staff(StaffAccount)
    case investor(Invite)

    /// Participant id: the staff account id or the invite id.
    var participantId: String {
        switch self {
        case .staff(let account): return account.id
        case .investor(let invite): return invite.id
        }
    }

    var role: Role {
        switch self {
        case .staff(let account): return account.role
        case .investor: return .investor
        }
    }
}

/// The hub's view of one WebSocket connection.
struct ClientConnection {
    let id: ConnectionID
    let peer: String
    let openedAt: Int64
    var limiter: RateLimiter?
    /// Set once `hello` succeeded.
    var identity: Identity?
    /// The participant this connection speaks as (name and reading language from `hello`).
    var participant: Participant?
    /// True while `hello` is being checked; further frames wait in `backlog`.
    var busy = false
    /// Refused and being closed: frames from it are ignored.
    var closing = false
    /// Frames that arrived while `busy`, handled in order afterwards.
    var backlog: [[UInt8]] = []
    /// Sessions this connection receives events of.
    var sessions: Set<String> = []

    var language: String { participant?.language ?? "en" }
    /// Officers and interpreters see drafts.
    var seesDrafts: Bool { identity?.role.seesDrafts == true }
    /// Officers and interpreters get every translation of their sessions, whatever their
    /// language: their consoles keep the queue of each language.
    var getsEveryTranslation: Bool { identity?.role.may(.translate) == true }
}

/// One connection's subscription to a session's events.
enum Subscription {
    /// Receiving history up to `upTo`; live events after it wait in the session's
    /// `catchUpBuffers` (kept apart so appending never copies them).
    case catchingUp(upTo: Int64, generation: UInt64)
    /// Receiving live events.
    case live
}

/// A session loaded in memory: its rules plus who is listening. A class, owned by the hub
/// actor and never shared outside it: reading one field through `sessions[id]?.field` then
/// costs one retain, where a struct was copied whole (a retain per dictionary inside it) on
/// every such read — several per delivered message.
final class LiveSession {
    var state: SessionState
    /// Highest seq known committed.
    var durableSeq: Int64
    /// Highest seq of this node's whose commit result (stored or refused) came back.
    var settledSeq: Int64
    /// Connections receiving this session's events.
    var members: [ConnectionID: Subscription] = [:]
    /// What delivery needs of each member, kept beside `members` so a broadcast does not
    /// copy every member's whole connection record.
    var readers: [ConnectionID: Reader] = [:]
    /// Acks owed once a seq commits: (connection, clientId).
    var pendingAcks: [Int64: [(ConnectionID, String)]] = [:]
    /// Who asked for each in-flight event that is not a message (join, moderation, end,
    /// leave), so a storage failure can be reported to them.
    var pendingSubmitters: [Int64: (connection: ConnectionID, kind: EventKind)] = [:]
    /// Live connections per participant id (for presence).
    var onlineCount: [String: Int] = [:]
    /// Frames that arrived for connections still receiving history, in order.
    var catchUpBuffers: [ConnectionID: [PendingFrame]] = [:]
    /// Bytes in each connection's catch-up buffer.
    var catchUpBytes: [ConnectionID: Int] = [:]

    init(state: SessionState) {
        self.state = state
        self.durableSeq = state.lastSeq
        self.settledSeq = state.lastSeq
    }
}

/// A member's reader language, whether it may see officers-only events, and whether it
/// gets the translations into every language.
struct Reader {
    var language: String
    var seesDrafts: Bool
    var getsEveryTranslation: Bool
}

/// A live event held back for a reader that is still receiving history.
struct PendingFrame {
    /// The event, for visibility checks.
    var event: Event
    /// Its canonical bytes, to splice the frame from.
    var canonical: [UInt8]
    /// Its glossary terms, rendered per reader language when sent.
    var terms: EventTerms
}
