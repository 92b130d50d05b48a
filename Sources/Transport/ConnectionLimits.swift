/// Connection and request-body admission: how many connections the server holds in all and
/// per client address, and how many request-body bytes it buffers at once. Kept by the
/// service thread; decisions only, no I/O, so the rules are unit-tested without sockets.
struct ConnectionLimits {
    /// Most connections (HTTP keep-alive and WebSocket) at once.
    let maxConnections: Int
    /// Most connections from one client address at once.
    let maxPerAddress: Int
    /// Most request-body bytes held at once across all requests, reserved from
    /// `Content-Length` before a byte of the body is read.
    let bodyBudget: Int

    /// Open connections.
    private(set) var total = 0
    /// Connections per client address.
    private(set) var perAddress: [String: Int] = [:]
    /// Body bytes reserved by requests in progress.
    private(set) var bodyReserved = 0

    init(maxConnections: Int, maxPerAddress: Int, bodyBudget: Int) {
        self.maxConnections = maxConnections
        self.maxPerAddress = maxPerAddress
        self.bodyBudget = bodyBudget
    }

    /// Why a new connection cannot be accepted at all: the TCP accept itself is refused
    /// only well past the cap (so the ones just over it can still be told 503 / 1013).
    func refusesAccept() -> Bool { total >= maxConnections + Self.answeredOverflow }

    /// Connections over the cap that are still accepted to be answered 503 / 1013 and closed.
    static let answeredOverflow = 64

    /// A TCP connection was accepted.
    mutating func accepted() { total += 1 }

    /// A TCP connection is gone (with the address it was counted under, if any).
    mutating func released(address: String?) {
        total -= 1
        if let address { forget(address) }
    }

    /// What to do with a connection's first request, once its client address is known.
    enum Admission: Equatable {
        /// Counted under the address; go on.
        case admitted
        /// The server is full.
        case serverFull
        /// This address holds its share already.
        case addressFull
    }

    /// Counts the connection under `address` when there is room (nil: in the total only,
    /// for a connection that carries many clients). Not counted when refused.
    mutating func admit(address: String?) -> Admission {
        if total > maxConnections { return .serverFull }
        guard let address else { return .admitted }
        if perAddress[address, default: 0] >= maxPerAddress { return .addressFull }
        perAddress[address, default: 0] += 1
        return .admitted
    }

    /// Stops counting a connection under `address` (it is being counted anew).
    mutating func uncount(address: String?) {
        if let address { forget(address) }
    }

    /// Reserves `bytes` of body buffer; false when the budget cannot take them.
    mutating func reserveBody(_ bytes: Int) -> Bool {
        guard bytes >= 0, bodyReserved + bytes <= bodyBudget else { return false }
        bodyReserved += bytes
        return true
    }

    /// Gives a reservation back.
    mutating func releaseBody(_ bytes: Int) { bodyReserved = max(0, bodyReserved - bytes) }

    private mutating func forget(_ address: String) {
        guard let count = perAddress[address] else { return }
        if count <= 1 { perAddress[address] = nil } else { perAddress[address] = count - 1 }
    }
}
