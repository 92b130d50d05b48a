import Dialogue
import Testing

@testable import HubCore

/// An identity as the store would give it: staff, or an invite for one session.
struct TestIdentity: ConnectionIdentity, Equatable {
    var participantId: String
    var role: Role
    var inviteSession: String?
    var isRevoked = false
    var expiresAt = Int64.max

    static func staff(_ id: String, _ role: Role = .officer) -> Self { Self(participantId: id, role: role) }
    static func invite(_ id: String, session: String = "ses_a", expiresAt: Int64 = .max) -> Self {
        Self(participantId: id, role: .investor, inviteSession: session, expiresAt: expiresAt)
    }

    var expiry: Int64? { inviteSession != nil ? expiresAt : nil }
    func participant(language: String) -> Participant {
        Participant(id: participantId, role: role, name: participantId, language: language)
    }
}

/// One action, in a form tests compare.
enum Step: Equatable {
    case error(ErrorCode, ref: String? = nil)
    case closed(UInt16)
    case lookUp(String)
    case throttled(String)
    case signedIn(String, resume: String?)
    case performed(String)
}

/// A table of connections driven by hand: each input's actions, as steps.
struct Connections {
    var table: ConnectionTable<TestIdentity>
    var now: Int64 = 1_000_000

    init(
        rateLimit: RateLimiter.Policy? = nil, sessionRateLimit: RateLimiter.Policy? = nil, helloTimeout: Double = 10,
        perInvite: Int = 3, backlog: Int = 256
    ) {
        var limits = ConnectionLimits(
            rateLimit: rateLimit, sessionRateLimit: sessionRateLimit, helloTimeout: helloTimeout,
            connectionsPerInvite: perInvite)
        limits.backlogLimit = backlog
        table = ConnectionTable(limits: limits)
    }

    static func steps(_ actions: [ConnectionAction<TestIdentity>]) -> [Step] {
        actions.map { action in
            switch action {
            case .refuse(_, let error): return .error(error.code, ref: error.ref)
            case .close(_, let code, _): return .closed(code)
            case .lookUpToken(_, let token): return .lookUp(token)
            case .throttleSignIn(_, _, let message): return .throttled(message)
            case .signedIn(_, let identity, let resume):
                return .signedIn(identity.participantId, resume: resume?.session)
            case .perform(_, let frame, _): return .performed(frame.action?.rawValue ?? "?")
            }
        }
    }

    mutating func open(_ n: UInt64) -> ConnectionKey {
        let key = ConnectionKey(n)
        _ = table.opened(key, peer: "10.0.0.\(n)", now: now)
        return key
    }

    mutating func send(_ key: ConnectionKey, _ json: String) -> [Step] {
        Self.steps(table.frame(key, Array(json.utf8), now: now))
    }

    mutating func lookedUp(_ key: ConnectionKey, _ identity: TestIdentity?) -> [Step] {
        Self.steps(table.helloLookedUp(key, identity: identity, now: now))
    }

    /// Opens a connection and signs it in as `identity`.
    mutating func signIn(_ n: UInt64, as identity: TestIdentity) -> ConnectionKey {
        let key = open(n)
        _ = send(key, hello())
        _ = lookedUp(key, identity)
        return key
    }

    mutating func waiting(_ key: ConnectionKey) -> [Step]? { table.nextWaiting(key, now: now).map(Self.steps) }

