import Dialogue

/// `history` frames spliced around event frames that are already bytes.
package enum HistoryFrames {
    /// Most events per history frame (contract section 4).
    package static let eventsPerFrame = 256

    /// Splits event frames into history frames of at most 256 events and about `budget`
    /// bytes (one event always fits, whatever its size).
    package static func chunks(_ frames: [[UInt8]], budget: Int) -> [[[UInt8]]] {
        var chunks: [[[UInt8]]] = []
        var current: [[UInt8]] = []
        var bytes = 0
        for frame in frames {
            if !current.isEmpty && (current.count == eventsPerFrame || bytes + frame.count > budget) {
                chunks.append(current)
                current = []
                bytes = 0
            }
            current.append(frame)
            bytes += frame.count + 1
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    /// A `history` frame around event frames.
    package static func frame(session: String, events: [[UInt8]], complete: Bool) -> [UInt8] {
        var out = Array(#"{"type":"history","session":"#.utf8)
        out.append(contentsOf: jsonString(session))
        out.append(contentsOf: #","complete":"#.utf8)
        out.append(contentsOf: (complete ? "true" : "false").utf8)
        out.append(contentsOf: #","events":["#.utf8)
        for (index, event) in events.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: event)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    private static func jsonString(_ text: String) -> [UInt8] {
        JSONWriter.bytes(.string(text))
    }
}
