import Dialogue

/// An invitation for one investor to one session. Only the code's hash is stored.
package struct Invite: Sendable, Equatable {
    /// `inv_…`, also the investor's participant id.
    package var id: String
    /// The session it admits to.
    package var session: String
    /// The investor's name.
    package var name: String
    /// The investor's language.
    package var language: String
    /// The investor's organisation.
    package var organisation: String?
    /// RFC 3339.
    package var createdAt: String
    /// RFC 3339; the code stops working then.
    package var expiresAt: String
    /// RFC 3339, when revoked.
    package var revokedAt: String?
    /// Staff account id of the creator.
    package var createdBy: String
    /// Where the invitation, its updates and reminders are mailed; nil when the officer
    /// passes the link on by hand.
    package var email: String?
    /// The investor's IANA time zone, in which the mails show the meeting's time.
    package var timeZone: String?
    /// The code sealed under a key derived from the signing key (`InviteLinkSeal`), so
    /// that updates and reminders can repeat the link; only its hash opens the door.
    package var sealedCode: [UInt8]?
    /// The investor asked for the transcript by mail once the meeting ends.
    package var transcriptByMail: Bool
    /// RFC 3339, when the investor said on their page that they cannot attend (no reminder is
    /// mailed to them then; an update of a move still is); nil otherwise.
    package var declinedAt: String?

    package init(
        id: String, session: String, name: String, language: String, organisation: String?, createdAt: String,
        expiresAt: String, revokedAt: String?, createdBy: String, email: String? = nil, timeZone: String? = nil,
        sealedCode: [UInt8]? = nil, transcriptByMail: Bool = false, declinedAt: String? = nil
    ) {
        self.id = id
        self.session = session
        self.name = name
        self.language = language
        self.organisation = organisation
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.createdBy = createdBy
        self.email = email
        self.timeZone = timeZone
        self.sealedCode = sealedCode
        self.transcriptByMail = transcriptByMail
        self.declinedAt = declinedAt
    }

    /// Whether the investor said they cannot attend the meeting at its current time: a decline
    /// given before the meeting was last moved was about a former time, and the update asks
    /// them again.
    package func declines(_ schedule: SessionInfo.Schedule?) -> Bool {
        guard let declinedAt, let declined = Timestamp.parse(declinedAt) else { return false }
        guard let plannedAt = schedule?.plannedAt, let planned = Timestamp.parse(plannedAt) else { return true }
        return declined >= planned
    }

    /// Whether the code still admits at `nowMilliseconds`.
    package func isUsable(nowMilliseconds: Int64) -> Bool {
        guard revokedAt == nil else { return false }
        guard let expiry = Timestamp.parse(expiresAt) else { return false }
        return nowMilliseconds < expiry
    }
}
