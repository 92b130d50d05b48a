import CLibWebSockets
import Foundation
import Logging

/// The protocol callback lws calls on its service thread. C needs a global function; the
/// server object comes back through the context's user pointer.
func dialogueCallback(
    _ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
    _ input: UnsafeMutableRawPointer?, _ length: Int
) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let raw = lws_context_user(context) else { return 0 }
    let server = Unmanaged<WebSocketServer>.fromOpaque(raw).takeUnretainedValue()
    return server.handle(wsi, reason, user, input, length)
}

extension WebSocketServer {
    func handle(
        _ wsi: OpaquePointer, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
        _ input: UnsafeMutableRawPointer?, _ length: Int
    ) -> Int32 {
        switch reason {
        case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
            if outbox.withLock({ $0.draining }) { return 1 }
            // Well past the cap the TCP accept itself is refused; just past it the connection
            // is accepted so that it can be told 503 / 1013.
            if serviceState.limits.refusesAccept() { return 1 }
            serviceState.acceptPending = true
            return 0
        case LWS_CALLBACK_WSI_CREATE:
            // Only the wsi of the connection just accepted is counted (lws makes others too:
            // the listening socket, its wake-up pipe).
            guard serviceState.acceptPending else { return 0 }
            serviceState.acceptPending = false
            serviceState.limits.accepted()
            serviceState.connections[key(wsi)] = ConnectionRecord()
            return 0
        case LWS_CALLBACK_WSI_DESTROY:
            if let record = serviceState.connections.removeValue(forKey: key(wsi)) {
                serviceState.limits.released(address: record.countedUnder)
            }
            return 0
        case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
            // Refuse with a real HTTP status (404 wrong path, 403 foreign origin), not a hang-up.
            guard let (status, reason) = upgradeRefusal(wsi) else { return 0 }
            return writeRawRefusal(wsi, status: status, reason: reason)
        case LWS_CALLBACK_ESTABLISHED:
            opened(wsi, user)
            return 0
        case LWS_CALLBACK_RECEIVE:
            heard(user)
            return received(wsi, user, input, length)
        case LWS_CALLBACK_RECEIVE_PONG:
            heard(user)
            return 0
        case LWS_CALLBACK_SERVER_WRITEABLE:
            return writeable(wsi, user)
        case LWS_CALLBACK_CLOSED:
            closed(user)
            return 0
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            wokenUp()
            if exitIsRequested && eventLoop == .libev { scheduleStop() }
            return 0
        case LWS_CALLBACK_HTTP:
            return httpStarted(wsi, user, input)
        case LWS_CALLBACK_HTTP_BODY:
            httpBody(user, input, length)
            return 0
        case LWS_CALLBACK_HTTP_BODY_COMPLETION:
            // Not passed on: lws's default handler would end the transaction before we answer.
            httpBodyComplete(user)
            return 0
        case LWS_CALLBACK_HTTP_WRITEABLE:
            return httpWriteable(wsi, user)
        case LWS_CALLBACK_CLOSED_HTTP:
            if let id = connectionID(user) { dropExchange(id) }
        default:
            break
        }
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    }

    private func connectionID(_ user: UnsafeMutableRawPointer?) -> ConnectionID? {
        guard let user else { return nil }
        let raw = user.load(as: UInt64.self)
        return raw == 0 ? nil : ConnectionID(raw: raw)
    }

    private func header(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> String? {
        let length = Int(lws_hdr_total_length(wsi, token))
        guard length > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        guard lws_hdr_copy(wsi, &buffer, Int32(buffer.count), token) >= 0 else { return nil }
        return cString(buffer)
    }

    private func peer(_ wsi: OpaquePointer) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        guard lws_get_peer_simple(wsi, &buffer, buffer.count) != nil else { return "?" }
        return cString(buffer)
    }

    /// Every field line of a header, in order (a repeated header is several fragments).
    private func headerFragments(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> [String] {
        var values: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        var index: Int32 = 0
        while index < 16, lws_hdr_copy_fragment(wsi, &buffer, Int32(buffer.count), token, index) >= 0 {
            values.append(cString(buffer))
            index += 1
        }
        return values
    }

    /// A header lws has no token for (`name` lower case with its colon, `forwarded:`).
    private func customHeader(_ wsi: OpaquePointer, _ name: String) -> String? {
        let nameLength = Int32(name.utf8.count)
        let length = Int(lws_hdr_custom_length(wsi, name, nameLength))
        guard length > 0, length < 8192 else { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        guard lws_hdr_custom_copy(wsi, &buffer, Int32(buffer.count), name, nameLength) >= 0 else { return nil }
        return cString(buffer)
    }

    /// Counts a refusal and logs it unless one of its kind from `address` was logged in the
    /// last minute (`RefusalLog`): a client repeating a refused attempt costs no log line.
    private func logRefusal(
        _ kind: RefusalLog.Kind, address: String, _ message: Logger.Message, level: Logger.Level = .info,
        metadata: Logger.Metadata = [:]
    ) {
        let now = Int64(clamping: monotonicMilliseconds())
        guard let unlogged = refusalLog.withLock({ $0.refused(kind, address: address, now: now) }) else { return }
        var metadata = metadata
        metadata["net.client"] = "\(address)"
        if unlogged > 0 { metadata["log.unlogged"] = "\(unlogged)" }
        logger.log(level: level, message, metadata: metadata)
    }

    /// The key of a connection's record: its wsi's address.
    private func key(_ wsi: OpaquePointer) -> UInt { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(wsi))) }

