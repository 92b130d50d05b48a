/// The frame limits shared across sockets: one bucket per participant (all its connections,
/// on this node, draw from it, so opening more sockets gains nothing) and one per session
/// (all its participants together). Buckets that refill completely are forgotten, so the
/// memory follows the active participants and sessions.
package struct SharedRateLimits: Sendable {
    /// Each participant's limit (`--rate-limit`); nil: none.
    package let participantPolicy: RateLimiter.Policy?
    /// Each session's limit (`--session-rate-limit`); nil: none.
    package let sessionPolicy: RateLimiter.Policy?
    private var participants: [String: RateLimiter] = [:]
    private var sessions: [String: RateLimiter] = [:]

    /// Limits with these policies and every bucket full.
    package init(participant: RateLimiter.Policy?, session: RateLimiter.Policy?) {
        self.participantPolicy = participant
        self.sessionPolicy = session
    }

    /// Takes a token from the participant's bucket (checked when the frame arrives, before
    /// it is read); false: over the limit.
    package mutating func admit(participant: String, now: Int64) -> Bool {
        guard let participantPolicy else { return true }
        var bucket = participants[participant] ?? RateLimiter(policy: participantPolicy, now: now)
        let allowed = bucket.allow(now: now)
        participants[participant] = bucket
        return allowed
    }

    /// Takes a token from the session's bucket (checked once the frame is read and names
    /// its session); false: over the limit.
    package mutating func admit(session: String, now: Int64) -> Bool {
        guard let sessionPolicy else { return true }
        var bucket = sessions[session] ?? RateLimiter(policy: sessionPolicy, now: now)
        let allowed = bucket.allow(now: now)
        sessions[session] = bucket
        return allowed
    }

    /// Forgets buckets that are full again at `now`.
    package mutating func prune(now: Int64) {
        participants = participants.filter { !$0.value.isFull(now: now) }
        sessions = sessions.filter { !$0.value.isFull(now: now) }
    }

    /// Buckets held (participants + sessions), for tests of the memory bound.
    package var buckets: Int { participants.count + sessions.count }
}
