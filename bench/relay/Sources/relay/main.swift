// Minimal Hummingbird WebSocket relay: a bench-only peer for the load harness (issue 3).
// Every text message received on /relay/ROOM goes to every connection in ROOM, sender
// included. Nothing is stored, parsed or authenticated.
//
//   relay --port PORT        (0: any free port); prints `url: http://127.0.0.1:PORT/` when bound
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Room name → (connection id → outbound writer).
final class Rooms: Sendable {
    private let state = Mutex<(nextID: Int, rooms: [String: [Int: WebSocketOutboundWriter]])>((0, [:]))

    func join(_ room: String, _ writer: WebSocketOutboundWriter) -> Int {
        state.withLock { s in
            s.nextID += 1
            s.rooms[room, default: [:]][s.nextID] = writer
            return s.nextID
        }
    }

    func leave(_ room: String, _ id: Int) {
        state.withLock { s in
            s.rooms[room]?[id] = nil
            if s.rooms[room]?.isEmpty == true { s.rooms[room] = nil }
        }
    }

    func members(_ room: String) -> [WebSocketOutboundWriter] {
        state.withLock { s in s.rooms[room].map { Array($0.values) } ?? [] }
    }
}

var port = 8080
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--port":
        guard let v = args.popFirst(), let p = Int(v) else { fatalError("--port needs a number") }
        port = p
    case "--help", "-h":
        print("usage: relay [--port PORT]   relays text messages on /relay/ROOM to every member of ROOM")
        exit(0)
    default:
        fatalError("unknown argument \(a)")
    }
}

let listenPort = port
var logger = Logger(label: "relay")
logger.logLevel = .warning
let rooms = Rooms()

let wsRouter = Router(context: BasicWebSocketRequestContext.self)
wsRouter.ws("/relay/:room") { inbound, outbound, context in
    let room = context.requestContext.parameters.get("room") ?? ""
    let id = rooms.join(room, outbound)
    defer { rooms.leave(room, id) }
    for try await message in inbound.messages(maxSize: 1 << 20) {
        guard case .text(let text) = message else { continue }
        // one buffer, shared (copy-on-write) by every receiver's frame
        let frame = WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: text))
        for member in rooms.members(room) {
            try? await member.write(.custom(frame))
        }
    }
}

let app = Application(
    router: Router(),
    server: .http1WebSocketUpgrade(webSocketRouter: wsRouter),
    configuration: .init(address: .hostname("127.0.0.1", port: listenPort)),
    onServerRunning: { channel in
        let bound = channel.localAddress?.port ?? listenPort
        print("url: http://127.0.0.1:\(bound)/")
        fflush(nil)
    },
    logger: logger
)
try await app.runService()
