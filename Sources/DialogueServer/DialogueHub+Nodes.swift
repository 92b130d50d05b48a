import Dialogue
import HubCore
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
            carryOut(core.committedElsewhere(sessionId, first: first, through: through, bodies: bodies))
        case .interrupted:
            noticesConnection(up: false)
        case .resumed:
            noticesConnection(up: true)
            // A move or cancellation told during the outage is lost with its notice.
            for sessionId in core.liveSessionIds where core.status(of: sessionId) == .scheduled {
                replannedElsewhere(sessionId)
            }
        case .presence(let key, let node, let online):
            presenceElsewhere(key, node: node, online: online)
        case .nodeGone(let node):
            nodeGone(node)
        case .inviteRevoked(let inviteId):
            revokedElsewhere(invite: inviteId)
        case .replanned(let sessionId):
            replannedElsewhere(sessionId)
        case .redacted(let sessionId, let seq, let officersOnly):
            redacted(session: sessionId, seqs: [seq], kinds: officersOnly ? [seq: .draft] : [:])
        case .translated(let sessionId, let seq, let language, let officersOnly):
            guard
                core.hasReader(in: sessionId, where: {
                    $0.getsEveryTranslation || LanguageTag.primary($0.language) == language
                })
            else { return }
            // Read apart: the notices behind this one (commits, presence) do not wait for it.
            spawn { [store, logger] in
                do {
                    guard let stored = try await store.translations(
                        session: sessionId, from: seq, to: seq, language: language)[seq]
                    else { return }
                    await self.translationArrived(stored, officersOnly: officersOnly)
                } catch {
                    logger.error(
                        "reading another node's translation failed",
                        metadata: ["session.id": "\(sessionId)", "error": "\(error)"])
                }
            }
        }
    }

    /// Another node moved, opened or cancelled a session: the copy in memory follows the
    /// stored row (read apart, so the notices behind this one do not wait), as it does on the
    /// node where the officer acted. Until it arrives this node may still take a message in a
    /// cancelled session; the store keeps the session cancelled even if one of them ends it.
    private func replannedElsewhere(_ sessionId: String) {
        guard core.hasSession(sessionId) else { return }  // read from the store when first used
        spawn { [store, logger] in
            do {
                guard let info = try await store.session(id: sessionId) else { return }
                await self.sessionPlanned(info)
            } catch {
                logger.error(
                    "reading a session another node replanned failed",
                    metadata: ["session.id": "\(sessionId)", "error": "\(error)"])
            }
        }
    }
}
