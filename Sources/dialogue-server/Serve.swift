import ArgumentParser
import Dialogue
import DialogueServer
import Foundation
import Logging
import Mail
import Scheduling
import ServiceLifecycle

/// `serve`: runs the server in the foreground until SIGINT or SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server in the foreground.")

    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to bind; 0 picks a free one.") var port = 8080
    @OptionGroup var data: DataOptions
    @Option(
        help: "postgres://USER[:PASSWORD]@HOST[:PORT]/DB: keep events, staff and invites in PostgreSQL, shared by several nodes (env DIALOGUE_STORE); SQLite in --data when absent.")
    var store: String?
    @Option(help: "Transcript signing key file (env DIALOGUE_SIGNING_KEY); nodes sharing a store share it. Default: in --data.")
    var signingKey: String?
    @Option(help: "Sign a checkpoint of a live session's chain once this many of its events are unsigned.")
    var checkpointEvents = 64
    @Option(help: "…or once its oldest unsigned event is this many seconds old.") var checkpointSeconds: Double = 30
    @Option(help: "With --store: seconds between this node's heartbeats; a node silent for three is taken for dead.")
    var nodeHeartbeat: Double = 5
    @Option(help: "Folder of agent packs.") var agents = "Agents"
    @Option(help: "Base URL people reach the server at (for invite links).") var publicURL: String?
    @Option(help: "Origin allowed to open WebSockets (repeatable), besides the server's own (Host, --public-url).")
    var allowOrigin: [String] = []
    @Option(help: "CIDR of a reverse proxy whose forwarding header names the client (repeatable).")
    var trustedProxy: [String] = []
    @Option(help: "Header the trusted proxies name the client in: x-forwarded-for or forwarded (the other is ignored).")
    var forwardedHeader = "x-forwarded-for"
    @Option(help: "Most connections at once; more are answered 503 / close 1013 (default 16000).")
    var maxConnections: Int?
    @Option(help: "Most connections from one client address at once (default 256).")
    var maxConnectionsPerAddress: Int?
    @Option(help: "MiB of request bodies buffered at once across all requests; more get 503 (default 64).")
    var maxBodyMemory: Int?
    @Option(help: "Seconds for a request's headers; its body gets this plus 1 s per 64 KiB (default 20).")
    var requestTimeout: Int?
    @Option(help: "Frame limit per participant, all its sockets together: R/s,B or off.") var rateLimit = "10/s,50"
    @Option(help: "Frame limit per session, all participants together: R/s,B or off (default: 5 × --rate-limit).")
    var sessionRateLimit: String?
    @Option(help: "Sockets one invite may have open at once on this node.") var inviteConnections = 3
    @Option(help: "Calls to each provider (translator, LLM) running at once.") var providerConcurrency = 4
    @Option(help: "Calls to each provider waiting for a slot; more questions get rate_limited, more translations are dropped.")
    var providerQueue = 32
    @Option(help: "PEM certificate, to serve https and wss.") var tlsCert: String?
    @Option(help: "PEM private key for --tls-cert.") var tlsKey: String?
    @Flag(help: "Offer permessage-deflate (without context takeover).") var deflate = false
    @Option(help: "Seconds a new connection has to send hello.") var helloTimeout: Double = 10
    @Option(help: "Idle seconds before the server pings a connection.") var pingInterval = 30
    @Flag(help: "Serve /metrics to non-loopback peers too.") var metricsPublic = false
    @Option(help: "Group commit: longest wait in milliseconds for more events.") var commitIntervalMs = 1
    @Option(help: "Group commit: most events per transaction.") var commitBatch = 512
    @Option(help: "Socket event loop: libev (epoll) or poll.") var eventLoop = "libev"
    @Flag(help: "Also serve a WebSocket echo at /echo, for the Autobahn conformance suite.") var conformanceEcho = false
    @Option(help: "Machine translation: libretranslate:URL or openai:URL (env DIALOGUE_TRANSLATOR); off when absent.")
    var translator: String?
    @Option(help: "Model name for --translator openai:URL (env DIALOGUE_TRANSLATOR_MODEL).") var translatorModel: String?
    @Option(help: "LLM answering from the passages: openai:URL (env DIALOGUE_LLM); extractive answers when absent.")
    var llm: String?
    @Option(help: "Model name for --llm (env DIALOGUE_LLM_MODEL).") var llmModel: String?
    @Option(help: "Seconds a translation request may take (env DIALOGUE_TRANSLATOR_TIMEOUT; default 8).")
    var translatorTimeout: Double?
    @Option(help: "Seconds an answer request to --llm may take (env DIALOGUE_LLM_TIMEOUT; default 20).")
    var llmTimeout: Double?
    @Option(help: "Serve the web client from this folder, re-read on every request (for editing the pages).")
    var webRoot: String?
    @Option(help: "Clear ended sessions older than N days (fractions allowed): texts redacted, investors erased, signed heads kept.")
    var retentionDays: Double?
    @Option(help: "Send mail through this SMTP server: smtp://[user:pass@]host[:port] (STARTTLS when offered) or smtps://… (env DIALOGUE_SMTP).")
    var smtp: String?
    @Option(help: "Send mail through this sendmail-compatible program (such as msmtp). Default: mail is kept as files in DATA/mail (a Maildir).")
    var sendmail: String?
    @Option(help: "Sender of meeting mails (default: meetings@ the --public-url host, or @dialogue.invalid without one).")
    var mailFrom: String?
    @Option(help: "Reminders before a meeting starts: offsets such as 24h,15m (units d, h, m), or none.")
    var reminders = "24h,15m"
    @Option(help: "Seconds between two looks at the calendar (sessions to open, reminders due).")
    var calendarTick: Double = 15
    @Option(help: "Seconds a node holds a mail it is sending before another node may send it again.")
    var mailLease: Double = 1200
    @Option(help: "Seconds before a refused mail is first tried again (then doubling, up to an hour).")
    var mailRetrySeconds: Double = 30

    /// A provider's request timeout from its flag or variable: a positive number of seconds.
    func providerTimeout(_ value: Double?, _ variable: String, flag: String) -> TimeInterval? {
        let environment = ProcessInfo.processInfo.environment
        guard let seconds = value ?? environment[variable].flatMap(Double.init) else {
            if let text = environment[variable], !text.isEmpty { fail("\(variable): \"\(text)\" is not a number of seconds", code: 2) }
            return nil
        }
        guard seconds > 0, seconds <= 600 else { fail("\(flag): seconds between 0 and 600, not \(seconds)", code: 2) }
        return seconds
    }

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if port < 0 || port > 65535 { throw ValidationError("--port must be between 0 and 65535") }
        do { _ = try RateLimiter.Policy.parse(rateLimit) } catch { throw ValidationError(error.message) }
        if let sessionRateLimit {
            do { _ = try RateLimiter.Policy.parse(sessionRateLimit) } catch {
                throw ValidationError("--session-rate-limit: \(error.message)")
            }
        }
        if inviteConnections < 1 { throw ValidationError("--invite-connections must be at least 1") }
        if providerConcurrency < 1 || providerQueue < 0 {
            throw ValidationError("--provider-concurrency ≥ 1 and --provider-queue ≥ 0")
        }
        if !["libev", "poll"].contains(eventLoop) { throw ValidationError("--event-loop must be libev or poll") }
        if let retentionDays, !(retentionDays >= 0) { throw ValidationError("--retention-days must be a number ≥ 0") }
        if helloTimeout <= 0 { throw ValidationError("--hello-timeout must be positive") }
        if let error = ServerConfiguration.forwardedHeaderError(forwardedHeader) { throw ValidationError(error) }
        for proxy in trustedProxy {
            if let error = ServerConfiguration.trustedProxyError(proxy) { throw ValidationError(error) }
        }
        if let n = maxConnections, n < 1 { throw ValidationError("--max-connections must be at least 1") }
        if let n = maxConnectionsPerAddress, n < 1 {
            throw ValidationError("--max-connections-per-address must be at least 1")
        }
        if let n = maxBodyMemory, !(1...65536).contains(n) {
            throw ValidationError("--max-body-memory must be 1 to 65536 MiB")
        }
        if let n = requestTimeout, !(1...3600).contains(n) {
            throw ValidationError("--request-timeout must be 1 to 3600 seconds")
        }
        if !(0.1...3600).contains(nodeHeartbeat) { throw ValidationError("--node-heartbeat must be 0.1 to 3600 seconds") }
        if checkpointEvents < 1 { throw ValidationError("--checkpoint-events must be at least 1") }
        if !(0.1...86400).contains(checkpointSeconds) {
            throw ValidationError("--checkpoint-seconds must be 0.1 to 86400 seconds")
        }
        if commitBatch < 1 || commitIntervalMs < 0 {
            throw ValidationError("--commit-batch ≥ 1 and --commit-interval-ms ≥ 0")
        }
        if smtp != nil && sendmail != nil { throw ValidationError("--smtp and --sendmail: choose one") }
        if !(0.05...3600).contains(calendarTick) { throw ValidationError("--calendar-tick must be 0.05 to 3600 seconds") }
        if !(1...86400).contains(mailLease) { throw ValidationError("--mail-lease must be 1 to 86400 seconds") }
        if !(0.1...3600).contains(mailRetrySeconds) {
            throw ValidationError("--mail-retry-seconds must be 0.1 to 3600 seconds")
        }
        do { _ = try ReminderPlan.parse(reminders) } catch { throw ValidationError("--reminders: \(error)") }
        if let mailFrom {
            do { _ = try MailAddress(parsing: mailFrom) } catch {
                throw ValidationError("--mail-from \(mailFrom.debugDescription): \(error)")
            }
        }
    }

    func run() async throws {
        let logger = Logs.bootstrap()
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.dataDirectory = data.data
        let environment = ProcessInfo.processInfo.environment
        configuration.storeURL = (store ?? environment["DIALOGUE_STORE"]).flatMap { $0.isEmpty ? nil : $0 }
        configuration.signingKeyPath = (signingKey ?? environment["DIALOGUE_SIGNING_KEY"]).flatMap { $0.isEmpty ? nil : $0 }
        configuration.checkpointEvents = checkpointEvents
        configuration.checkpointInterval = .milliseconds(Int64(checkpointSeconds * 1000))
        configuration.nodeHeartbeat = .milliseconds(Int64(nodeHeartbeat * 1000))
        configuration.agentsDirectory = agents
        configuration.publicURL = publicURL
        configuration.allowedOrigins = allowOrigin
        configuration.trustedProxies = trustedProxy
        configuration.setForwardedHeader(forwardedHeader)
        configuration.maxConnections = maxConnections
        configuration.maxConnectionsPerAddress = maxConnectionsPerAddress
        configuration.maxBodyMemory = maxBodyMemory.map { $0 * 1024 * 1024 }
        configuration.requestTimeout = requestTimeout
        configuration.rateLimit = try RateLimiter.Policy.parse(rateLimit)
        configuration.sessionRateLimit =
            try sessionRateLimit.map(RateLimiter.Policy.parse)
            ?? configuration.rateLimit.map { RateLimiter.Policy(perSecond: $0.perSecond * 5, burst: $0.burst * 5) }
        configuration.connectionsPerInvite = inviteConnections
        configuration.providerConcurrency = providerConcurrency
        configuration.providerQueue = providerQueue
        configuration.tlsCertificate = tlsCert
        configuration.tlsKey = tlsKey
        configuration.deflate = deflate
        configuration.helloTimeout = helloTimeout
        configuration.pingInterval = pingInterval
        configuration.metricsPublic = metricsPublic
        configuration.commitInterval = .milliseconds(commitIntervalMs)
        configuration.commitBatch = commitBatch
        configuration.eventLoop = eventLoop
        configuration.conformanceEcho = conformanceEcho
        configuration.webRoot = webRoot
        configuration.retentionDays = retentionDays
        // The flags first; DIALOGUE_SMTP only when neither is given.
        if let sendmail {
            configuration.mail = .sendmail(sendmail)
        } else if let url = smtp ?? environment["DIALOGUE_SMTP"].flatMap({ $0.isEmpty ? nil : $0 }) {
            configuration.mail = .smtp(url)
        }
        configuration.mailFrom = mailFrom
        configuration.reminders = try ReminderPlan.parse(reminders)
        configuration.calendarTick = .milliseconds(Int64(calendarTick * 1000))
        configuration.mailLease = mailLease
        configuration.mailRetry = mailRetrySeconds
        if let spec = translator ?? environment["DIALOGUE_TRANSLATOR"], !spec.isEmpty {
            switch ProviderSettings.parse(
                spec, model: translatorModel ?? environment["DIALOGUE_TRANSLATOR_MODEL"],
                apiKey: environment["DIALOGUE_TRANSLATOR_KEY"])
            {
            case .success(var settings):
                settings.timeout = providerTimeout(translatorTimeout, "DIALOGUE_TRANSLATOR_TIMEOUT", flag: "--translator-timeout")
                configuration.translator = settings
            case .failure(let error): fail("--translator: " + error.reason, code: 2)
            }
        }
        if let spec = llm ?? environment["DIALOGUE_LLM"], !spec.isEmpty {
            switch ProviderSettings.parse(
                spec, model: llmModel ?? environment["DIALOGUE_LLM_MODEL"], apiKey: environment["DIALOGUE_LLM_KEY"])
            {
            case .success(var settings) where settings.kind == .openai:
                settings.timeout = providerTimeout(llmTimeout, "DIALOGUE_LLM_TIMEOUT", flag: "--llm-timeout")
                configuration.llm = settings
            case .success: fail("--llm takes openai:URL (an OpenAI-compatible chat-completions server)", code: 2)
            case .failure: fail("--llm takes openai:URL (an OpenAI-compatible chat-completions server)", code: 2)
            }
        }

        // One group for the whole run, with the signals trapped before anything is opened or
        // printed (a parent may signal at once); a signal during start-up stops the server as
        // soon as it has started, as one while serving does.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [Server(configuration: configuration, logger: logger)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// The server as the command's one service: opens and starts it, prints what a parent reads
/// (`url:`, then `officer-token:` on a fresh database), and serves until the group shuts down.
struct Server: Service {
    let configuration: ServerConfiguration
    let logger: Logger

    func run() async throws {
        let app: DialogueServerApp
        let started: DialogueServerApp.Started
        do {
            app = try await DialogueServerApp.open(configuration: configuration, logger: logger)
            started = try await app.start()
        } catch {
            fail("cannot start: \(error)")
        }
        printLine("url: \(started.listenURL)/")
        if let token = started.officerToken { printLine("officer-token: \(token)") }
        try await app.run()
    }
}
