import Dialogue

/// What the server needs from durable storage: SQLite embedded on one node, or PostgreSQL
/// shared by several. It is the sum of the roles below (docs/architecture.md, "Store roles"):
/// a component that needs one role takes only that one, and a test fakes only what it uses.
/// Every requirement is async, since a network database answers asynchronously (SQLite's
/// synchronous implementations satisfy them as they are).
package protocol DialogueStore:
    EventStore, SessionStore, StaffStore, SignedHeadStore, NoteStore, TranslationStore, GlossaryStore,
    PresenceStore, RedactionStore, ScheduleStore, MailOutboxStore, MeetingRequestStore, KnowledgeStore
{}

/// What every role of a store shares: it is closed once, by whoever opened it, after its
/// last user stopped (so nobody needs to know which database it is to close it).
package protocol ClosableStore: Sendable {
    /// Releases the database (connections, pools, listeners). Call after `writer.shutdown()`
    /// (SQLite's shuts its writer down itself); whatever is used afterwards throws. It does not
    /// wait for a pool's connections (`closeAndWait()` does): whoever closes a store so is
    /// about to let go of it (a command returning).
    func close()
    /// Closes the store and waits until everything it ran has stopped (the writer, a pool's
    /// connections, listeners): how a server stopping closes it. Whatever is used afterwards
    /// throws. Calling it, or `close()`, again does nothing.
    func closeAndWait() async
}

extension ClosableStore {
    /// A store whose `close()` leaves nothing running closes so.
    package func closeAndWait() async { close() }
}

/// The events of sessions: appending (through the group-commit writer), reading back, and
/// hearing of what other nodes sharing the store committed.
package protocol EventStore: ClosableStore {
    /// Events after `after`, in order, at most `limit`.
    func events(session: String, after: Int64, limit: Int) async throws -> [Event]
    /// Every session's last seq (0 when it has no event yet).
    func lastSeqs() async throws -> [String: Int64]
    /// Events of these kinds in the sessions of one agent, newest sessions first, each
    /// session's newest first (knowledge gaps read the assistant's replies this way).
    func events(ofKinds kinds: [EventKind], agent: String, limit: Int) async throws -> [Event]
    /// Events after `after` as stored (seq, kind, canonical bytes), for history frames that
    /// are spliced from the stored bytes without parsing them.
    func storedFrames(session: String, after: Int64, limit: Int) async throws -> [StoredFrame]
    /// `storedFrames` of several sessions at once, each after its own seq and at most
    /// `limit` per session (a node catching up with other nodes' commits reads them so).
    func storedFrames(after: [String: Int64], limit: Int) async throws -> [String: [StoredFrame]]
    /// Every event with its digests, for export and verification.
    func storedEvents(session: String) async throws -> [StoredEvent]
    /// The group-commit writer that appends events.
    var writer: any EventAppender { get }
    /// Commits made by other nodes sharing this store; nil for a store only one node uses.
    func commitNotices() -> AsyncStream<CommitNotice>?
    /// Waits (at most `limit`) until every channel of `commitNotices()` listens; false when
    /// the limit passed first. A node serves only then, or a notice sent meanwhile is lost.
    func noticesListening(within limit: Duration) async -> Bool
    /// Whether other nodes append to this store too.
    var isShared: Bool { get }
}

/// Sessions: their settings, participants, and the rules rebuilt from their events.
package protocol SessionStore: ClosableStore {
    /// Stores a new session.
    func createSession(_ info: SessionInfo) async throws
    /// One session's settings.
    func session(id: String) async throws -> SessionInfo?
    /// Sessions, newest first, optionally filtered by title text and status.
    func sessions(matching text: String?, status: SessionStatus?) async throws -> [SessionInfo]
    /// Participants of a session, in order of first join.
    func participants(session: String) async throws -> [Participant]
    /// Rebuilds a session's rules by replaying its events.
    func loadState(session: String) async throws -> SessionState?
    /// Every session id, oldest first.
    func sessionIds() async throws -> [String]
}

/// Who may come in: staff accounts with their tokens, and investors' invites.
package protocol StaffStore: ClosableStore {
    /// Creates an account (or adds a token to an existing one of the same role); returns the token.
    func addStaff(name: String, role: Role) async throws -> (StaffAccount, token: String)
    /// Revokes every token of the account; false when no such account.
    func revokeStaff(name: String) async throws -> Bool
    /// All accounts, by name.
    func staffAccounts() async throws -> [StaffAccount]
    /// The account a live token belongs to.
    func staff(token: String) async throws -> StaffAccount?
    /// Ids of staff accounts that still have a token that is not revoked.
    func activeStaffIds() async throws -> Set<String>
    /// Stores an invite and returns its code.
    func createInvite(_ invite: Invite) async throws -> String
    /// The invite a code belongs to, usable or not.
    func invite(code: String) async throws -> Invite?
    /// A session's invites, newest first.
    func invites(session: String) async throws -> [Invite]
    /// Marks an invite revoked; false when unknown or already revoked.
    func revokeInvite(id: String, session: String) async throws -> Bool
    /// The investor's own answers on their page: the address (kept when the invite has one
    /// already: the first given wins) and whether the transcript is mailed to it, and whether
    /// (since when) they cannot attend. The invite as stored after, nil when it is unknown or
    /// revoked.
    func answerInvite(id: String, email: String?, transcriptByMail: Bool, declinedAt: String?) async throws -> Invite?
}

