import Dialogue

/// Who a connection signed in as, as the connection rules need it. The server's identity
/// (a staff account or an invite, from `Store`) conforms; the core never sees the store's
/// types, as it never sees the driver's work.
package protocol ConnectionIdentity: Sendable {
    /// The participant id: the staff account id or the invite id.
    var participantId: String { get }
    /// The role the connection acts as.
    var role: Role { get }
    /// The session an invite is for; nil for staff, who may act in any session.
    var inviteSession: String? { get }
    /// Whether the identity was revoked when it was read (an invite's `revokedAt`).
    var isRevoked: Bool { get }
    /// When an invite expires, in milliseconds since 1970; nil: never (staff). Read once per
    /// sign-in: the expiry sweep compares it with the clock for every open connection.
    var expiry: Int64? { get }
    /// The participant a connection signed in as speaks as, reading `language`.
    func participant(language: String) -> Participant
}

extension ConnectionIdentity {
    /// Whether an invite's expiry has passed (never for staff).
    func hasExpired(now: Int64) -> Bool { expiry.map { now >= $0 } ?? false }

    /// Whether this is an invite that may be used now.
    func isUsable(now: Int64) -> Bool { !isRevoked && !hasExpired(now: now) }
}

/// The bounds and policies of connections (the server's configuration).
package struct ConnectionLimits: Sendable {
    /// Frames per second and burst per participant (all its sockets), and per connection
    /// before it signed in; nil for no limit.
    package var rateLimit: RateLimiter.Policy?
    /// Frames per session from investors; nil for no limit.
    package var sessionRateLimit: RateLimiter.Policy?
    /// Seconds a connection has to send `hello`.
    package var helloTimeout: Double
    /// Open connections one invite may have.
    package var connectionsPerInvite: Int
    /// Frames a busy connection may have waiting before it is closed.
    package var backlogLimit = 256

    /// The given policies.
    package init(
        rateLimit: RateLimiter.Policy?, sessionRateLimit: RateLimiter.Policy?, helloTimeout: Double,
        connectionsPerInvite: Int
    ) {
        self.rateLimit = rateLimit
        self.sessionRateLimit = sessionRateLimit
        self.helloTimeout = helloTimeout
        self.connectionsPerInvite = connectionsPerInvite
    }
}

/// A `hello` whose token is being looked up.
package struct HelloRequest: Sendable, Equatable {
    /// The token to look up.
    package var token: String
    /// The reading language the client asked for.
    package var language: String
    /// Where the client wants to resume.
    package var resume: ClientFrame.Resume?
}

/// Where a connection stands.
package enum ConnectionPhase: Sendable, Equatable {
    /// Opened; its first frame must be a valid `hello`.
    case awaitingHello
    /// Its `hello`'s token is being looked up (or a refused sign-in waits for the
    /// throttle's delay); later frames wait in the backlog.
    case checkingHello(HelloRequest)
    /// Signed in; its frames go to the rules.
    case signedIn
    /// Refused or being closed: nothing more is taken from it.
    case closing
}

/// The hub's record of one connection.
package struct ConnectionRecord<Identity: ConnectionIdentity>: Sendable {
    /// The transport's name for it.
    package let key: ConnectionKey
    /// The peer's address (the sign-in throttle counts failures by it).
    package let peer: String
    /// When it opened (the hello timeout counts from here).
    package let openedAt: Int64
    /// Where it stands.
    package internal(set) var phase: ConnectionPhase = .awaitingHello
    /// Who it signed in as; kept while it closes (an erasure renames its participant), and
    /// nil when it was refused as `unauthorized`.
    package internal(set) var identity: Identity?
    /// The identity's expiry, as read at sign-in (nil: never).
    package internal(set) var expiry: Int64?
    /// The participant it speaks as (name and reading language from `hello`).
    package var participant: Participant?
    /// Set while the hub's core holds it (a load, a recovery, a translation lookup): its
    /// frames wait in the backlog.
    package internal(set) var held = false
    /// Frames that arrived while busy, handled in order afterwards (admitted on arrival).
    package internal(set) var backlog: [[UInt8]] = []
    /// Its own rate limit before it signed in.
    var limiter: RateLimiter?

    /// Nothing more is taken from it.
    package var closing: Bool { phase == .closing }
    /// Its frames wait: a hello is checked, or the core holds it.
    package var busy: Bool {
        if case .checkingHello = phase { return true }
        return held
    }
    /// Its reading language.
    package var language: String { participant?.language ?? "en" }
    /// Officers and interpreters see drafts.
    package var seesDrafts: Bool { identity?.role.seesDrafts == true }
    /// Officers and interpreters get every translation of their sessions, whatever their
    /// language: their consoles keep the queue of each language.
    package var getsEveryTranslation: Bool { identity?.role.may(.translate) == true }
}

