import Dialogue
import Store

/// Several nodes on one shared store (PostgreSQL): each node's hub holds the sessions its
/// own connections use, and learns of the others' commits from the store's notices. The
/// store decides the order: every node reads the committed rows after the last seq it
/// delivered, applies them to the session's rules and delivers them, in order and once.
///
/// Two nodes may decide the same seq at once; the store's writer commits the first and
/// refuses the other as out of sequence. The loser's hub then recovers as after any failed
/// commit: it reloads the session, delivers what the other node stored, and decides the
/// refused joins, messages and questions again, so their senders get acks.
extension DialogueHub {
    /// Another node committed events (or the notices were interrupted).
    func committedElsewhere(_ notice: CommitNotice) async {
        switch notice {
        case .committed(let sessionId, let first, let through, let bodies):
            guard let session = sessions[sessionId], through > session.durableSeq else { return }
            // The notice carries events that follow what was delivered here: no read for them.
            if !bodies.isEmpty, first <= session.durableSeq + 1, session.state.lastSeq == session.durableSeq,
                !recovering.contains(sessionId)
            {
                deliverFromStore(sessionId, zip(first..., bodies).map { (seq: $0, canonical: $1) })
                if sessions[sessionId]?.durableSeq ?? through >= through { return }
            }
            behindStore.insert(sessionId)
            readBehindSessions()
        case .interrupted:
            noticesConnection(up: false)
        case .resumed:
            noticesConnection(up: true)
            behindStore.formUnion(sessions.keys)
            readBehindSessions()
        case .presence(let key, let node, let online):
            presenceElsewhere(key, node: node, online: online)
        case .nodeGone(let node):
            nodeGone(node)
        case .inviteRevoked(let inviteId):
            revokedElsewhere(invite: inviteId)
        case .redacted(let sessionId, let seq, let officersOnly):
            redacted(session: sessionId, seqs: [seq], kinds: officersOnly ? [seq: .draft] : [:])
        case .translated(let sessionId, let seq, let language, let officersOnly):
            guard let readers = sessions[sessionId]?.readers,
                readers.values.contains(where: {
                    $0.getsEveryTranslation || LanguageTag.primary($0.language) == language
                })
            else { return }
            // Read apart: the notices behind this one (commits, presence) do not wait for it.
            Task {
                do {
                    guard let stored = try await self.store.translations(
                        session: sessionId, from: seq, to: seq, language: language)[seq]
                    else { return }
                    self.translationArrived(stored, officersOnly: officersOnly)
                } catch {
                    self.logger.error(
                        "reading another node's translation failed",
                        metadata: ["session.id": "\(sessionId)", "error": "\(error)"])
                }
            }
        }
    }

    /// Starts the reader of other nodes' events unless it runs already. There is one: while
    /// its query is out, notices for more sessions pile up in `behindStore` and its next
    /// query reads them all at once, so the reads per second stay about constant as the
    /// commits per second grow.
    func readBehindSessions() {
        guard !readingFromStore else { return }
        readingFromStore = true
        Task { await self.readBehind() }
    }

    /// Most events read per session and query (a session further behind is read again).
    static let catchUpPage = 512

    /// Delivers what the store holds beyond `durableSeq` for every session behind it whose
    /// own events are settled. A session with events of this node's in flight waits: they
    /// either commit (and `didCommit` calls `catchUpIfSettled`) or fail, and recovery
    /// reloads it.
    private func readBehind() async {
        defer { readingFromStore = false }
        while true {
            var after: [String: Int64] = [:]
            for sessionId in behindStore {
                guard let session = sessions[sessionId] else {
                    behindStore.remove(sessionId)  // unloaded: read afresh when loaded again
                    continue
                }
                if !recovering.contains(sessionId) && session.state.lastSeq == session.durableSeq {
                    after[sessionId] = session.durableSeq
                }
            }
            guard !after.isEmpty else { return }
            behindStore.subtract(after.keys)
            let frames: [String: [StoredFrame]]
            do {
                frames = try await store.storedFrames(after: after, limit: Self.catchUpPage)
            } catch {
                logger.error(
                    "reading other nodes' events failed; trying again",
                    metadata: ["sessions": "\(after.count)", "error": "\(error)"])
                behindStore.formUnion(after.keys)
                Task {
                    try? await Task.sleep(for: .milliseconds(250))
                    self.readBehindSessions()
                }
                return
            }
            for (sessionId, from) in after {
                guard let now = sessions[sessionId] else { continue }
                guard now.durableSeq == from, now.state.lastSeq == from else {
                    behindStore.insert(sessionId)  // this node moved meanwhile: look again once settled
                    continue
                }
                let read = frames[sessionId] ?? []
                if read.count == Self.catchUpPage { behindStore.insert(sessionId) }  // more to read
                deliverFromStore(sessionId, read.map { (seq: $0.seq, canonical: $0.canonical) })
                unloadIfIdle(sessionId)
            }
        }
    }

    /// Applies another node's stored events to the session's rules and delivers them, in
    /// seq order from `durableSeq + 1`.
    private func deliverFromStore(_ sessionId: String, _ frames: [(seq: Int64, canonical: [UInt8])]) {
        for frame in frames {
            // A broadcast can close a too-slow last member, and the session unloads with it.
            guard let session = sessions[sessionId] else { return }
            guard frame.seq == session.durableSeq + 1 else { continue }
            guard let event = try? Event(body: JSONParser.parse(frame.canonical)) else {
                logger.error("unreadable stored event", metadata: ["session.id": "\(sessionId)", "seq": "\(frame.seq)"])
                return
            }
            sessions[sessionId]!.state.apply(event)
            sessions[sessionId]!.durableSeq = event.seq
            deliverStored(event, canonical: frame.canonical)
        }
    }

    /// Delivers an event another node stored, already in the session's rules. The node that
    /// stored a question answers it and the one that stored `ended` archives the transcript;
    /// removals and mutes act on this node's connections too.
    func deliverStored(_ event: Event, canonical: [UInt8]) {
        broadcast(event, canonical: canonical)
        if event.kind == .moderation { afterCommit(event) }
    }

    /// After this node's own commits, failures or recovery: sessions left behind the store
    /// catch up once settled.
    func catchUpIfSettled(_ sessionIds: some Sequence<String>) {
        for sessionId in sessionIds where behindStore.contains(sessionId) {
            if let session = sessions[sessionId], session.state.lastSeq == session.durableSeq {
                readBehindSessions()
                return
            }
        }
    }
}