    func hello(_ token: String = "tok", resume: String? = nil) -> String {
        let r = resume.map { #","resume":{"session":"\#($0)","after":0}"# } ?? ""
        return #"{"type":"hello","token":"\#(token)","language":"en"\#(r)}"#
    }

    func say(_ session: String = "ses_a", clientId: String = "c1") -> String {
        #"{"type":"say","session":"\#(session)","text":"hi","clientId":"\#(clientId)"}"#
    }

    func ask(_ session: String = "ses_a", clientId: String = "q1") -> String {
        #"{"type":"ask","session":"\#(session)","text":"why?","clientId":"\#(clientId)"}"#
    }
}

/// Contract §4's connection rules, without sockets.
@Suite struct ConnectionsTests {
    @Test func theFirstFrameMustBeAValidHello() {
        var c = Connections()
        let garbage = c.open(1)
        #expect(c.send(garbage, "not json") == [.error(.unauthorized), .closed(1008)])
        #expect(c.table[garbage]?.phase == .closing)
        #expect(c.send(garbage, c.hello()).isEmpty)  // a closing connection's frames are ignored

        let early = c.open(2)
        #expect(c.send(early, c.say()) == [.error(.unauthorized), .closed(1008)])
        let bad = c.open(3)
        #expect(c.send(bad, #"{"type":"hello","language":"en"}"#) == [.error(.unauthorized), .closed(1008)])
    }

    @Test func framesWaitWhileTheTokenIsLookedUpAndFollowInOrder() {
        var c = Connections()
        let key = c.open(1)
        #expect(c.send(key, c.hello(resume: "ses_a")) == [.lookUp("tok")])
        #expect(c.table[key]?.busy == true)
        #expect(c.send(key, c.say(clientId: "a")).isEmpty)
        #expect(c.send(key, c.say(clientId: "b")).isEmpty)
        #expect(c.table[key]?.backlog.count == 2)
        #expect(c.waiting(key) == nil)  // busy: nothing is taken yet
        #expect(c.lookedUp(key, .staff("stf_1")) == [.signedIn("stf_1", resume: "ses_a")])
        #expect(c.table[key]?.participant?.name == "stf_1")
        c.table.hold(key)  // the join of the resume waits for its session
        #expect(c.waiting(key) == nil)
        c.table.release(key)
        #expect(c.waiting(key) == [.performed("say")])
        #expect(c.waiting(key) == [.performed("say")])
        #expect(c.waiting(key) == nil)
    }

    @Test func anUnknownTokenIsRefusedAfterTheThrottle() {
        var c = Connections()
        let key = c.open(1)
        _ = c.send(key, c.hello())
        #expect(c.lookedUp(key, nil) == [.throttled("unknown or revoked token")])
        #expect(c.table[key]?.busy == true)  // waits out the throttle's delay
        #expect(c.send(key, c.say()).isEmpty)
        #expect(
            Connections.steps(c.table.signInRefused(key, message: "unknown or revoked token")) == [
                .error(.unauthorized), .closed(1008),
            ])
        #expect(c.waiting(key) == nil)  // what waited is dropped with the connection

        let gone = c.open(2)
        _ = c.send(gone, c.hello())
        _ = c.table.closed(gone)
        #expect(c.table.signInRefused(gone, message: "x").isEmpty)  // closed meanwhile
    }

    @Test func anUnreachableStoreAsksToComeBackLater() {
        var c = Connections()
        let key = c.open(1)
        _ = c.send(key, c.hello())
        #expect(Connections.steps(c.table.helloLookUpFailed(key)) == [.error(.unavailable), .closed(1013)])
        #expect(c.lookedUp(key, .staff("stf_1")).isEmpty)  // a late answer changes nothing
    }

    @Test func helloTwiceIsABadRequest() {
        var c = Connections()
        let key = c.signIn(1, as: .staff("stf_1"))
        #expect(c.send(key, c.hello()) == [.error(.badRequest)])
        #expect(c.table[key]?.phase == .signedIn)
    }

    @Test func aRoleThatMayNotIsForbiddenWithTheRef() {
        var c = Connections()
        let reviewer = c.signIn(1, as: .staff("stf_r", .reviewer))
        #expect(c.send(reviewer, c.ask(clientId: "q7")) == [.error(.forbidden, ref: "q7")])
        let investor = c.signIn(2, as: .invite("inv_1"))
        #expect(c.send(investor, #"{"type":"end","session":"ses_a"}"#) == [.error(.forbidden)])
        #expect(c.send(investor, c.say()) == [.performed("say")])
    }

