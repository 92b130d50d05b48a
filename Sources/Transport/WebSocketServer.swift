import CLibWebSockets
import Foundation
import Logging
import Synchronization

/// The libwebsockets server: one context, one service thread, WebSocket and HTTP on the
/// same port. The service thread only moves bytes. Inbound frames go out through
/// `events` and `httpRequests`; outbound frames are queued under a lock by any thread,
/// and the service thread is woken with `lws_cancel_service` to write them, one
/// `lws_write` per writeable callback.
package final class WebSocketServer: @unchecked Sendable {
    // @unchecked: `outbox` is a Mutex; `serviceState` and the C pointers are touched only on the
    // service thread (or before it starts / after it stopped), which lws guarantees for callbacks.

    /// Frames, opens and closes of WebSocket connections, in order.
    package let events: AsyncStream<TransportEvent>
    /// HTTP requests, each to be answered with `respond(to:with:)`.
    package let httpRequests: AsyncStream<HTTPRequest>

    let configuration: TransportConfiguration
    let logger: Logger
    let eventsContinuation: AsyncStream<TransportEvent>.Continuation
    let httpContinuation: AsyncStream<HTTPRequest>.Continuation
    let outbox = Mutex(Outbox())
    /// Runs the hub's jobs on the service thread while it serves (see `ServiceThreadExecutor`).
    package let hubExecutor = ServiceThreadExecutor()
    /// Called on the service thread with each WebSocket event instead of `events`, when set
    /// (before `start()`): the hub takes them in the callback that read them.
    private var eventHandler: ((TransportEvent) -> Void)?
    /// Asked, before a byte of a request's body is read, whether the request may send one:
    /// nil goes on (the body is then read and the request dispatched), a response is sent
    /// instead and the connection closed. Reading is paused while it runs. Nil: no check.
    /// Boxed: a bare closure in a Mutex is re-wrapped in two reabstraction thunks at every
    /// `withLock` (inout through the generic Value), so each read got slower than the last.
    let preflight = Mutex<Preflight?>(nil)

    struct Preflight: Sendable {
        let check: @Sendable (HTTPRequest) async -> HTTPResponse?
    }
    var serviceState = ServiceState()
    /// Refusals counted, and which of them were logged (written on the service thread).
    let refusalLog = Mutex(RefusalLog())
    let pre = Int(dlg_lws_pre())

    private var context: OpaquePointer?
    private var protocols: UnsafeMutablePointer<lws_protocols>?
    private var extensions: UnsafeMutablePointer<lws_extension>?
    private var retryPolicy: UnsafeMutablePointer<lws_retry_bo_t>?
    private let stopper = UnsafeMutablePointer<dlg_lws_stopper>.allocate(capacity: 1)
    /// The loop actually in use (poll when the libev plugin could not be loaded).
    package private(set) var eventLoop: TransportConfiguration.EventLoop = .poll
    private var cStrings: [UnsafeMutablePointer<CChar>] = []
    private let stopped = DispatchSemaphore(value: 0)
    private let exitRequested = Atomic<Bool>(false)
    private var boundPort: Int = 0
    private var stopScheduled = false
    private var timerKick: DispatchSourceTimer?
    /// The context while it may be woken from other threads; cleared (under the lock) before
    /// it is destroyed, so no wake-up can reach a freed context.
    private let liveContext = Mutex<UInt>(0)  // the pointer's bits: OpaquePointer is not Sendable

    package init(configuration: TransportConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        stopper.initialize(to: dlg_lws_stopper())
        (events, eventsContinuation) = AsyncStream.makeStream(of: TransportEvent.self)
        (httpRequests, httpContinuation) = AsyncStream.makeStream(of: HTTPRequest.self)
    }

    /// The port actually bound (useful with port 0).
    package var port: Int { boundPort }

    /// Creates the context, binds the port and starts the service thread.
    package func start() throws(TransportError) {
        installLogger(logger)
        protocols = .allocate(capacity: 2)
        protocols!.initialize(repeating: lws_protocols(), count: 2)
        protocols![0].name = UnsafePointer(keep("dialogue"))
        protocols![0].callback = dialogueCallback
        protocols![0].per_session_data_size = MemoryLayout<UInt64>.size
        protocols![0].rx_buffer_size = 4096
        protocols![0].tx_packet_size = 0

        var info = lws_context_creation_info()
        info.port = Int32(configuration.port)
        info.iface = UnsafePointer(keep(configuration.host))
        info.protocols = UnsafePointer(protocols)
        info.user = Unmanaged.passUnretained(self).toOpaque()
        info.options = UInt64(LWS_SERVER_OPTION_VALIDATE_UTF8) | UInt64(LWS_SERVER_OPTION_DISABLE_IPV6)
        if configuration.host.contains(":") { info.options &= ~UInt64(LWS_SERVER_OPTION_DISABLE_IPV6) }
        info.max_http_header_data = 4096
        info.server_string = UnsafePointer(keep("dialogue-server"))
        // Headers (and TLS handshakes) must be complete within the request deadline.
        info.timeout_secs = UInt32(max(1, configuration.requestTimeout))
        info.timeout_secs_ah_idle = UInt32(max(1, configuration.requestTimeout))
        serviceState.limits = ConnectionLimits(
            maxConnections: Self.connectionCap(configuration.maxConnections, logger: logger),
            maxPerAddress: configuration.maxConnectionsPerAddress, bodyBudget: configuration.bodyMemoryBudget)
        info.keepalive_timeout = 30

        // lws's own idle pings keep one timer per connection in a sorted list that every frame
        // re-inserts into: O(connections) per message. They are switched off (all zero) and
        // `IdleSweep` pings idle connections instead, once a second, in O(1) per frame.
        retryPolicy = .allocate(capacity: 1)
        retryPolicy!.initialize(to: lws_retry_bo_t())
        info.retry_and_idle_policy = UnsafePointer(retryPolicy)

        if configuration.usesTLS {
            info.options |= UInt64(LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT)
            info.ssl_cert_filepath = UnsafePointer(keep(configuration.tlsCertificatePath!))
            info.ssl_private_key_filepath = UnsafePointer(keep(configuration.tlsKeyPath!))
            info.alpn = UnsafePointer(keep("http/1.1"))
            // TLS 1.2 and 1.3 only, forward-secret AEAD suites only (Mozilla's "intermediate"
            // list without DHE), the server's preference first; no compression (CRIME).
            info.ssl_cipher_list = UnsafePointer(keep(Self.tls12Ciphers))
            info.tls1_3_plus_cipher_list = UnsafePointer(keep(Self.tls13Ciphers))
            info.ssl_options_set = dlg_tls_server_options()
        }
        if configuration.deflate {
            extensions = .allocate(capacity: 2)
            extensions!.initialize(repeating: lws_extension(), count: 2)
            extensions![0].name = UnsafePointer(keep("permessage-deflate"))
            extensions![0].callback = lws_extension_callback_pm_deflate
            extensions![0].client_offer = UnsafePointer(
                keep("permessage-deflate; client_no_context_takeover; server_no_context_takeover"))
            info.extensions = UnsafePointer(extensions)
        }

        info.signal_cb = forwardInterrupt
        var created: OpaquePointer?
        if configuration.eventLoop == .libev {
            info.options |= UInt64(LWS_SERVER_OPTION_LIBEV)
            created = lws_create_context(&info)
            if created == nil {
                logger.warning("libev event loop unavailable (package libwebsockets-evlib-ev?); using poll")
                info.options &= ~UInt64(LWS_SERVER_OPTION_LIBEV)
            } else {
                eventLoop = .libev
            }
        }
        if created == nil { created = lws_create_context(&info) }
        guard let context = created else {
            release()
            throw .startFailed(
                "libwebsockets could not listen on \(configuration.host):\(configuration.port) (port in use, bad address, or unreadable TLS files)"
            )
        }
        self.context = context
        liveContext.withLock { $0 = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(context))) }
        boundPort = Int(lws_get_vhost_listen_port(lws_get_vhost_by_name(context, "default")))
        if boundPort == 0 { boundPort = configuration.port }
        startTimerKick()
        let thread = Thread { [self] in serviceLoop() }
        thread.name = "lws-service"
        thread.start()
    }

    /// Hands every WebSocket event to `handler` on the service thread, in the callback that
    /// produced it, instead of to `events`. Set before `start()`.
    package func setEventHandler(_ handler: @escaping (TransportEvent) -> Void) {
        precondition(context == nil, "the event handler is set before the transport starts")
        eventHandler = handler
    }

    /// An event for the hub: to the handler when there is one, else into `events`.
    func deliver(_ event: TransportEvent) {
        if let eventHandler {
            eventHandler(event)
        } else {
            eventsContinuation.yield(event)
        }
    }

    private func serviceLoop() {
        guard let context else { return }
        Thread.current.name = "lws-service"  // set from inside, so the OS sees it (top, perf, /proc)
        hubExecutor.serviceThreadStarted { [weak self] in self?.wakeServiceThread() }
        switch eventLoop {
        case .libev:
            // lws_service runs libev's loop until `stop()` has the context destroyed from inside it.
            while lws_service(context, 0) == 0 {}
        case .poll:
            while !exitRequested.load(ordering: .acquiring) {
                if lws_service(context, 0) < 0 { break }
            }
        }
        liveContext.withLock { $0 = 0 }
        lws_context_destroy(context)
        // No callback runs any more: the hub's jobs go back to the fallback queue.
        hubExecutor.serviceThreadStopped()
        eventsContinuation.finish()
        httpContinuation.finish()
        release()
        stopped.signal()
    }

    /// Queues a text frame for a connection. Safe from any thread; never blocks on I/O.
    package func send(_ frame: [UInt8], to id: ConnectionID) {
        let wake = outbox.withLock { $0.claimWake($0.enqueue(frame, for: id, limit: configuration.maxQueuedBytes)) }
        if wake { wakeServiceThread() }
    }

    /// Queues the same frame for many connections (shares one buffer).
    package func send(_ frame: [UInt8], to ids: some Sequence<ConnectionID>) {
        let wake = outbox.withLock { box in
            var any = false
            for id in ids where box.enqueue(frame, for: id, limit: configuration.maxQueuedBytes) { any = true }
            return box.claimWake(any)
        }
        if wake { wakeServiceThread() }
    }

    /// Closes a connection after the frames already queued for it are written.
    package func close(_ id: ConnectionID, code: UInt16, reason: String) {
        let wake = outbox.withLock { $0.claimWake($0.requestClose(id, code: code, reason: reason)) }
        if wake { wakeServiceThread() }
    }

    /// Answers an HTTP request.
    package func respond(to id: ConnectionID, with response: HTTPResponse) {
        let wake = outbox.withLock { box in
            box.httpResponses[id] = response
            box.wantsWrite.insert(id)
            return box.claimWake(true)
        }
        if wake { wakeServiceThread() }
    }

    /// Sets the check run on a request's headers before its body is read (see `preflight`).
    package func setPreflight(_ check: @escaping @Sendable (HTTPRequest) async -> HTTPResponse?) {
        preflight.withLock { $0 = Preflight(check: check) }
    }

    /// Stops accepting new connections and closes every open WebSocket with `code`.
    package func closeAll(code: UInt16, reason: String) {
        outbox.withLock {
            $0.closeAll = (code, reason); $0.draining = true
        }
        wakeServiceThread()
    }

    /// Bytes queued for a connection and not yet written; nil once it is closed. Producers
    /// of bulk output (history) wait on this, so a slow reader paces them.
    package func queuedBytes(for id: ConnectionID) -> Int? {
        outbox.withLock { $0.frames[id]?.queuedBytes }
    }

    /// Refusals of each kind since start: full server or address, refused upgrades and requests.
    package var refusalCounts: [RefusalLog.Kind: Int] { refusalLog.withLock { $0.totals } }

    /// Number of open WebSocket connections (read under the lock).
    package var openConnections: Int { outbox.withLock { $0.openCount } }

    /// Stops the service thread and destroys the context; waits until it is gone.
    package func stop() {
        guard context != nil, !exitRequested.exchange(true, ordering: .acquiringAndReleasing) else { return }
        timerKick?.cancel()
        wakeServiceThread()
        stopped.wait()
    }

    /// Wakes the service thread four times a second: for the idle sweep, and because lws
    /// 4.1's libev plugin only runs its timers (handshake and keep-alive time-outs) when the
    /// loop wakes for some other reason, so an idle server would never time anything out.
    private func startTimerKick() {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "lws-timer-kick"))
        timer.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250))
        timer.setEventHandler { [weak self] in self?.wakeServiceThread() }
        timer.resume()
        timerKick = timer
    }

    /// Whether `stop()` was called.
    var exitIsRequested: Bool { exitRequested.load(ordering: .acquiring) }

    /// On the service thread: destroy the context from a timer, which ends libev's loop.
    func scheduleStop() {
        guard let context, !stopScheduled else { return }
        stopScheduled = true
        liveContext.withLock { $0 = 0 }  // no wake-up may reach the context once it is being destroyed
        dlg_lws_schedule_stop(stopper, context)
    }

    func wakeServiceThread() {
        liveContext.withLock { address in
            if let context = OpaquePointer(bitPattern: address) { lws_cancel_service(context) }
        }
    }

    private func keep(_ s: String) -> UnsafeMutablePointer<CChar> {
        let c = strdup(s)!
        cStrings.append(c)
        return c
    }

    private func release() {
        for c in cStrings { free(c) }
        cStrings.removeAll()
        protocols?.deallocate()
        protocols = nil
        extensions?.deallocate()
        extensions = nil
        retryPolicy?.deallocate()
        retryPolicy = nil
    }
}

