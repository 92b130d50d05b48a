/// Which refusals the transport logs. Connections and requests refused for being over a
/// limit, from a foreign origin or badly framed come at whatever rate a client sends them,
/// and each log line is written on the libwebsockets thread: so each refusal is counted
/// (for `/metrics`), but logged only the first time per kind and client address in each
/// minute; the next line of a kind says how many of that kind went unlogged before it.
/// The table of addresses logged holds at most `capacity` entries a minute; past that all
/// other addresses share one entry (`*`), so a flood from fresh addresses logs one line.
package struct RefusalLog: Sendable {
    /// What was refused.
    package enum Kind: String, Sendable, CaseIterable {
        /// A connection while the server was at `--max-connections`.
        case serverFull = "server_full"
        /// A connection while its address was at `--max-connections-per-address`.
        case addressFull = "address_full"
        /// A WebSocket upgrade on the wrong path or from a foreign origin.
        case upgrade
        /// A request with unusable framing, or one whose body did not fit the budget.
        case request
    }

    /// Length of a logging window, in milliseconds.
    package static let window: Int64 = 60_000

    /// Addresses remembered per window before the rest share one entry.
    package let capacity: Int
    /// Refusals of each kind since start (for `/metrics`).
    package private(set) var totals: [Kind: Int] = [:]
    private var windowStart: Int64?
    private var logged: Set<String> = []
    private var suppressed: [Kind: Int] = [:]
    /// Refusals not logged in earlier windows, reported with the kind's next line.
    private var unreported: [Kind: Int] = [:]

    /// A log with room for `capacity` addresses a minute.
    package init(capacity: Int = 1_024) { self.capacity = max(1, capacity) }

    /// Counts one refusal of `kind` for `address` at `now` (monotonic milliseconds). Nil when
    /// it is not to be logged; else the number of refusals of that kind left unlogged since
    /// the kind's previous line (0 for none), to put in that line.
    package mutating func refused(_ kind: Kind, address: String, now: Int64) -> Int? {
        totals[kind, default: 0] += 1
        if let start = windowStart, now >= start, now - start < Self.window {
        } else {
            // A new window: everything starts over (cleared once a minute, never walked).
            for (kind, count) in suppressed { unreported[kind, default: 0] += count }
            suppressed.removeAll(keepingCapacity: true)
            logged.removeAll(keepingCapacity: true)
            windowStart = now
        }
        let key = kind.rawValue + " " + (logged.count < capacity ? address : "*")
        guard logged.insert(key).inserted else {
            suppressed[kind, default: 0] += 1
            return nil
        }
        var unlogged = unreported.removeValue(forKey: kind) ?? 0
        unlogged += suppressed.removeValue(forKey: kind) ?? 0
        return unlogged
    }

    /// Refusals of `kind` since start.
    package func total(_ kind: Kind) -> Int { totals[kind] ?? 0 }
}
