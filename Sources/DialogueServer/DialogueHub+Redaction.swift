import Dialogue
import Foundation

extension DialogueHub {
    /// Tells a loaded session's readers that the text of `seqs` was removed (a `redacted`
    /// frame each, docs/protocol.md), so pages drop it; a redacted pending draft can no
    /// longer be approved. History read afterwards comes from the store, already redacted.
    func redacted(session sessionId: String, seqs: [Int64], kinds: [Int64: EventKind]) {
        guard let live = sessions[sessionId] else { return }
        for seq in seqs { live.state.forgetDraft(seq) }
        for seq in seqs {
            let frame = JSONWriter.bytes(["type": "redacted", "session": .string(sessionId), "seq": .int(seq)])
            let officersOnly = kinds[seq]?.officersOnly ?? false
            let readers = live.readers.filter { !officersOnly || $0.value.seesDrafts }.map(\.key)
            transport.send(frame, to: readers)
        }
    }
}
