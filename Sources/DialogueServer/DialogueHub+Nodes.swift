import Dialogue
import Store

/// Several nodes on one shared store (PostgreSQL): each node's hub holds the sessions its
/// own connections use, and learns of the others' commits from the store's notices. The
/// store decides the order: every node reads the committed rows after the last seq it
/// delivered, applies them to the session's rules and delivers them, in order and once.
///
/// Two nodes may decide the same seq at once; the store's writer commits the first and
/// refuses the other as out of sequence. The loser's hub then recovers as after any failed
/// commit: it reloads the session, delivers what the other node stored, and answers
/// `unavailable` to its own senders, who retry with the same clientId.
extension DialogueHub {
    /// Another node committed events (or the notices were interrupted).
    func committedElsewhere(_ notice: CommitNotice) async {
        switch notice {
        case .committed(let sessionId, let through):
            guard let session = sessions[sessionId], through > session.durableSeq else { return }
            await readFromStore(sessionId)
        case .interrupted:
            noticesConnection(up: false)
        case .resumed:
            noticesConnection(up: true)
            for sessionId in Array(sessions.keys) { await readFromStore(sessionId) }
        case .presence(let key, let node, let online):
            presenceElsewhere(key, node: node, online: online)
        case .nodeGone(let node):
            nodeGone(node)
        case .translated(let sessionId, let seq, let language):
            guard let readers = sessions[sessionId]?.readers,
                readers.values.contains(where: { LanguageTag.primary($0.language) == language })
            else { return }
            do {
                guard let stored = try await store.translations(
                    session: sessionId, from: seq, to: seq, language: language)[seq]
                else { return }
                translationArrived(stored, officersOnly: false)  // drafts, the officers-only kind, are not translated
            } catch {
                logger.error("reading another node's translation failed", metadata: ["session.id": "\(sessionId)", "error": "\(error)"])
            }
        }
    }

    /// Delivers the events the store holds beyond this node's `durableSeq`. While this node
    /// has events of its own in flight for the session it waits: they either commit (and
    /// `didCommit` calls this again) or fail, and recovery reloads the session and calls it.
    func readFromStore(_ sessionId: String) async {
        behindStore.insert(sessionId)
        guard readingFromStore.insert(sessionId).inserted else { return }  // the running reader loops again
        defer { readingFromStore.remove(sessionId) }
        while behindStore.contains(sessionId) {
            guard let session = sessions[sessionId], !recovering.contains(sessionId),
                session.state.lastSeq == session.durableSeq
            else { return }  // settled later by didCommit or recovery, which call this again
            behindStore.remove(sessionId)
            let after = session.durableSeq
            let frames: [StoredFrame]
            do {
                frames = try await store.storedFrames(session: sessionId, after: after, limit: 512)
            } catch {
                logger.error(
                    "reading other nodes' events failed; trying again", metadata: ["session.id": "\(sessionId)", "error": "\(error)"])
                behindStore.insert(sessionId)
                Task {
                    try? await Task.sleep(for: .milliseconds(250))
                    await self.readFromStore(sessionId)
                }
                return
            }
            guard let now = sessions[sessionId], now.durableSeq == after, now.state.lastSeq == after else {
                behindStore.insert(sessionId)  // this node moved meanwhile: look again once settled
                continue
            }
            if frames.count == 512 { behindStore.insert(sessionId) }  // more to read
            for frame in frames where frame.seq == sessions[sessionId]!.durableSeq + 1 {
                guard let event = try? Event(body: JSONParser.parse(frame.canonical)) else {
                    logger.error("unreadable stored event", metadata: ["session.id": "\(sessionId)", "seq": "\(frame.seq)"])
                    return
                }
                sessions[sessionId]!.state.apply(event)
                sessions[sessionId]!.durableSeq = event.seq
                broadcast(event, canonical: frame.canonical)
                // The node that stored a question answers it and the one that stored `ended`
                // archives the transcript; removals and mutes act on this node's connections too.
                if event.kind == .moderation { afterCommit(event) }
            }
        }
        unloadIfIdle(sessionId)
    }

    /// After this node's own commits or failures: sessions left behind the store catch up.
    func catchUpIfSettled(_ sessionIds: some Sequence<String>) {
        for sessionId in sessionIds where behindStore.contains(sessionId) && !readingFromStore.contains(sessionId) {
            if let session = sessions[sessionId], session.state.lastSeq == session.durableSeq {
                Task { await self.readFromStore(sessionId) }
            }
        }
    }
}
