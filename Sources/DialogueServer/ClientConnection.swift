import Dialogue
import HubCore
import Store
import Transport

/// Who a connection authenticated as.
enum Identity: ConnectionIdentity {
    case staff(StaffAccount)
    case investor(Invite)

    /// Participant id: the staff account id or the invite id.
    var participantId: String {
        switch self {
        case .staff(let account): return account.id
        case .investor(let invite): return invite.id
        }
    }

    /// The role: the staff account's, or investor.
    var role: Role {
        switch self {
        case .staff(let account): return account.role
        case .investor: return .investor
        }
    }

    /// The invite's session; nil for staff.
    var inviteSession: String? {
        if case .investor(let invite) = self { return invite.session }
        return nil
    }

    /// Whether the invite was revoked when it was read.
    var isRevoked: Bool {
        if case .investor(let invite) = self { return invite.revokedAt != nil }
        return false
    }

    /// When the invite expires (milliseconds); nil for staff.
    var expiry: Int64? {
        // An expiry that does not parse counts as passed, as `Invite.isUsable` has it.
        guard case .investor(let invite) = self else { return nil }
        return Timestamp.parse(invite.expiresAt) ?? .min
    }

    /// The participant a connection signed in as this speaks as.
    func participant(language: String) -> Participant {
        switch self {
        case .staff(let account):
            // Staff speak under their account's name: a `name` in hello is ignored, so no
            // one signs in as an officer and appears in the record as someone else.
            return Participant(id: account.id, role: account.role, name: account.name, language: language)
        case .investor(let invite):
            return Participant(
                id: invite.id, role: .investor, name: invite.name, language: language, organisation: invite.organisation
            )
        }
    }
}

extension ConnectionID {
    /// The core's name for this connection.
    var key: ConnectionKey { ConnectionKey(raw) }
}

extension ConnectionKey {
    /// The transport's name for this connection.
    var id: ConnectionID { ConnectionID(raw: raw) }
}