    /// Who sent the request on `wsi`: the client address, whether forwarding headers came
    /// from a peer that may not forward, and whether the TCP peer is a trusted proxy.
    private func client(_ wsi: OpaquePointer) -> (address: String, untrustedForwarding: Bool, viaProxy: Bool) {
        let tcpPeer = peer(wsi)
        let forwarded = customHeader(wsi, "forwarded:")
        let forwardedFor = header(wsi, WSI_TOKEN_X_FORWARDED_FOR)
        let resolver = configuration.clientAddresses
        let viaProxy = IPAddress(tcpPeer).map(resolver.isTrusted) ?? false
        let address = resolver.clientAddress(peer: tcpPeer, forwarded: forwarded, forwardedFor: forwardedFor)
        return (address, !viaProxy && (forwarded != nil || forwardedFor != nil), viaProxy)
    }

    /// Counts a connection's first request (or its upgrade) under its client address; the
    /// reason it is refused when the server or that address is full, else nil. A trusted
    /// proxy's plain HTTP connection carries many clients' requests, so it counts only in
    /// the total; its WebSocket upgrades (one client each) count under the client.
    private func admit(_ wsi: OpaquePointer, client: String, perAddress: Bool, upgrade: Bool) -> String? {
        let key = key(wsi)
        guard var record = serviceState.connections[key] else { return nil }
        let countKey = perAddress || upgrade ? client : nil
        if record.admitted {
            guard upgrade, record.countedUnder != countKey else { return nil }
            serviceState.limits.uncount(address: record.countedUnder)
            record.countedUnder = nil
        }
        let admission = serviceState.limits.admit(address: countKey)
        if admission == .admitted {
            record.admitted = true
            record.countedUnder = countKey
        }
        serviceState.connections[key] = record
        switch admission {
        case .admitted: return nil
        case .serverFull:
            logRefusal(.serverFull, address: client, "connection refused: server full", level: .warning)
            return "the server is at its connection limit; try again shortly"
        case .addressFull:
            logRefusal(.addressFull, address: client, "connection refused: address full", level: .warning)
            return "too many connections from this address; try again shortly"
        }
    }

    // MARK: WebSocket

    /// Writes a complete HTTP/1.1 refusal by hand: at this stage lws would answer HTTP/1.0,
    /// which WebSocket clients reject as "not a valid response".
    private func writeRawRefusal(_ wsi: OpaquePointer, status: Int, reason: String) -> Int32 {
        let phrase = status == 404 ? "Not Found" : "Forbidden"
        let code = status == 404 ? "not_found" : "forbidden"
        let body = JSONText.error(code: code, message: reason)
        let text =
            "HTTP/1.1 \(status) \(phrase)\r\ncontent-type: application/json\r\ncontent-length: \(body.utf8.count)\r\n"
            + "connection: close\r\n\r\n" + body
        let bytes = Array(text.utf8)
        let buffer = serviceState.buffer(atLeast: pre + bytes.count)
        let payload = buffer.baseAddress! + pre
        bytes.withUnsafeBytes { payload.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        _ = lws_write(wsi, payload.assumingMemoryBound(to: UInt8.self), bytes.count, LWS_WRITE_HTTP_HEADERS)
        return -1
    }

    /// Why an upgrade request must be refused, as an HTTP status and reason; nil to accept.
    private func upgradeRefusal(_ wsi: OpaquePointer) -> (Int, String)? {
        let path = header(wsi, WSI_TOKEN_GET_URI) ?? ""
        guard path == configuration.webSocketPath || (configuration.echoPath != nil && path == configuration.echoPath)
        else {
            logRefusal(
                .upgrade, address: client(wsi).address, "upgrade refused",
                metadata: ["http.path": "\(path)", "reason": "wrong path"])
            return (404, "WebSockets are served at \(configuration.webSocketPath) only")
        }
        // Other web pages' scripts are refused (cross-site WebSocket hijacking); browsers
        // always send Origin, so a request without one is not from a page and is let
        // through (native and command-line clients send none).
        let origin = header(wsi, WSI_TOKEN_ORIGIN)
        if let refusal = configuration.origins.refusal(origin: origin, host: header(wsi, WSI_TOKEN_HOST)) {
            logRefusal(
                .upgrade, address: client(wsi).address, "upgrade refused",
                metadata: ["http.origin": "\(origin ?? "")", "reason": "\(refusal)"])
            return (403, refusal)
        }
        // A full server still completes the upgrade, then closes with 1013 (try again later):
        // the one refusal a browser's WebSocket can read.
        let (address, _, viaProxy) = client(wsi)
        let refusal = admit(wsi, client: address, perAddress: !viaProxy, upgrade: true)
        serviceState.connections[key(wsi)]?.client = address
        serviceState.connections[key(wsi)]?.refusal = refusal
        return nil
    }

    private func opened(_ wsi: OpaquePointer, _ user: UnsafeMutableRawPointer?) {
        let id = serviceState.newID()
        user?.storeBytes(of: id.raw, as: UInt64.self)
        serviceState.sockets[id] = WebSocketSlot(wsi: wsi, lastHeard: monotonicMilliseconds())
        let record = serviceState.connections[key(wsi)]
        if let refusal = record?.refusal {
            // Never shown to the dialogue layer: closed 1013 from the first writeable callback.
            serviceState.sockets[id]!.refusal = refusal
            lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_SEND, 5)
            lws_callback_on_writable(wsi)
            return
        }
        let isEcho = configuration.echoPath != nil && header(wsi, WSI_TOKEN_GET_URI) == configuration.echoPath
        serviceState.sockets[id]!.echo = isEcho
        if configuration.deflate {
            // Free the compressor after every message instead of keeping its ~256 KiB window
            // per idle connection. lws 4.1 keys its tx reset on this option's name; resetting
            // our own compressor is always safe for the peer. (Inflate keeps its context unless
            // the client offered client_no_context_takeover, as RFC 7692 requires.)
            lws_set_extension_option(wsi, "permessage-deflate", "client_no_context_takeover", "1")
        }
        if isEcho { return }
        outbox.withLock { box in
            box.frames[id] = FrameQueue()
            box.openCount += 1
            if let (code, reason) = box.closeAll { _ = box.requestClose(id, code: code, reason: reason) }
        }
        deliver(.opened(id, peer: record?.client ?? client(wsi).address))
    }

