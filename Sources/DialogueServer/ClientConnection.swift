import Dialogue
import HubCore
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

    var language: String { participant?.language ?? "en" }
    /// Officers and interpreters see drafts.
    var seesDrafts: Bool { identity?.role.seesDrafts == true }
    /// Officers and interpreters get every translation of their sessions, whatever their
    /// language: their consoles keep the queue of each language.
    var getsEveryTranslation: Bool { identity?.role.may(.translate) == true }
}

extension ConnectionID {
    /// The core's name for this connection.
    var key: ConnectionKey { ConnectionKey(raw) }
}

extension ConnectionKey {
    /// The transport's name for this connection.
    var id: ConnectionID { ConnectionID(raw: raw) }
}