/// Signatures over the chain: signed heads, checkpoints and final heads, and the links
/// they are made from.
package protocol SignedHeadStore: ClosableStore {
    /// Stores a signed head (replacing an older one).
    func saveHead(_ head: SignedHeadRecord) async throws
    /// The last signed head of a session.
    func head(session: String) async throws -> SignedHeadRecord?
    /// Stores a signed checkpoint or final head (docs/transcripts.md); storing the same
    /// (session, seq, state) again is a no-op.
    func saveCheckpoint(_ checkpoint: CheckpointRecord) async throws
    /// The signed checkpoints and final head of a session from seq `from` on, by seq (a
    /// checkpoint reads only those since the last one this process signed).
    func checkpoints(session: String, from: Int64) async throws -> [CheckpointRecord]
    /// Each stored event's seq, kind, hash and chain, in seq order, without its body: what
    /// signing a checkpoint reads (a long session's texts stay on disk); from seq `from` on,
    /// so a checkpoint reads only what came after the one before it.
    func chainLinks(session: String, from: Int64) async throws -> [ChainLink]
}

extension SignedHeadStore {
    /// Every signed checkpoint and final head of a session, by seq.
    package func checkpoints(session: String) async throws -> [CheckpointRecord] {
        try await checkpoints(session: session, from: 0)
    }

    /// Every stored event's chain link, in seq order.
    package func chainLinks(session: String) async throws -> [ChainLink] {
        try await chainLinks(session: session, from: 1)
    }
}

/// Staff notes on events, and the audit trail of who read what.
package protocol NoteStore: ClosableStore {
    /// Adds a note to an event.
    func addNote(session: String, seq: Int64, text: String, author: String) async throws -> Note
    /// Notes of a session.
    func notes(session: String) async throws -> [Note]
    /// Records who read what.
    func audit(actor: String, action: String, session: String?, detail: String) async throws
}

/// Translations of events, by machines and by people.
package protocol TranslationStore: ClosableStore {
    /// Stores the translation of an event into one language, replacing the stored one when
    /// the rule `TranslationPreference.replaces` states allows (each store writes it in SQL); false when it was not stored (a person's
    /// translation is there already and this one is a machine's).
    @discardableResult func saveTranslation(_ translation: StoredTranslation) async throws -> Bool
    /// Translations into `language` of a session's events `from...to`, by seq.
    func translations(session: String, from: Int64, to: Int64, language: String) async throws
        -> [Int64: StoredTranslation]
    /// Every stored translation of a session (into `language` only, when given), by seq then language.
    func translations(session: String, language: String?) async throws -> [StoredTranslation]
}

/// The versions of each agent's glossary.
package protocol GlossaryStore: ClosableStore {
    /// A stored glossary version of an agent; the newest when `version` is nil.
    func glossary(agent: String, version: Int?) async throws -> StoredGlossary?
    /// SHA-256 of the newest version that came from `origin` (`file` or `api`).
    func lastGlossaryHash(agent: String, origin: String) async throws -> String?
    /// Stores a new version (the agent's last + 1) and returns it.
    func addGlossary(agent: String, tsv: String, sha256: String, origin: String, concepts: Int, createdBy: String)
        async throws -> StoredGlossary
}

/// Who is connected through the other nodes of a shared store.
package protocol PresenceStore: ClosableStore {
    /// The board the nodes share; nil for a store only one node uses.
    var presence: (any PresenceBoard)? { get }
}

/// What another node committed, as a store shared by several nodes reports it.
package enum CommitNotice: Sendable, Equatable {
    /// A session's events `first...through` are committed; `bodies` holds the canonical bytes
    /// of the first of them, in order, as many as the notice could carry (read the rest from
    /// the store).
    case committed(session: String, first: Int64, through: Int64, bodies: [[UInt8]])
    /// Another node stored the translation of a session's event into `language`;
    /// `officersOnly` when the event is a draft (never shown to investors).
    case translated(session: String, seq: Int64, language: String, officersOnly: Bool)
    /// Another node redacted a session's event (docs/transcripts.md, "Redaction"); its
    /// readers here are told; `officersOnly` when the event is a draft.
    case redacted(session: String, seq: Int64, officersOnly: Bool)
    /// A participant's first connection to a session opened on another node (`online`),
    /// or its last one there closed.
    case presence(PresenceKey, node: String, online: Bool)
    /// A node stopped (or was taken for dead): nobody is connected through it any more.
    case nodeGone(String)
    /// An invite (by id) was revoked on some node: its connections close everywhere.
    case inviteRevoked(String)
    /// Another node moved, opened or cancelled a session (by id): the copy in memory here
    /// follows the stored row.
    case replanned(String)
    /// The connection the notices come on was lost: the database may be unreachable.
    case interrupted
    /// The notices were interrupted (the database connection was lost and is back): any
    /// session may have missed some, so every live one should catch up.
    case resumed
}