    @Test func anInviteActsInItsOwnSessionOnly() {
        var c = Connections()
        let investor = c.signIn(1, as: .invite("inv_1"))
        #expect(c.send(investor, c.say("ses_b", clientId: "m2")) == [.error(.forbidden, ref: "m2")])
        let resuming = c.open(2)
        _ = c.send(resuming, c.hello(resume: "ses_b"))
        #expect(c.lookedUp(resuming, .invite("inv_2")) == [.error(.unauthorized), .closed(1008)])
    }

    @Test func theParticipantsBudgetIsSharedByAllItsSockets() {
        var c = Connections(rateLimit: RateLimiter.Policy(perSecond: 0.001, burst: 4))
        let a = c.signIn(1, as: .invite("inv_1"))  // the hello drew from the connection's own budget
        let b = c.signIn(2, as: .invite("inv_1"))
        #expect(c.send(a, c.say(clientId: "1")) == [.performed("say")])
        #expect(c.send(b, c.say(clientId: "2")) == [.performed("say")])
        #expect(c.send(a, c.say(clientId: "3")) == [.performed("say")])
        #expect(c.send(b, c.say(clientId: "4")) == [.performed("say")])
        #expect(c.send(b, c.say(clientId: "5")) == [.error(.rateLimited, ref: "5")])
        #expect(c.send(a, c.say(clientId: "6")) == [.error(.rateLimited, ref: "6")])
        let other = c.signIn(3, as: .invite("inv_2"))  // another participant has its own
        #expect(c.send(other, c.say(clientId: "7")) == [.performed("say")])
    }