extension WebSocketServer {
    /// TLS 1.2 suites offered: ECDHE key exchange with AES-GCM or ChaCha20-Poly1305.
    static let tls12Ciphers =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
        + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
    /// TLS 1.3 suites offered.
    static let tls13Ciphers = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"

    /// The connection cap actually used: the one asked for, but never so high that accepting
    /// would run out of file descriptors (lws needs a few for itself, the store some more).
    static func connectionCap(_ wanted: Int, logger: Logger) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return wanted }
        let room = Int(clamping: limit.rlim_cur) - 256 - ConnectionLimits.answeredOverflow
        guard wanted > room, room > 0 else { return wanted }
        logger.warning(
            "connection cap lowered to fit the descriptor limit",
            metadata: ["net.max_connections": "\(room)", "net.nofile": "\(limit.rlim_cur)"])
        return room
    }
}

/// libev's loop takes SIGINT for itself; hand it back to the process as SIGTERM, which the
/// command line's graceful shutdown handles (the contract treats both alike).
private func forwardInterrupt(_ handle: UnsafeMutableRawPointer?, _ signal: Int32) {
    kill(getpid(), SIGTERM)
}

/// Why the transport could not start.
package enum TransportError: Error, Sendable, CustomStringConvertible {
    /// lws_create_context failed.
    case startFailed(String)
    package var description: String {
        switch self {
        case .startFailed(let reason): return reason
        }
    }
}

extension WebSocketServer {
    /// Refuses new connections from now on; open ones stay.
    package func refuseNewConnections() {
        outbox.withLock { $0.draining = true }
    }
}
