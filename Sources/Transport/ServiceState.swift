import Dispatch

/// State only the service thread touches: which wsi belongs to which connection, partial
/// messages being received, HTTP exchanges in progress.
struct ServiceState {
    var nextID: UInt64 = 1
    var sockets: [ConnectionID: WebSocketSlot] = [:]
    var exchanges: [ConnectionID: HTTPExchange] = [:]
    var closeAllApplied = false
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
    /// Messages to echo back, with whether they were binary.
    var echoQueue: [(bytes: [UInt8], binary: Bool)] = []
}

/// Monotonic milliseconds, for idle tracking.
func monotonicMilliseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds / 1_000_000 }

/// One HTTP request/response in progress.
struct HTTPExchange {
    var wsi: OpaquePointer
    var request: HTTPRequest
    var expectedBody: Int
    var tooLarge = false
    /// Handed to Swift (or answered 413) already.
    var dispatched = false
    var response: HTTPResponse?
    var headersSent = false
    var bodyOffset = 0
}
