import Dialogue
import Synchronization

/// Counts failed sign-ins (bad tokens or invite codes, over WebSocket `hello` or HTTP
/// `Authorization`) per peer address, so secrets cannot be guessed at line rate: past
/// `limit` failures within a minute, that address is refused until the minute is over.
final class SignInFailures: Sendable {
    private struct Window {
        var count: Int
        var start: Int64
    }

    private let limit: Int
    private let windows = Mutex<[String: Window]>([:])

    init(limitPerMinute: Int) { self.limit = limitPerMinute }

    /// Whether `peer` used up its failures for the current minute.
    func isBlocked(_ peer: String, now: Int64 = Timestamp.nowMilliseconds()) -> Bool {
        windows.withLock { windows in
            guard let window = windows[peer], now - window.start < 60_000 else { return false }
            return window.count >= limit
        }
    }

    /// Records one failure of `peer`.
    func record(_ peer: String, now: Int64 = Timestamp.nowMilliseconds()) {
        windows.withLock { windows in
            if let window = windows[peer], now - window.start < 60_000 {
                windows[peer]!.count = window.count + 1
            } else {
                windows[peer] = Window(count: 1, start: now)
            }
            if windows.count > 10_000 { windows = windows.filter { now - $0.value.start < 60_000 } }
        }
    }
}
