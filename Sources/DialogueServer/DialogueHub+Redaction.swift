import Dialogue
import Foundation
import HubCore
import Store

extension DialogueHub {
    /// Tells a loaded session's readers that the text of `seqs` was removed (a `redacted`
    /// frame each, docs/protocol.md), so pages drop it; a redacted pending draft can no
    /// longer be approved. History read afterwards comes from the store, already redacted.
    func redacted(session sessionId: String, seqs: [Int64], kinds: [Int64: EventKind]) {
        guard core.hasSession(sessionId) else { return }
        core.forgetDrafts(seqs, in: sessionId)
        let everyone = core.readers(of: sessionId, where: { _ in true }).map(\.id)
        let seeingDrafts = core.readers(of: sessionId, where: \.seesDrafts).map(\.id)
        for seq in seqs {
            let frame = JSONWriter.bytes(["type": "redacted", "session": .string(sessionId), "seq": .int(seq)])
            transport.send(frame, to: kinds[seq]?.officersOnly ?? false ? seeingDrafts : everyone)
        }
    }

    /// An invite's participant was erased (docs/transcripts.md, "Erasure of a participant"):
    /// the erasure ends the invite, so its sockets close, and no loaded session or
    /// connection keeps their name or organisation, which later welcomes and events would
    /// otherwise carry and store again.
    func erased(invite inviteId: String) {
        closeInvite(inviteId, reason: "invite revoked")
        connections.erase(inviteId, placeholder: erasedName)
        core.erase(inviteId, placeholder: erasedName)
    }

    /// Another node revoked an invite (a revocation or an erasure, which revokes too): when a
    /// loaded session holds its participant, the stored rows say whether they were erased.
    func revokedElsewhere(invite inviteId: String) {
        closeInvite(inviteId, reason: "invite revoked")
        let holding = core.sessionsHolding(inviteId)
        guard !holding.isEmpty else { return }
        spawn { [store, logger] in
            for sessionId in holding {
                do {
                    let stored = try await store.participants(session: sessionId)
                    if stored.first(where: { $0.id == inviteId })?.name == erasedName {
                        await self.erased(invite: inviteId)
                        return
                    }
                } catch {
                    logger.error(
                        "reading an erased participant failed",
                        metadata: ["session.id": "\(sessionId)", "invite.id": "\(inviteId)", "error": "\(error)"])
                }
            }
        }
    }
}