    @Test func staffDoNotDrawFromTheSessionsBudget() {
        var c = Connections(sessionRateLimit: RateLimiter.Policy(perSecond: 0.001, burst: 2))
        let officer = c.signIn(1, as: .staff("stf_1"))
        for n in 0..<5 { #expect(c.send(officer, c.say(clientId: "o\(n)")) == [.performed("say")]) }
        let x = c.signIn(2, as: .invite("inv_1"))
        let y = c.signIn(3, as: .invite("inv_2"))
        #expect(c.send(x, c.say(clientId: "x")) == [.performed("say")])
        #expect(c.send(y, c.say(clientId: "y")) == [.performed("say")])
        #expect(c.send(x, c.say(clientId: "z")) == [.error(.rateLimited, ref: "z")])
        #expect(c.send(officer, #"{"type":"end","session":"ses_a"}"#) == [.performed("end")])
    }

    @Test func aFullBacklogClosesTheConnection() {
        var c = Connections(backlog: 3)
        let key = c.signIn(1, as: .staff("stf_1"))
        c.table.hold(key)
        for n in 0..<3 { #expect(c.send(key, c.say(clientId: "\(n)")).isEmpty) }
        #expect(c.send(key, c.say(clientId: "3")) == [.error(.rateLimited), .closed(1008)])
        #expect(c.send(key, c.say(clientId: "4")).isEmpty)
        c.table.release(key)
        #expect(c.waiting(key) == nil)
    }

    @Test func silenceBeyondTheHelloTimeoutIsRefused() {
        var c = Connections(helloTimeout: 2)
        let silent = c.open(1)
        let checking = c.open(2)
        _ = c.send(checking, c.hello())
        let signedIn = c.signIn(3, as: .staff("stf_1"))
        c.now += 1_999
        #expect(Connections.steps(c.table.sweep(now: c.now)).isEmpty)
        c.now += 1
        #expect(Connections.steps(c.table.sweep(now: c.now)) == [.error(.unauthorized), .closed(1008)])
        #expect(c.table[silent]?.closing == true)
        #expect(c.table[checking]?.closing == false)  // its look-up decides
        #expect(c.table[signedIn]?.closing == false)
    }

    @Test func anInviteThatExpiresClosesItsLiveSockets() {
        var c = Connections()
        let investor = c.signIn(1, as: .invite("inv_1", expiresAt: 1_000_500))
        let officer = c.signIn(2, as: .staff("stf_1"))
        #expect(Connections.steps(c.table.closeExpiredInvites(now: c.now)).isEmpty)
        c.now = 1_000_500
        #expect(Connections.steps(c.table.closeExpiredInvites(now: c.now)) == [.error(.unauthorized), .closed(1008)])
        #expect(c.table[officer]?.closing == false)
        // Between sweeps: the next frame of an expired invite closes it instead.
        let late = c.signIn(3, as: .invite("inv_2", expiresAt: 1_000_600))
        c.now = 1_000_600
        #expect(c.send(late, c.say()) == [.error(.unauthorized), .closed(1008)])
        #expect(c.table[investor]?.closing == true)
        // An expired invite cannot sign in.
        let key = c.open(4)
        _ = c.send(key, c.hello())
        #expect(c.lookedUp(key, .invite("inv_3", expiresAt: 1)) == [.throttled("this invite has expired")])
    }

    @Test func revokedStaffAreClosed() {
        var c = Connections()
        let kept = c.signIn(1, as: .staff("stf_1"))
        let revoked = c.signIn(2, as: .staff("stf_2", .interpreter))
        let investor = c.signIn(3, as: .invite("inv_1"))
        #expect(c.table.hasStaff)
        #expect(Connections.steps(c.table.staffPolled(active: ["stf_1"])) == [.error(.unauthorized), .closed(1008)])
        #expect(c.table[revoked]?.closing == true)
        #expect(c.table[kept]?.closing == false)
        #expect(c.table[investor]?.closing == false)
    }

    @Test func aRevokedInviteClosesAndRefusesALookUpInFlight() {
        var c = Connections()
        let live = c.signIn(1, as: .invite("inv_1"))
        let checking = c.open(2)
        _ = c.send(checking, c.hello())
        #expect(
            Connections.steps(c.table.inviteRevoked("inv_1", reason: "invite revoked")) == [
                .error(.unauthorized), .closed(1008),
            ])
        #expect(c.table[live]?.closing == true)
        // The look-up read the invite before the revocation.
        #expect(c.lookedUp(checking, .invite("inv_1")) == [.throttled("this invite was revoked")])
        // A removal closes without an error frame.
        _ = c.signIn(3, as: .invite("inv_2"))
        #expect(Connections.steps(c.table.inviteRevoked("inv_2", reason: "investor removed")) == [.closed(1008)])
    }

    @Test func anErasureLeavesNoNameOnTheConnections() {
        var c = Connections()
        let erased = c.signIn(1, as: .invite("inv_1"))
        let other = c.signIn(2, as: .invite("inv_2"))
        _ = c.table.inviteRevoked("inv_1", reason: "invite revoked")
        c.table.erase("inv_1", placeholder: "(erased)")
        #expect(c.table[erased]?.participant?.name == "(erased)")  // closing, still known until closed
        #expect(c.table[other]?.participant?.name == "inv_2")
    }

    @Test func anInviteHasALimitOfOpenConnections() {
        var c = Connections(perInvite: 2)
        let first = c.signIn(1, as: .invite("inv_1"))
        let second = c.signIn(2, as: .invite("inv_1"))
        let third = c.open(3)
        _ = c.send(third, c.hello())
        #expect(c.lookedUp(third, .invite("inv_1")) == [.error(.rateLimited), .closed(1013)])
        #expect(Set(c.table.connections(of: "inv_1")) == [first, second])
        // A closed socket makes room (a closing one already does).
        #expect(c.table.closed(first)?.identity?.participantId == "inv_1")
        #expect(c.table.connections(of: "inv_1") == [second])
        let fourth = c.open(4)
        _ = c.send(fourth, c.hello())
        #expect(c.lookedUp(fourth, .invite("inv_1")) == [.signedIn("inv_1", resume: nil)])
        #expect(Set(c.table.connections(of: "inv_1")) == [second, fourth])
    }

    @Test func stoppingClosesNewConnectionsAndIgnoresFrames() {
        var c = Connections()
        let key = c.signIn(1, as: .staff("stf_1"))
        c.table.stopTakingFrames()
        #expect(c.send(key, c.say()).isEmpty)
        #expect(Connections.steps(c.table.opened(ConnectionKey(2), peer: "p", now: c.now)) == [.closed(1001)])
        #expect(c.table.count == 1)
    }
}
