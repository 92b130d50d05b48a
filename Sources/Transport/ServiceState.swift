import Dispatch

/// State only the service thread touches: which wsi belongs to which connection, partial
/// messages being received, HTTP exchanges in progress.
struct ServiceState {
    var nextID: UInt64 = 1
    var sockets: [ConnectionID: WebSocketSlot] = [:]
    var exchanges: [ConnectionID: HTTPExchange] = [:]
    var closeAllApplied = false
    /// Connection counts and the body budget (set up by `start()` from the configuration).
    var limits = ConnectionLimits(maxConnections: 0, maxPerAddress: 0, bodyBudget: 0)
    /// A connection passed the accept filter and its wsi is about to be created.
    var acceptPending = false
    /// Every accepted TCP connection, by its wsi's address bits, until lws destroys it.
    var connections: [UInt: ConnectionRecord] = [:]
    /// Monotonic milliseconds of the last idle sweep.
    var lastSweep: UInt64 = 0
    /// Reused for every write: LWS_PRE bytes of headroom, then the payload.
    var writeBuffer: UnsafeMutableRawBufferPointer = .allocate(byteCount: 0, alignment: 16)

    mutating func newID() -> ConnectionID {
        defer { nextID += 1 }
        return ConnectionID(raw: nextID)
    }

    /// A write buffer of at least `count` bytes.
    mutating func buffer(atLeast count: Int) -> UnsafeMutableRawBufferPointer {
        if writeBuffer.count < count {
            writeBuffer.deallocate()
            writeBuffer = .allocate(byteCount: max(count, 16 * 1024), alignment: 16)
        }
        return writeBuffer
    }
}

/// One WebSocket connection as the service thread sees it.
struct WebSocketSlot {
    var wsi: OpaquePointer
    /// Fragments of the message being received; empty between messages.
    var partial: [UInt8] = []
    /// Monotonic milliseconds when the peer was last heard from (any frame or pong).
    var lastHeard: UInt64
    /// A ping is owed by the next writeable callback.
    var pingDue = false
    /// A ping went out and no frame came back since.
    var pinged = false
    /// A close was requested and lws was told to kill the connection if it cannot send it.
    var killTimerSet = false
    /// A conformance-echo connection: never seen by the dialogue layer.
    var echo = false
    /// Why the server refused it (full): closed with 1013 at once, never shown to the dialogue layer.
    var refusal: String?
    /// Messages to echo back, with whether they were binary.
    var echoQueue: [(bytes: [UInt8], binary: Bool)] = []
}

/// Monotonic milliseconds, for idle tracking.
func monotonicMilliseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds / 1_000_000 }

/// What the service thread knows of one TCP connection.
struct ConnectionRecord {
    /// Its first request (or upgrade) passed admission.
    var admitted = false
    /// The client address it is counted under in the per-address cap (nil: not counted,
    /// as for a trusted proxy's HTTP connection, which carries many clients' requests).
    var countedUnder: String?
    /// The client address of its WebSocket upgrade (kept for `ESTABLISHED`).
    var client: String?
    /// Why its upgrade was refused; the WebSocket is closed with 1013 as soon as it opens.
    var refusal: String?
}

/// One HTTP request/response in progress.
struct HTTPExchange {
    var wsi: OpaquePointer
    var request: HTTPRequest
    var expectedBody: Int
    var tooLarge = false
    /// Handed to Swift (or answered directly) already.
    var dispatched = false
    var response: HTTPResponse?
    var headersSent = false
    var bodyOffset = 0
    /// Close the connection once the response is written (framing errors, refusals, and
    /// every request that carried a body, so bytes past a body are never taken for a request).
    var closeAfter = false
    /// The response is written and the connection waits for lws to flush it before closing.
    var closing = false
    /// The response is out, the server's side shut; the rest of the request is being dropped.
    var lingering = false
    /// Bytes dropped while lingering.
    var drained = 0
    /// Refused for its framing: its length is unknown, so more bytes may follow.
    var framingRefused = false
    /// Body bytes reserved in the budget.
    var reserved = 0
    /// The preflight check has cleared the request (or none was needed).
    var cleared = true
    /// The whole body arrived.
    var bodyComplete = false
    /// Monotonic milliseconds by which the body must have arrived; nil when none is expected.
    var bodyDeadline: UInt64?
}
