/// The rule for failed sign-ins (unknown, revoked or expired tokens and invite codes) per
/// client address. It never refuses a sign-in: every token is checked, and a valid one passes
/// however many failures its address had (people behind one proxy or company NAT share an
/// address, and one of them guessing must not lock the others out). Tokens carry 256 bits
/// and invite codes 160, so guessing is hopeless; what failures cost is work and log lines.
/// So past `limit` failures within a minute, an address is *throttled*: each further failure
/// is answered only after `refusalDelay`, which holds the attacker's connection (one
/// failure a second per connection at most) while valid tokens are answered at once; and
/// only the failure that crosses the limit is logged, with a count when the window closes.
/// IPv6 addresses count per /64, and the table holds at most `capacity` windows.
package struct SignInThrottle: Sendable {
    /// What a recorded failure means for the caller.
    package struct Failure: Equatable, Sendable {
        /// Milliseconds to wait before answering the refusal (0 below the limit).
        package var delayMilliseconds: Int64
        /// This failure crossed the limit: the one to log (with the address).
        package var crossedLimit: Bool
    }

    private struct Window {
        var count: Int
        var start: Int64
    }

    /// Length of a counting window, in milliseconds.
    package static let window: Int64 = 60_000
    /// Most addresses (IPv6: /64 blocks) remembered at once. Past it the oldest window is
    /// dropped even inside its minute: memory and time stay bounded under a flood of fresh
    /// addresses, at the cost of forgetting the oldest address's count.
    package static let defaultCapacity = 50_000

    /// Failures per address and minute answered without delay.
    package let limit: Int
    /// Wait before a throttled address's refusal is answered, in milliseconds.
    package let refusalDelay: Int64
    /// Most windows kept (`defaultCapacity` unless a test asks for fewer).
    package let capacity: Int
    private var windows: [String: Window] = [:]
    /// Windows in the order they opened (oldest first, from `head`): expired ones are dropped
    /// from the front a few at a time on each failure, and the front is what the cap evicts,
    /// so no failure ever walks the whole table. An entry whose key has since opened a newer
    /// window, or was dropped, is skipped.
    private var order: [(key: String, start: Int64)] = []
    private var head = 0

    /// `limit` failures a minute answered at once; later ones after `refusalDelay` ms.
    package init(limit: Int, refusalDelay: Int64 = 1_000, capacity: Int = Self.defaultCapacity) {
        self.limit = limit
        self.refusalDelay = refusalDelay
        self.capacity = max(1, capacity)
    }

    /// Records one failed sign-in from `peer` at `now` (milliseconds).
    package mutating func recordFailure(_ peer: String, now: Int64) -> Failure {
        let key = Self.bucket(peer)
        dropExpired(now: now)
        var window: Window
        if let current = windows[key], now - current.start < Self.window {
            window = current
        } else {
            window = Window(count: 0, start: now)
            order.append((key, now))
        }
        window.count += 1
        windows[key] = window
        while windows.count > capacity, dropFront() {}
        compact()
        let over = window.count > limit
        return Failure(delayMilliseconds: over ? refusalDelay : 0, crossedLimit: window.count == limit + 1)
    }

    /// Failures of `peer` in its current window (0 when none or the window is over).
    package func failures(_ peer: String, now: Int64) -> Int {
        guard let window = windows[Self.bucket(peer)], now - window.start < Self.window else { return 0 }
        return window.count
    }

    /// Whether `peer`'s failures are answered slowly now.
    package func isThrottled(_ peer: String, now: Int64) -> Bool { failures(peer, now: now) > limit }

    /// Addresses remembered (for tests of the memory bound).
    package var trackedAddresses: Int { windows.count }

    /// What failures are counted under: the address itself, except that an IPv6 address
    /// counts under its /64 (`2001:db8:1:2::/64`), the block one subscriber line or host
    /// usually holds whole: else every guess could come from a fresh address of it.
    /// `peer` is an address in canonical text (as the transport writes it) or `unknown`.
    package static func bucket(_ peer: String) -> String {
        guard peer.contains(":"), let groups = ipv6Groups(peer) else { return peer }
        let prefix = groups[0..<4].map { String($0, radix: 16) }.joined(separator: ":")
        return prefix + "::/64"
    }

    /// The eight 16-bit groups of an IPv6 address in text, nil if it is not one.
    private static func ipv6Groups(_ text: String) -> [UInt16]? {
        guard text.utf8.count <= 45 else { return nil }
        var halves = [text]
        if let gap = text.firstRange(of: "::") {
            halves = [String(text[..<gap.lowerBound]), String(text[gap.upperBound...])]
            guard halves[1].firstRange(of: "::") == nil else { return nil }
        }
        func parse(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var groups: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if piece.contains("."), index == pieces.count - 1 {  // an embedded IPv4 tail
                    let octets = piece.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
                    guard octets.count == 4 else { return nil }
                    groups.append(UInt16(octets[0]) << 8 | UInt16(octets[1]))
                    groups.append(UInt16(octets[2]) << 8 | UInt16(octets[3]))
                } else {
                    guard (1...4).contains(piece.count), let group = UInt16(piece, radix: 16) else { return nil }
                    groups.append(group)
                }
            }
            return groups
        }
        guard let left = parse(halves[0]) else { return nil }
        let right = halves.count == 2 ? parse(halves[1]) : []
        guard let right else { return nil }
        if halves.count == 1 { return left.count == 8 ? left : nil }
        guard left.count + right.count < 8 else { return nil }
        return left + Array(repeating: 0, count: 8 - left.count - right.count) + right
    }

    /// Drops the windows at the front of `order` whose minute is over.
    private mutating func dropExpired(now: Int64) {
        while head < order.count, now - order[head].start >= Self.window {
            _ = dropFront()
        }
    }

    /// Pops the front of `order`, removing its window if it is still that key's current one;
    /// false when `order` is empty.
    private mutating func dropFront() -> Bool {
        guard head < order.count else { return false }
        let entry = order[head]
        head += 1
        if let current = windows[entry.key], current.start == entry.start {
            windows[entry.key] = nil
        }
        return true
    }

    /// Gives back the space of popped entries once they are most of `order` (amortised O(1)).
    private mutating func compact() {
        if head > 1_024, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