extension EventStore {
    /// One session after another (SQLite reads locally; a networked store does it in one query).
    package func storedFrames(after: [String: Int64], limit: Int) async throws -> [String: [StoredFrame]] {
        var frames: [String: [StoredFrame]] = [:]
        for (session, seq) in after {
            let read = try await storedFrames(session: session, after: seq, limit: limit)
            if !read.isEmpty { frames[session] = read }  // as one query's rows: sessions with none are absent
        }
        return frames
    }

    /// Commits made by other nodes sharing this store; nil for a store only one node uses.
    package func commitNotices() -> AsyncStream<CommitNotice>? { nil }
    package func noticesListening(within limit: Duration) async -> Bool { true }
    /// Whether other nodes append to this store too (their events can take a seq this node
    /// decided, which is then normal contention rather than a storage fault).
    package var isShared: Bool { false }
}

extension PresenceStore {
    /// Who is connected through the other nodes; nil for a store only one node uses.
    package var presence: (any PresenceBoard)? { nil }
}

/// Appends events durably, batching commits; results come back in submission order.
package protocol EventAppender: Sendable {
    /// Every commit's result, in order; consumed by exactly one task (unless
    /// `deliverResults(to:)` took them).
    var results: AsyncStream<CommitResult> { get }
    /// Hands every result to `handler` on the writer's own thread or task instead of
    /// `results`, in order (set before `start()`); `results` then only ends, at shutdown.
    /// The handler must not block: the next commit waits for it.
    func deliverResults(to handler: @escaping @Sendable (CommitResult) -> Void)
    /// Starts accepting and committing.
    func start()
    /// Queues events; never blocks on I/O.
    func submit(_ events: [Event])
    /// Commits what is queued, then finishes `results`.
    func shutdown() async
    /// Takes a session's events again after its hub reloaded it from the store. A writer
    /// shared with other nodes refuses every later event of a session once one was out of
    /// sequence (they were decided on rules that assumed it); a single node's never needs to.
    func reopen(session: String)
}

extension EventAppender {
    package func reopen(session: String) {}
}

/// A signed head as stored.
package struct SignedHeadRecord: Sendable, Equatable {
    /// Session.
    package var session: String
    /// Last seq covered.
    package var seq: Int64
    /// Chain value at that seq.
    package var chain: [UInt8]
    /// Ed25519 signature.
    package var signature: [UInt8]
    /// Raw public key.
    package var publicKey: [UInt8]
    /// RFC 3339.
    package var signedAt: String

    package init(session: String, seq: Int64, chain: [UInt8], signature: [UInt8], publicKey: [UInt8], signedAt: String)
    {
        self.session = session
        self.seq = seq
        self.chain = chain
        self.signature = signature
        self.publicKey = publicKey
        self.signedAt = signedAt
    }
}

/// One stored event's canonical bytes, with what a reader's visibility depends on.
package struct StoredFrame: Sendable {
    /// Position in the session.
    package var seq: Int64
    /// What happened.
    package var kind: EventKind
    /// The canonical JSON body exactly as stored.
    package var canonical: [UInt8]

    package init(seq: Int64, kind: EventKind, canonical: [UInt8]) {
        self.seq = seq
        self.kind = kind
        self.canonical = canonical
    }
}

/// A signed checkpoint of a live session or the final head of an ended one, as stored. The
/// signer's key is only named (`keyId`): verifiers look the key up among those they trust.
package struct CheckpointRecord: Sendable, Equatable {
    /// Session.
    package var session: String
    /// Last seq covered.
    package var seq: Int64
    /// Chain value at that seq.
    package var chain: [UInt8]
    /// Ed25519 signature of the version-2 message.
    package var signature: [UInt8]
    /// Id of the key that signed (hex, 32 digits).
    package var keyId: String
    /// `live` (a checkpoint) or `ended` (the final head).
    package var state: String
    /// RFC 3339; part of the signed message.
    package var signedAt: String

    package init(
        session: String, seq: Int64, chain: [UInt8], signature: [UInt8], keyId: String, state: String, signedAt: String
    ) {
        self.session = session
        self.seq = seq
        self.chain = chain
        self.signature = signature
        self.keyId = keyId
        self.state = state
        self.signedAt = signedAt
    }
}

/// One stored event as the chain sees it: no body.
package struct ChainLink: Sendable, Equatable {
    /// Position in the session.
    package var seq: Int64
    /// The stored kind (`ended` closes the session).
    package var kind: String
    /// The stored event hash.
    package var hash: [UInt8]
    /// The stored chain value.
    package var chain: [UInt8]

    package init(seq: Int64, kind: String, hash: [UInt8], chain: [UInt8]) {
        self.seq = seq
        self.kind = kind
        self.hash = hash
        self.chain = chain
    }
}