    private func received(
        _ wsi: OpaquePointer, _ user: UnsafeMutableRawPointer?, _ input: UnsafeMutableRawPointer?, _ length: Int
    ) -> Int32 {
        guard let id = connectionID(user), let received = serviceState.sockets[id]?.partial.count else { return -1 }
        if serviceState.sockets[id]!.echo { return echoReceived(wsi, id, input, length) }
        if lws_frame_is_binary(wsi) != 0 {
            return refuse(wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, "binary messages are not accepted")
        }
        if received + length > configuration.maxMessageSize {
            serviceState.sockets[id]?.partial = []
            return refuse(
                wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "message over \(configuration.maxMessageSize) bytes")
        }
        if let input, length > 0 {
            // Appended in place: copying the slot out would copy the partial message.
            serviceState.sockets[id]!.partial.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length))
        }
        if lws_is_final_fragment(wsi) != 0 && lws_remaining_packet_payload(wsi) == 0 {
            let message = serviceState.sockets[id]!.partial
            serviceState.sockets[id]!.partial = []
            deliver(.message(id, message))
        }
        return 0
    }

    /// Conformance echo: collects a whole message, text or binary, and queues it back.
    private func echoReceived(
        _ wsi: OpaquePointer, _ id: ConnectionID, _ input: UnsafeMutableRawPointer?, _ length: Int
    )
        -> Int32
    {
        if serviceState.sockets[id]!.partial.count + length > configuration.echoMaxMessageSize {
            return refuse(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "message too large")
        }
        if let input, length > 0 {
            serviceState.sockets[id]!.partial.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length))
        }
        if lws_is_final_fragment(wsi) != 0 && lws_remaining_packet_payload(wsi) == 0 {
            let message = serviceState.sockets[id]!.partial
            serviceState.sockets[id]!.partial = []
            serviceState.sockets[id]!.echoQueue.append((message, lws_frame_is_binary(wsi) != 0))
            lws_callback_on_writable(wsi)
        }
        return 0
    }

    /// Writes the next echo message (one `lws_write` per writeable callback).
    private func echoWriteable(_ wsi: OpaquePointer, _ id: ConnectionID) -> Int32 {
        guard let first = serviceState.sockets[id]?.echoQueue.first else { return 0 }
        serviceState.sockets[id]!.echoQueue.removeFirst()
        let buffer = serviceState.buffer(atLeast: pre + first.bytes.count)
        let payload = buffer.baseAddress! + pre
        if !first.bytes.isEmpty {
            first.bytes.withUnsafeBytes { payload.copyMemory(from: $0.baseAddress!, byteCount: first.bytes.count) }
        }
        let mode = first.binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT
        if lws_write(wsi, payload.assumingMemoryBound(to: UInt8.self), first.bytes.count, mode) < first.bytes.count {
            return -1
        }
        if serviceState.sockets[id]?.echoQueue.isEmpty == false { lws_callback_on_writable(wsi) }
        return 0
    }

    /// The peer is alive: push its idle deadline back.
    private func heard(_ user: UnsafeMutableRawPointer?) {
        guard let id = connectionID(user), serviceState.sockets[id] != nil else { return }
        serviceState.sockets[id]!.lastHeard = monotonicMilliseconds()
        serviceState.sockets[id]!.pinged = false
    }

    /// Once a second: ping connections silent for the ping interval, and close those that
    /// stayed silent for three intervals (a ping unanswered for two).
    private func sweepIdle() {
        let now = monotonicMilliseconds()
        guard now &- serviceState.lastSweep >= 1000 else { return }
        serviceState.lastSweep = now
        sweepOverdueBodies(now: now)
        let interval = UInt64(max(1, configuration.pingInterval)) * 1000
        var silent: [ConnectionID] = []
        for (id, slot) in serviceState.sockets {
            let quiet = now &- slot.lastHeard
            if quiet >= 3 * interval {
                silent.append(id)
            } else if quiet >= interval && !slot.pinged && !slot.pingDue {
                serviceState.sockets[id]!.pingDue = true
                lws_callback_on_writable(slot.wsi)
            }
        }
        guard !silent.isEmpty else { return }
        outbox.withLock { box in
            for id in silent { _ = box.requestClose(id, code: 1001, reason: "no answer to pings") }
        }
        for id in silent {
            guard let wsi = serviceState.sockets[id]?.wsi else { continue }
            serviceState.sockets[id]!.killTimerSet = true
            lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_SEND, 2)  // a silent peer may never read the close
            lws_callback_on_writable(wsi)
        }
    }

    private func refuse(_ wsi: OpaquePointer, _ status: lws_close_status, _ reason: String) -> Int32 {
        var bytes = Array(reason.utf8.prefix(120))
        lws_close_reason(wsi, status, &bytes, bytes.count)
        return -1
    }

    private func writeable(_ wsi: OpaquePointer, _ user: UnsafeMutableRawPointer?) -> Int32 {
        guard let id = connectionID(user) else { return -1 }
        if let refusal = serviceState.sockets[id]?.refusal {
            return refuse(wsi, lws_close_status(rawValue: 1013), refusal)  // 1013: try again later
        }
        if serviceState.sockets[id]?.pingDue == true {
            serviceState.sockets[id]!.pingDue = false
            serviceState.sockets[id]!.pinged = true
            // lws drops empty pongs before the callback, so the ping carries a payload to echo.
            let payload = Array("idle".utf8)
            let buffer = serviceState.buffer(atLeast: pre + payload.count)
            let start = buffer.baseAddress! + pre
            payload.withUnsafeBytes { start.copyMemory(from: $0.baseAddress!, byteCount: payload.count) }
            if lws_write(wsi, start.assumingMemoryBound(to: UInt8.self), payload.count, LWS_WRITE_PING) < 0 {
                return -1
            }
            lws_callback_on_writable(wsi)  // frames may be waiting too
            return 0
        }
        if serviceState.sockets[id]?.echo == true { return echoWriteable(wsi, id) }
        switch writeFrames(wsi, id) {
        case .idle: return 0
        case .more: lws_callback_on_writable(wsi); return 0
        case .close(let code, let reason): return refuse(wsi, lws_close_status(rawValue: UInt32(code)), reason)
        case .failed: return -1
        }
    }

    /// What `writeFrames` left behind.
    enum WriteOutcome {
        /// The queue is empty.
        case idle
        /// Frames are still queued (or the socket is choked): another writeable callback is needed.
        case more
        /// The queue is empty and a close was asked for.
        case close(code: UInt16, reason: String)
        /// lws could not write: the connection must go.
        case failed
    }

    /// Writes queued frames, several while the socket takes them: saves a poll round trip per
    /// frame when a reader has a backlog (an ack and its own event, a busy session), bounded
    /// so one connection cannot hog the thread. A write the kernel takes only in part is kept
    /// by lws, which flushes it before anything else (and reports it in `lws_partial_buffered`).
    private func writeFrames(_ wsi: OpaquePointer, _ id: ConnectionID) -> WriteOutcome {
        for _ in 0..<Self.framesPerWriteable {
            let (frame, close, more) = outbox.withLock { box -> ([UInt8]?, (code: UInt16, reason: String)?, Bool) in
                guard box.frames[id] != nil else { return (nil, (1011, "connection state lost"), false) }
                let frame = box.frames[id]!.popFirst()
                let queue = box.frames[id]!
                return (frame, frame == nil ? queue.close : nil, !queue.isEmpty || (frame != nil && queue.close != nil))
            }
            guard let frame else {
                if let close { return .close(code: close.code, reason: close.reason) }
                return .idle
            }
            let buffer = serviceState.buffer(atLeast: pre + frame.count)
            let payload = buffer.baseAddress! + pre
            frame.withUnsafeBytes { payload.copyMemory(from: $0.baseAddress!, byteCount: frame.count) }
            let written = lws_write(wsi, payload.assumingMemoryBound(to: UInt8.self), frame.count, LWS_WRITE_TEXT)
            if written < frame.count { return .failed }
            guard more else { return .idle }
            if lws_partial_buffered(wsi) != 0 || lws_send_pipe_choked(wsi) != 0 { break }
        }
        return .more
    }

    /// Most frames written in one writeable callback.
    static let framesPerWriteable = 16

    private func closed(_ user: UnsafeMutableRawPointer?) {
        guard let id = connectionID(user) else { return }
        let slot = serviceState.sockets.removeValue(forKey: id)
        if slot?.echo == true || slot?.refusal != nil { return }
        outbox.withLock { box in
            box.frames[id] = nil
            box.wantsWrite.remove(id)
            box.openCount -= 1
        }
        deliver(.closed(id))
    }

    private func wokenUp() {
        // The hub's jobs first: the frames they queue are then written in this same pass, so
        // they need no wake-up of their own (the flag is cleared below, under the same lock
        // that takes the connections to write).
        outbox.withLock { $0.wakePending = true }
        hubExecutor.runJobs()
        sweepIdle()
        var verdicts: [ConnectionID: HTTPResponse?] = [:]
        let ids = outbox.withLock { box -> Set<ConnectionID> in
            box.wakePending = false
            if !box.preflightResults.isEmpty {
                verdicts = box.preflightResults
                box.preflightResults.removeAll()
            }
            if let (code, reason) = box.closeAll, !serviceState.closeAllApplied {
                for id in Array(box.frames.keys) { _ = box.requestClose(id, code: code, reason: reason) }
            }
            let ids = box.wantsWrite
            box.wantsWrite.removeAll(keepingCapacity: true)
            for id in ids where serviceState.sockets[id] == nil && serviceState.exchanges[id] == nil {
                box.httpResponses[id] = nil
            }
            return ids
        }
        if !verdicts.isEmpty { applyPreflight(verdicts) }
        if outbox.withLock({ $0.closeAll != nil }) { serviceState.closeAllApplied = true }
        let closing = outbox.withLock { box in Set(ids.filter { box.frames[$0]?.close != nil }) }
        for id in ids {
            if let slot = serviceState.sockets[id] {
                if closing.contains(id) && !slot.killTimerSet {
                    // A peer that stopped reading never makes the socket writeable again, so the
                    // close frame might never go out: lws kills the connection after 5 s regardless.
                    serviceState.sockets[id]!.killTimerSet = true
                    lws_set_timeout(slot.wsi, PENDING_TIMEOUT_CLOSE_SEND, 5)
                }
                if closing.contains(id) || !writeDirectly(id, slot) { lws_callback_on_writable(slot.wsi) }
            } else if let exchange = serviceState.exchanges[id] {
                lws_callback_on_writable(exchange.wsi)
            }
        }
    }

    /// Writes a connection's new frames now, from the wake-up, instead of asking lws for a
    /// writeable callback: that round trip costs two `epoll_ctl` calls and a loop pass per
    /// connection, about a third of the service thread's time under fan-out. lws allows it
    /// here (we are on its service thread) as long as nothing of the connection's is still
    /// buffered; deflate, pings and echo connections keep the writeable path. False when the
    /// writeable path must take over.
    private func writeDirectly(_ id: ConnectionID, _ slot: WebSocketSlot) -> Bool {
        guard !configuration.deflate, !slot.echo, !slot.pingDue, lws_partial_buffered(slot.wsi) == 0 else {
            return false
        }
        switch writeFrames(slot.wsi, id) {
        case .idle: return true
        case .more, .close: return false
        case .failed:
            lws_set_timeout(slot.wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC)
            return true
        }
    }

    // MARK: HTTP

    private func httpStarted(_ wsi: OpaquePointer, _ user: UnsafeMutableRawPointer?, _ input: UnsafeMutableRawPointer?)
        -> Int32
    {
        let id = serviceState.newID()
        user?.storeBytes(of: id.raw, as: UInt64.self)
        let method = String(cString: dlg_lws_http_method(wsi))
        var pathBuffer = [CChar](repeating: 0, count: 2048)
        let path = dlg_lws_copy_path(wsi, &pathBuffer, Int32(pathBuffer.count)) >= 0 ? cString(pathBuffer) : "/"
        var fragments: [String] = []
        var fragment = [CChar](repeating: 0, count: 2048)
        var index: Int32 = 0
        while lws_hdr_copy_fragment(wsi, &fragment, Int32(fragment.count), WSI_TOKEN_HTTP_URI_ARGS, index) >= 0 {
            fragments.append(cString(fragment))
            index += 1
        }
        var headers: [String: String] = [:]
        let wanted: [(String, lws_token_indexes)] = [
            ("authorization", WSI_TOKEN_HTTP_AUTHORIZATION), ("content-type", WSI_TOKEN_HTTP_CONTENT_TYPE),
            ("content-length", WSI_TOKEN_HTTP_CONTENT_LENGTH), ("origin", WSI_TOKEN_ORIGIN),
            ("accept", WSI_TOKEN_HTTP_ACCEPT), ("accept-language", WSI_TOKEN_HTTP_ACCEPT_LANGUAGE),
            ("host", WSI_TOKEN_HOST), ("upgrade", WSI_TOKEN_UPGRADE),
        ]
        for (name, token) in wanted { if let value = header(wsi, token) { headers[name] = value } }
        let (address, untrustedForwarding, viaProxy) = client(wsi)
        var request = HTTPRequest(
            id: id, method: method, path: path, queryFragments: fragments, headers: headers, body: [], peer: address)
        request.forwardedByUntrustedPeer = untrustedForwarding
        serviceState.exchanges[id] = HTTPExchange(wsi: wsi, request: request, expectedBody: 0)

        // Everything below is decided from the headers alone, before a byte of body is read.
        if let refusal = admit(wsi, client: address, perAddress: !viaProxy, upgrade: false) {
            return refuseRequest(id, status: 503, code: "unavailable", message: refusal)
        }
        let framing = RequestFraming.judge(
            transferEncoding: header(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING),
            contentLengths: headerFragments(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH))
        guard case .length(let expected) = framing else {
            if case .refused(let status, let reason) = framing {
                serviceState.exchanges[id]!.framingRefused = true
                logRefusal(
                    .request, address: address, "request refused",
                    metadata: ["http.path": "\(path)", "reason": "\(reason)"])
                return refuseRequest(id, status: status, code: "bad_request", message: reason)
            }
            return -1
        }
        serviceState.exchanges[id]!.expectedBody = expected
        let limit = configuration.bodyLimit(for: path)
        if expected > limit {
            return refuseRequest(id, status: 413, code: "too_large", message: "request body over \(limit) bytes")
        }
        guard expected > 0 else {
            dispatch(id)
            return 0
        }
        // Bytes after a body are never taken for a request: a Content-Length too small would
        // otherwise make the rest of the body a second, smuggled request.
        serviceState.exchanges[id]!.closeAfter = true
        let allowance = UInt64(configuration.requestTimeout) * 1000
            + UInt64(expected / max(1, configuration.minimumBodyRate)) * 1000
        serviceState.exchanges[id]!.bodyDeadline = monotonicMilliseconds() + allowance
        guard let preflight = preflight.withLock({ $0 })?.check else { return reserveBody(id) }
        // No body is read until the request is cleared: an upload without a valid token
        // costs the server its headers only, and takes nothing from the body budget.
        serviceState.exchanges[id]!.cleared = false
        lws_rx_flow_control(wsi, 0)
        Task { [self] in
            let verdict = await preflight(request)
            let wake = outbox.withLock { box in
                box.preflightResults[id] = .some(verdict)
                return box.claimWake(true)
            }
            if wake { wakeServiceThread() }
        }
        return 0
    }

    /// Reserves a cleared request's body in the budget, or refuses it (503) when the bodies
    /// already in flight leave no room.
    private func reserveBody(_ id: ConnectionID) -> Int32 {
        guard let exchange = serviceState.exchanges[id] else { return 0 }
        guard serviceState.limits.reserveBody(exchange.expectedBody) else {
            logRefusal(
                .request, address: exchange.request.peer, "request refused: body budget spent", level: .warning,
                metadata: ["http.path": "\(exchange.request.path)"])
            return refuseRequest(
                id, status: 503, code: "unavailable",
                message: "the server is receiving too many request bodies at once; try again shortly")
        }
        serviceState.exchanges[id]!.reserved = exchange.expectedBody
        return 0
    }

    /// Applies preflight verdicts: a cleared request's body is read (and it is dispatched if
    /// the body is already in); a refused one is answered and its connection closed.
    private func applyPreflight(_ results: [ConnectionID: HTTPResponse?]) {
        for (id, verdict) in results {
            guard let exchange = serviceState.exchanges[id], !exchange.dispatched else { continue }
            if let response = verdict {
                serviceState.exchanges[id]!.closeAfter = true
                serviceState.exchanges[id]!.dispatched = true
                serviceState.exchanges[id]!.bodyDeadline = nil
                outbox.withLock { box in
                    box.httpResponses[id] = response
                    box.wantsWrite.insert(id)
                }
                // lws 4.1 holds back writeable callbacks while reading is paused; what arrives
                // of the body until the answer is out is dropped, never buffered.
                lws_rx_flow_control(exchange.wsi, 1)
                lws_callback_on_writable(exchange.wsi)
            } else {
                serviceState.exchanges[id]!.cleared = true
                lws_rx_flow_control(exchange.wsi, 1)
                _ = reserveBody(id)
                // A body that came in the headers' packet is already complete.
                if exchange.bodyComplete { dispatch(id) }
            }
        }
    }

    /// Answers a request from the transport itself and closes the connection after it; what
    /// arrives of its body meanwhile is dropped.
    private func refuseRequest(_ id: ConnectionID, status: Int, code: String, message: String) -> Int32 {
        guard let exchange = serviceState.exchanges[id], !exchange.dispatched else { return 0 }
        serviceState.exchanges[id]!.dispatched = true
        serviceState.exchanges[id]!.closeAfter = true
        serviceState.exchanges[id]!.bodyDeadline = nil
        let body = JSONText.error(code: code, message: message)
        var headers: [(name: String, value: String)] = []
        if status == 503 { headers.append(("retry-after", "5")) }
        outbox.withLock { box in
            box.httpResponses[id] = HTTPResponse(
                status: status, contentType: "application/json", headers: headers, body: Array(body.utf8))
            box.wantsWrite.insert(id)
        }
        lws_callback_on_writable(exchange.wsi)
        return 0
    }

    /// Hands a request to Swift exactly once.
    private func dispatch(_ id: ConnectionID) {
        guard let exchange = serviceState.exchanges[id], !exchange.dispatched else { return }
        serviceState.exchanges[id]!.dispatched = true
        httpContinuation.yield(exchange.request)
    }

    /// Forgets an exchange and gives its body reservation back.
    private func dropExchange(_ id: ConnectionID) {
        guard let exchange = serviceState.exchanges.removeValue(forKey: id) else { return }
        serviceState.limits.releaseBody(exchange.reserved)
    }

    private func httpBody(_ user: UnsafeMutableRawPointer?, _ input: UnsafeMutableRawPointer?, _ length: Int) {
        guard let id = connectionID(user), let exchange = serviceState.exchanges[id] else { return }
        if exchange.lingering {
            serviceState.exchanges[id]!.drained += length
            if exchange.drained + length > Self.lingerBytes {
                serviceState.exchanges[id]!.lingering = false
                lws_set_timeout(exchange.wsi, PENDING_TIMEOUT_HTTP_CONTENT, LWS_TO_KILL_ASYNC)
            }
            return
        }
        guard !exchange.tooLarge, !exchange.dispatched, let input else { return }
        let limit = min(exchange.expectedBody, configuration.bodyLimit(for: exchange.request.path))
        if exchange.request.body.count + length > limit {
            serviceState.exchanges[id]!.tooLarge = true
            serviceState.exchanges[id]!.request.body = []
        } else {
            serviceState.exchanges[id]!.request.body.append(
                contentsOf: UnsafeRawBufferPointer(start: input, count: length))
        }
    }

    private func httpBodyComplete(_ user: UnsafeMutableRawPointer?) {
        guard let id = connectionID(user), let exchange = serviceState.exchanges[id] else { return }
        serviceState.exchanges[id]!.bodyComplete = true
        serviceState.exchanges[id]!.bodyDeadline = nil
        if exchange.lingering {
            lws_set_timeout(exchange.wsi, PENDING_TIMEOUT_HTTP_CONTENT, LWS_TO_KILL_ASYNC)
            return
        }
        if exchange.tooLarge {
            _ = refuseRequest(
                id, status: 413, code: "too_large",
                message: "request body over \(configuration.bodyLimit(for: exchange.request.path)) bytes")
        } else if exchange.cleared {
            dispatch(id)
        }
    }

    /// Cuts off requests whose body is overdue (a client trickling bytes holds a slot and
    /// its reservation for as long as it is allowed to).
    private func sweepOverdueBodies(now: UInt64) {
        for (id, exchange) in serviceState.exchanges {
            guard let deadline = exchange.bodyDeadline, now > deadline else { continue }
            serviceState.exchanges[id]!.bodyDeadline = nil
            lws_set_timeout(exchange.wsi, PENDING_TIMEOUT_HTTP_CONTENT, LWS_TO_KILL_ASYNC)
            if exchange.lingering { continue }
            logger.info(
                "request body too slow; connection closed",
                metadata: [
                    "http.path": "\(exchange.request.path)", "net.client": "\(exchange.request.peer)",
                    "http.body.received": "\(exchange.request.body.count)",
                ])
        }
    }

    private func httpWriteable(_ wsi: OpaquePointer, _ user: UnsafeMutableRawPointer?) -> Int32 {
        guard let id = connectionID(user), var exchange = serviceState.exchanges[id] else { return 0 }
        if exchange.closing {
            // Wait for lws to flush what it holds of the response, then close.
            guard lws_partial_buffered(wsi) == 0 else { return lws_callback_on_writable(wsi) >= 0 ? 0 : -1 }
            return -1
        }
        if exchange.response == nil {
            exchange.response = outbox.withLock { $0.httpResponses.removeValue(forKey: id) }
        }
        guard let response = exchange.response else { return 0 }
        if !exchange.headersSent {
            exchange.headersSent = true
            serviceState.exchanges[id] = exchange
            guard writeHeaders(wsi, response, close: exchange.closeAfter) else { return -1 }
            // HEAD gets the headers (Content-Length included) and never a body.
            if exchange.request.method == "HEAD" { return finishExchange(id, wsi) }
            return lws_callback_on_writable(wsi) >= 0 ? 0 : -1
        }
        let chunk = min(16 * 1024, response.body.count - exchange.bodyOffset)
        let isLast = exchange.bodyOffset + chunk >= response.body.count
        let buffer = serviceState.buffer(atLeast: pre + max(chunk, 1))
        let payload = buffer.baseAddress! + pre
        if chunk > 0 {
            response.body.withUnsafeBytes {
                payload.copyMemory(from: $0.baseAddress! + exchange.bodyOffset, byteCount: chunk)
            }
        }
        let mode = isLast ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP
        if lws_write(wsi, payload.assumingMemoryBound(to: UInt8.self), chunk, mode) < chunk { return -1 }
        if isLast { return finishExchange(id, wsi) }
        serviceState.exchanges[id]!.bodyOffset += chunk
        lws_callback_on_writable(wsi)
        return 0
    }

    /// The response is out: forget the exchange and let lws keep the connection alive, or
    /// close it once the response has left when it must not be reused.
    private func finishExchange(_ id: ConnectionID, _ wsi: OpaquePointer) -> Int32 {
        guard serviceState.exchanges[id]?.closeAfter == true else {
            dropExchange(id)
            return lws_http_transaction_completed(wsi) != 0 ? -1 : 0
        }
        serviceState.limits.releaseBody(serviceState.exchanges[id]!.reserved)
        serviceState.exchanges[id]!.reserved = 0
        serviceState.exchanges[id]!.request.body = []
        guard lws_partial_buffered(wsi) != 0 else { return linger(id, wsi) }
        serviceState.exchanges[id]!.closing = true
        return lws_callback_on_writable(wsi) >= 0 ? 0 : -1
    }

    /// Ends a connection that must not be reused, once its response is out. When the client
    /// may still be sending (a refused upload, a refused framing), closing at once would
    /// answer its bytes with a reset that can destroy the response before the client reads
    /// it; so the server stops writing (the client sees the end), drops whatever still
    /// arrives for a short while (2 s, 2 MiB), and closes when the body is in or either runs out.
    /// Nothing that arrives is buffered or parsed as a request.
    private func linger(_ id: ConnectionID, _ wsi: OpaquePointer) -> Int32 {
        guard let exchange = serviceState.exchanges[id] else { return -1 }
        if exchange.bodyComplete || (exchange.expectedBody == 0 && !exchange.framingRefused) { return -1 }
        _ = shutdown(lws_get_socket_fd(wsi), Int32(SHUT_WR))
        serviceState.exchanges[id]!.lingering = true
        serviceState.exchanges[id]!.bodyDeadline = monotonicMilliseconds() + Self.lingerMilliseconds
        return 0
    }

    /// How long a refused client's remaining bytes are drained before the connection is cut.
    static let lingerMilliseconds: UInt64 = 2000
    /// How much of them: enough for a body just over a limit, far less than a hostile upload.
    static let lingerBytes = 2 * 1024 * 1024

    private func writeHeaders(_ wsi: OpaquePointer, _ response: HTTPResponse, close: Bool) -> Bool {
        let size = 4096
        let buffer = serviceState.buffer(atLeast: pre + size)
        let start = (buffer.baseAddress! + pre).assumingMemoryBound(to: UInt8.self)
        var p: UnsafeMutablePointer<UInt8>? = start
        let end = start + size - 1
        let ok = response.contentType.withCString { type in
            lws_add_http_common_headers(
                wsi, UInt32(response.status), type, lws_filepos_t(response.body.count), &p, end) == 0
        }
        guard ok else { return false }
        var extra = response.headers
        extra.append(("cache-control", "no-store"))
        extra.append(("x-content-type-options", "nosniff"))
        if close { extra.append(("connection", "close")) }
        if configuration.strictTransportSecurity {
            extra.append(("strict-transport-security", "max-age=31536000; includeSubDomains"))
        }
        for (name, value) in extra {
            let added = (name.lowercased() + ":").withCString { cName in
                value.withCString { cValue in
                    lws_add_http_header_by_name(
                        wsi, UnsafeRawPointer(cName).assumingMemoryBound(to: UInt8.self),
                        UnsafeRawPointer(cValue).assumingMemoryBound(to: UInt8.self), Int32(value.utf8.count), &p, end)
                        == 0
                }
            }
            guard added else { return false }
        }
        return lws_finalize_write_http_header(wsi, start, &p, end) == 0
    }
}

/// The text of a NUL-terminated C buffer.
func cString(_ buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