/// What the connection rules ask the driver to do.
package enum ConnectionAction<Identity: ConnectionIdentity> {
    /// Send an `error` frame.
    case refuse(ConnectionKey, DialogueError)
    /// Close the connection.
    case close(ConnectionKey, code: UInt16, reason: String)
    /// Look the hello's token up and feed `helloLookedUp` (or `helloLookUpFailed`).
    case lookUpToken(ConnectionKey, token: String)
    /// A sign-in failed: count it for the peer, and after the throttle's delay (none below
    /// its limit) feed `signInRefused`.
    case throttleSignIn(ConnectionKey, peer: String, message: String)
    /// The connection signed in: welcome it, and resume or admit it into its session.
    case signedIn(ConnectionKey, Identity, resume: ClientFrame.Resume?)
    /// Carry out a frame that passed every connection rule, under the rule its type names.
    case perform(ConnectionKey, ClientFrame, Identity)
}

/// The connections as a state machine with no I/O (contract §4, "Connections"): the first
/// frame must be a valid `hello`, the token look-up's answer, the rate limits (per
/// participant across its sockets, per session for investors only), the backlog of a busy
/// connection, the hello timeout, and closing expired invites, revoked invites and revoked
/// staff. Each input is `mutating` and returns the actions the driver carries out in order.
package struct ConnectionTable<Identity: ConnectionIdentity> {
    /// The bounds and policies.
    package let limits: ConnectionLimits
    /// The open connections.
    package private(set) var records: [ConnectionKey: ConnectionRecord<Identity>] = [:]
    /// The connections signed in as each participant (closing ones included): the
    /// per-invite limit is checked at every sign-in, and scanning every record there made
    /// 10,000 sign-ins cost 10,000² record copies.
    private var byParticipant: [String: Set<ConnectionKey>] = [:]
    /// Frame budgets per participant and per session.
    var rateLimits: SharedRateLimits
    /// Invites revoked while this process runs: a `hello` that read the invite before its
    /// revocation is refused when its look-up comes back.
    package private(set) var revokedInvites: Set<String> = []
    /// The server is stopping: new connections are closed, no frame is taken.
    package private(set) var draining = false

    /// No connections.
    package init(limits: ConnectionLimits) {
        self.limits = limits
        self.rateLimits = SharedRateLimits(participant: limits.rateLimit, session: limits.sessionRateLimit)
    }

    // MARK: Queries

    /// One connection's record.
    package subscript(key: ConnectionKey) -> ConnectionRecord<Identity>? { records[key] }

    /// How many connections are open.
    package var count: Int { records.count }

    /// Connections that signed in (and were not refused since).
    package var signedIn: [ConnectionKey] { records.values.filter { $0.identity != nil }.map(\.key) }

    /// Whether any staff member is connected (the revocation poll is skipped otherwise).
    package var hasStaff: Bool { records.values.contains { $0.identity?.role.isStaff == true } }

    /// The connections signed in as this participant (closing ones included).
    package func connections(of participantId: String) -> [ConnectionKey] {
        Array(byParticipant[participantId] ?? [])
    }

    /// Records who a connection signed in as, or (nil) that it no longer speaks as anyone.
    private mutating func setIdentity(_ identity: Identity?, of key: ConnectionKey) {
        if let previous = records[key]?.identity?.participantId {
            byParticipant[previous]?.remove(key)
            if byParticipant[previous]?.isEmpty == true { byParticipant[previous] = nil }
        }
        records[key]?.identity = identity
        if let identity, records[key] != nil { byParticipant[identity.participantId, default: []].insert(key) }
    }

    // MARK: Transport inputs

    /// A connection opened.
    package mutating func opened(_ key: ConnectionKey, peer: String, now: Int64) -> [ConnectionAction<Identity>] {
        if draining { return [.close(key, code: 1001, reason: "server shutting down")] }
        var record = ConnectionRecord<Identity>(key: key, peer: peer, openedAt: now)
        record.limiter = limits.rateLimit.map { RateLimiter(policy: $0, now: now) }
        records[key] = record
        return []
    }

    /// A frame arrived: rate-limited, kept back while the connection is busy (closing it
    /// when too many wait), else handled.
    package mutating func frame(_ key: ConnectionKey, _ bytes: [UInt8], now: Int64) -> [ConnectionAction<Identity>] {
        // Fields read one by one, never the record bound whole: a copy alive across the append
        // below would copy the backlog on every waiting frame.
        guard records[key]?.closing == false else { return [] }
        guard admit(key, now: now) else {
            let ref = (try? JSONParser.parse(bytes))?["clientId"]?.stringValue
            return [.refuse(key, DialogueError(.rateLimited, "too many frames; slow down", ref: ref))]
        }
        if records[key]?.busy == true {
            guard (records[key]?.backlog.count ?? 0) < limits.backlogLimit else {
                records[key]?.phase = .closing
                return [
                    .refuse(key, DialogueError(.rateLimited, "too many frames waiting; slow down")),
                    .close(key, code: 1008, reason: "too many frames waiting"),
                ]
            }
            records[key]?.backlog.append(bytes)
            return []
        }
        return handle(bytes, from: key, now: now)
    }

    /// The connection closed: forgotten. Returns its record (the participant it spoke as).
    package mutating func closed(_ key: ConnectionKey) -> ConnectionRecord<Identity>? {
        let record = records.removeValue(forKey: key)
        if let participantId = record?.identity?.participantId {
            byParticipant[participantId]?.remove(key)
            if byParticipant[participantId]?.isEmpty == true { byParticipant[participantId] = nil }
        }
        return record
    }

    /// The next waiting frame's actions, when the connection is neither busy nor closing
    /// and has one; nil otherwise. The driver carries each out before asking again, since
    /// a frame may make the connection busy.
    package mutating func nextWaiting(_ key: ConnectionKey, now: Int64) -> [ConnectionAction<Identity>]? {
        // Tested field by field and removed in place: a copy of the record would copy the backlog.
        guard records[key]?.busy == false, records[key]?.closing == false, records[key]?.backlog.isEmpty == false,
            let bytes = records[key]?.backlog.removeFirst()
        else { return nil }
        return handle(bytes, from: key, now: now)
    }

    // MARK: The hub core's holds

    /// The hub's core holds the connection: its frames wait.
    package mutating func hold(_ key: ConnectionKey) { records[key]?.held = true }

    /// The hold ended (the driver then takes `nextWaiting`).
    package mutating func release(_ key: ConnectionKey) { records[key]?.held = false }

    /// The driver closed the connection for another reason: nothing more is taken from it.
    package mutating func markClosing(_ key: ConnectionKey) { records[key]?.phase = .closing }

    /// A participant was erased: no connection of theirs keeps their name or organisation
    /// (later welcomes and events would carry them and store them again).
    package mutating func erase(_ participantId: String, placeholder: String) {
        for key in connections(of: participantId) {
            records[key]?.participant?.name = placeholder
            records[key]?.participant?.organisation = nil
        }
    }

    // MARK: Sign-in

    /// The hello's token was looked up: `identity` is nil for an unknown or revoked token.
    package mutating func helloLookedUp(
        _ key: ConnectionKey, identity: Identity?, now: Int64
    ) -> [ConnectionAction<Identity>] {
        guard let record = records[key], case .checkingHello(let hello) = record.phase else { return [] }
        guard let identity else {
            return [.throttleSignIn(key, peer: record.peer, message: "unknown or revoked token")]
        }
        if let session = identity.inviteSession {
            let revoked = identity.isRevoked || revokedInvites.contains(identity.participantId)
            guard !revoked, !identity.hasExpired(now: now) else {
                let message = revoked ? "this invite was revoked" : "this invite has expired"
                return [.throttleSignIn(key, peer: record.peer, message: message)]
            }
            if let resume = hello.resume, resume.session != session {
                return unauthorized(key, "your invite is for another session")
            }
            let open = (byParticipant[identity.participantId] ?? []).count { other in
                other != key && records[other]?.closing == false
            }
            if open >= limits.connectionsPerInvite {
                // 1013 (try again later): a page reconnecting while its old socket is not yet
                // known to be dead gets in once that one is closed.
                records[key]?.phase = .closing
                return [
                    .refuse(
                        key,
                        DialogueError(
                            .rateLimited,
                            "this invite already has \(open) connections open (at most \(limits.connectionsPerInvite)); close one first"
                        )),
                    .close(key, code: 1013, reason: "too many connections for this invite"),
                ]
            }
        }
        records[key]?.phase = .signedIn
        setIdentity(identity, of: key)
        records[key]?.expiry = identity.expiry
        records[key]?.participant = identity.participant(language: hello.language)
        return [.signedIn(key, identity, resume: hello.resume)]
    }

    /// The token could not be checked (the store is unreachable): try again later (1013).
    package mutating func helloLookUpFailed(_ key: ConnectionKey) -> [ConnectionAction<Identity>] {
        guard let record = records[key], case .checkingHello = record.phase else { return [] }
        records[key]?.phase = .closing
        return [
            .refuse(
                key,
                DialogueError(
                    .unavailable, "your sign-in cannot be checked now (database unreachable); try again shortly")),
            .close(key, code: 1013, reason: "try again later"),
        ]
    }

    /// The throttle's delay for a failed sign-in passed: refused, unless it closed meanwhile.
    package mutating func signInRefused(_ key: ConnectionKey, message: String) -> [ConnectionAction<Identity>] {
        // Closed meanwhile (backlog overflow, shutdown): it was told already, once.
        guard let record = records[key], case .checkingHello = record.phase else { return [] }
        return unauthorized(key, message)
    }

    /// Refuses with `unauthorized` and closes with 1008, as the contract requires.
    package mutating func unauthorized(_ key: ConnectionKey, _ message: String) -> [ConnectionAction<Identity>] {
        guard records[key] != nil else { return [] }
        setIdentity(nil, of: key)
        records[key]?.phase = .closing  // ignore anything else it sends before the close lands
        return [.refuse(key, DialogueError(.unauthorized, message)), .close(key, code: 1008, reason: "unauthorized")]
    }

    // MARK: Closing from outside

    /// An invite was revoked (or its investor removed or erased): its live connections close.
    package mutating func inviteRevoked(_ inviteId: String, reason: String) -> [ConnectionAction<Identity>] {
        revokedInvites.insert(inviteId)
        var actions: [ConnectionAction<Identity>] = []
        for key in connections(of: inviteId).sorted() where records[key]?.closing == false {
            if reason == "invite revoked" {
                actions.append(.refuse(key, DialogueError(.unauthorized, "this invite was revoked")))
            }
            actions.append(.close(key, code: 1008, reason: reason))
            records[key]?.phase = .closing
        }
        return actions
    }

    /// Closes investor connections whose invite expired while they were connected: the
    /// expiry holds on live sockets too, not only at the next `hello`.
    package mutating func closeExpiredInvites(now: Int64) -> [ConnectionAction<Identity>] {
        var actions: [ConnectionAction<Identity>] = []
        // Found by the expiry read at sign-in, then sorted: a sorted walk over every record
        // each second cost the service thread milliseconds at 10,000 connections.
        let expired = records.compactMap { key, record -> ConnectionKey? in
            guard let expiry = record.expiry, now >= expiry, !record.closing else { return nil }
            return key
        }
        for key in expired.sorted() {
            guard let identity = records[key]?.identity, identity.inviteSession != nil, !identity.isRevoked
            else { continue }
            records[key]?.phase = .closing
            actions.append(.refuse(key, DialogueError(.unauthorized, "this invite has expired")))
            actions.append(.close(key, code: 1008, reason: "invite expired"))
        }
        return actions
    }

    /// The staff revocation poll's answer: staff connections whose account is not among
    /// `active` (all its tokens revoked) close.
    package mutating func staffPolled(active: Set<String>) -> [ConnectionAction<Identity>] {
        var actions: [ConnectionAction<Identity>] = []
        for key in records.keys.sorted() {
            guard let record = records[key], !record.closing, let identity = record.identity, identity.role.isStaff,
                !active.contains(identity.participantId)
            else { continue }
            records[key]?.phase = .closing
            actions.append(.refuse(key, DialogueError(.unauthorized, "your staff token was revoked")))
            actions.append(.close(key, code: 1008, reason: "token revoked"))
        }
        return actions
    }

    /// The sweep's tick: forgets idle rate-limit budgets and refuses connections that have
    /// not sent `hello` within the timeout.
    package mutating func sweep(now: Int64) -> [ConnectionAction<Identity>] {
        rateLimits.prune(now: now)
        let deadline = now - Int64(limits.helloTimeout * 1000)
        var actions: [ConnectionAction<Identity>] = []
        let silent = records.compactMap { key, record -> ConnectionKey? in
            record.phase == .awaitingHello && !record.held && record.openedAt <= deadline ? key : nil
        }
        for key in silent.sorted() {
            actions += unauthorized(key, "no hello within \(limits.helloTimeout) seconds")
        }
        return actions
    }

    /// The server is stopping: no frame is taken any more, and new connections are closed.
    package mutating func stopTakingFrames() {
        draining = true
        for key in records.keys { records[key]?.phase = .closing }
    }

    // MARK: Frames

    /// Applies the rate limit to one frame as it arrives: the participant's (shared by all
    /// its sockets) once signed in, the connection's own before.
    private mutating func admit(_ key: ConnectionKey, now: Int64) -> Bool {
        guard let record = records[key] else { return false }
        if let participant = record.identity?.participantId {
            return rateLimits.admit(participant: participant, now: now)
        }
        guard var limiter = record.limiter else { return true }
        let allowed = limiter.allow(now: now)
        records[key]?.limiter = limiter
        return allowed
    }

    /// Handles one frame of a connection that is not busy: which rule it goes to, or why not.
    private mutating func handle(_ bytes: [UInt8], from key: ConnectionKey, now: Int64) -> [ConnectionAction<Identity>]
    {
        guard let record = records[key] else { return [] }
        let frame: ClientFrame
        do {
            frame = try ClientFrame.decode(bytes)
        } catch {
            if record.identity == nil {
                return unauthorized(key, "the first frame must be a valid hello: \(error.message)")
            }
            return [.refuse(key, error)]
        }
        guard let identity = record.identity else {
            // A hello's `name` is not used: staff speak under their account's name, investors
            // under their invite's.
            guard case .hello(let token, let language, _, let resume) = frame else {
                return unauthorized(key, "the first frame must be hello")
            }
            records[key]?.phase = .checkingHello(
                HelloRequest(token: token, language: language, resume: resume))
            return [.lookUpToken(key, token: token)]
        }
        if case .hello = frame {
            return [.refuse(key, DialogueError(.badRequest, "hello was already accepted on this connection"))]
        }
        guard let action = frame.action, identity.role.may(action) else {
            return [
                .refuse(
                    key,
                    DialogueError(
                        .forbidden, "\(identity.role.withArticle) may not \(frame.action?.rawValue ?? "do that")",
                        ref: frame.clientId))
            ]
        }
        if identity.inviteSession != nil, !identity.isUsable(now: now) {
            return closeExpiredInvites(now: now)  // expired since the last sweep: nothing more is taken from it
        }
        if let invited = identity.inviteSession, let session = frame.session, session != invited {
            return [.refuse(key, DialogueError(.forbidden, "your invite is for another session", ref: frame.clientId))]
        }
        // Staff frames never draw from the session's budget: investors at their limit
        // together must not leave the officer unable to moderate or end the session.
        if let session = frame.session, !identity.role.isStaff, !rateLimits.admit(session: session, now: now) {
            return [
                .refuse(
                    key, DialogueError(.rateLimited, "too many frames in this session; slow down", ref: frame.clientId))
            ]
        }
        return [.perform(key, frame, identity)]
    }
}

extension ClientFrame {
    /// The frame's clientId, for `ref` in errors.
    package var clientId: String? {
        switch self {
        case .say(_, _, let clientId, _, _), .sayPhrase(_, _, let clientId), .ask(_, _, let clientId): return clientId
        default: return nil
        }
    }
}
