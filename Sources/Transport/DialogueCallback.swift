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
            return outbox.withLock { $0.draining } ? 1 : 0
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
            if let id = connectionID(user) { serviceState.exchanges[id] = nil }
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

    // MARK: WebSocket

    /// Writes a complete HTTP/1.1 refusal by hand: at this stage lws would answer HTTP/1.0,
    /// which WebSocket clients reject as "not a valid response".
    private func writeRawRefusal(_ wsi: OpaquePointer, status: Int, reason: String) -> Int32 {
        let phrase = status == 404 ? "Not Found" : "Forbidden"
        let code = status == 404 ? "not_found" : "forbidden"
        let body = #"{"error":{"code":"\#(code)","message":"\#(reason)"}}"#
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
            logger.info("upgrade refused", metadata: ["http.path": "\(path)", "reason": "wrong path"])
            return (404, "WebSockets are served at \(configuration.webSocketPath) only")
        }
        // The allow-list guards against other web pages' scripts (cross-site WebSocket
        // hijacking); browsers always send Origin, so a request without one is not from a
        // page and is let through (native and command-line clients send none).
        if !configuration.allowedOrigins.isEmpty, let origin = header(wsi, WSI_TOKEN_ORIGIN) {
            guard configuration.allowedOrigins.contains(origin) else {
                logger.info("upgrade refused", metadata: ["http.origin": "\(origin)", "reason": "origin not allowed"])
                return (403, "origin not allowed")
            }
        }
        return nil
    }

    private func opened(_ wsi: OpaquePointer, _ user: UnsafeMutableRawPointer?) {
        let id = serviceState.newID()
        user?.storeBytes(of: id.raw, as: UInt64.self)
        serviceState.sockets[id] = WebSocketSlot(wsi: wsi, lastHeard: monotonicMilliseconds())
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
        eventsContinuation.yield(.opened(id, peer: peer(wsi)))
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
            eventsContinuation.yield(.message(id, message))
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
        if serviceState.sockets.removeValue(forKey: id)?.echo == true { return }
        outbox.withLock { box in
            box.frames[id] = nil
            box.wantsWrite.remove(id)
            box.openCount -= 1
        }
        eventsContinuation.yield(.closed(id))
    }

    private func wokenUp() {
        sweepIdle()
        let ids = outbox.withLock { box -> Set<ConnectionID> in
            box.wakePending = false
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
        let expected = Int(headers["content-length"] ?? "") ?? 0
        let request = HTTPRequest(
            id: id, method: method, path: path, queryFragments: fragments, headers: headers, body: [], peer: peer(wsi))
        var exchange = HTTPExchange(wsi: wsi, request: request, expectedBody: expected)
        if expected > configuration.bodyLimit(for: path) {
            exchange.tooLarge = true
        }
        serviceState.exchanges[id] = exchange
        if exchange.tooLarge {
            respondTooLarge(id)
        } else if expected == 0 {
            dispatch(id)
        }  // else: dispatched once the body is complete, whatever the method
        return 0
    }

    /// Hands a request to Swift exactly once.
    private func dispatch(_ id: ConnectionID) {
        guard let exchange = serviceState.exchanges[id], !exchange.dispatched else { return }
        serviceState.exchanges[id]!.dispatched = true
        httpContinuation.yield(exchange.request)
    }

    private func httpBody(_ user: UnsafeMutableRawPointer?, _ input: UnsafeMutableRawPointer?, _ length: Int) {
        guard let id = connectionID(user), let exchange = serviceState.exchanges[id], !exchange.tooLarge,
            let input
        else { return }
        if exchange.request.body.count + length > configuration.bodyLimit(for: exchange.request.path) {
            serviceState.exchanges[id]!.tooLarge = true
            serviceState.exchanges[id]!.request.body = []
        } else {
            serviceState.exchanges[id]!.request.body.append(
                contentsOf: UnsafeRawBufferPointer(start: input, count: length))
        }
    }

    private func httpBodyComplete(_ user: UnsafeMutableRawPointer?) {
        guard let id = connectionID(user), let exchange = serviceState.exchanges[id] else { return }
        if exchange.tooLarge {
            respondTooLarge(id)
        } else {
            dispatch(id)
        }
    }

    private func respondTooLarge(_ id: ConnectionID) {
        guard let exchange = serviceState.exchanges[id], !exchange.dispatched else { return }
        serviceState.exchanges[id]!.dispatched = true
        let limit = configuration.bodyLimit(for: exchange.request.path)
        let body = #"{"error":{"code":"too_large","message":"request body over \#(limit) bytes"}}"#
        outbox.withLock { box in
            box.httpResponses[id] = HTTPResponse(status: 413, contentType: "application/json", body: Array(body.utf8))
            box.wantsWrite.insert(id)
        }
        if let exchange = serviceState.exchanges[id] { lws_callback_on_writable(exchange.wsi) }
    }

    private func httpWriteable(_ wsi: OpaquePointer, _ user: UnsafeMutableRawPointer?) -> Int32 {
        guard let id = connectionID(user), var exchange = serviceState.exchanges[id] else { return 0 }
        if exchange.response == nil {
            exchange.response = outbox.withLock { $0.httpResponses.removeValue(forKey: id) }
        }
        guard let response = exchange.response else { return 0 }
        if !exchange.headersSent {
            exchange.headersSent = true
            serviceState.exchanges[id] = exchange
            guard writeHeaders(wsi, response) else { return -1 }
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

    /// The response is out: forget the exchange and let lws keep the connection alive.
    private func finishExchange(_ id: ConnectionID, _ wsi: OpaquePointer) -> Int32 {
        serviceState.exchanges[id] = nil
        return lws_http_transaction_completed(wsi) != 0 ? -1 : 0
    }

    private func writeHeaders(_ wsi: OpaquePointer, _ response: HTTPResponse) -> Bool {
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
