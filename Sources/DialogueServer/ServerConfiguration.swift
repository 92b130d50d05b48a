import Dialogue
import Foundation
import Scheduling
import Transport

/// Everything `serve` can be told, with the contract's defaults. The command line fills
/// it in (`dialogue-server/Serve.swift`); tests build it directly.
package struct ServerConfiguration: Sendable {
    /// Address to bind.
    package var host = "127.0.0.1"
    /// Port; 0 picks a free one.
    package var port = 8080
    /// Database, signing key and exported transcripts.
    package var dataDirectory = "Transcripts"
    /// `postgres://…`: events, staff, invites and the rest in PostgreSQL, shared with other
    /// nodes; nil keeps them in SQLite in `dataDirectory`.
    package var storeURL: String?
    /// The transcript signing key's file, when not `signing-key.ed25519` in `dataDirectory`
    /// (nodes sharing a store must share the key).
    package var signingKeyPath: String?
    /// A live session's chain is signed (a checkpoint) once this many events are unsigned…
    package var checkpointEvents = 64
    /// …or once its oldest unsigned event is this old (docs/transcripts.md, "Checkpoints").
    package var checkpointInterval: Duration = .seconds(30)
    /// Time between a node's heartbeats to a shared store; a node silent for three is taken
    /// for dead and its participants shown offline.
    package var nodeHeartbeat: Duration = .seconds(5)
    /// Agent packs.
    package var agentsDirectory = "Agents"
    /// Base of links given to people (invite `joinUrl`); defaults to the bound URL.
    package var publicURL: String?
    /// Origins allowed for WebSockets besides the server's own (its `Host` and `publicURL`).
    package var allowedOrigins: [String] = []
    /// CIDR blocks of reverse proxies whose `Forwarded` / `X-Forwarded-For` name the client.
    package var trustedProxies: [String] = []
    /// The one header the trusted proxies name the client in (`--forwarded-header`); the
    /// other is never read, since a proxy passes a client's own copy of it on unchanged.
    package var forwardedHeader: ClientAddressResolver.ForwardedHeader = .xForwardedFor
    /// Most connections at once; nil keeps the transport's default (16,000).
    package var maxConnections: Int?
    /// Most connections from one client address; nil keeps the transport's default (256).
    package var maxConnectionsPerAddress: Int?
    /// Request-body bytes buffered at once across all requests; nil: the default (64 MiB).
    package var maxBodyMemory: Int?
    /// Seconds for a request's headers, and the base of its body's deadline; nil: 20.
    package var requestTimeout: Int?
    /// Frame limit per participant, shared by all its sockets on this node; nil when `off`.
    package var rateLimit: RateLimiter.Policy? = .standard
    /// Frame limit per session, all its participants together; nil when `off`. Five times
    /// the participant limit by default: a meeting of a few speakers never meets it, one
    /// participant's many invites cannot flood it.
    package var sessionRateLimit: RateLimiter.Policy? = RateLimiter.Policy(perSecond: 50, burst: 250)
    /// Sockets one invite may have open on this node at once; one more is refused
    /// (`rate_limited`, close 1013). Three: a phone, a laptop, and a reconnect overlapping
    /// a socket not yet known to be dead.
    package var connectionsPerInvite = 3
    /// Calls to each provider (translator, LLM) running at once.
    package var providerConcurrency = 4
    /// Calls to each provider waiting for a slot; beyond them a question is refused
    /// (`rate_limited`) and a translation dropped (`dialogue_provider_dropped_total`).
    package var providerQueue = 32
    /// PEM certificate for https/wss.
    package var tlsCertificate: String?
    /// PEM private key for https/wss.
    package var tlsKey: String?
    /// Offer permessage-deflate.
    package var deflate = false
    /// Seconds a new connection has to send `hello`.
    package var helloTimeout: Double = 10
    /// Idle seconds before a ping.
    package var pingInterval = 30
    /// Serve `/metrics` to non-loopback peers too.
    package var metricsPublic = false
    /// Group commit: longest wait for more events.
    package var commitInterval: Duration = .milliseconds(1)
    /// Group commit: most events in one transaction.
    package var commitBatch = 512
    /// Failed sign-ins (WebSocket `hello` or HTTP bearer token) per peer address and minute
    /// answered at once; later ones are answered after a second (valid tokens always pass).
    package var signInFailuresPerMinute = 20

    /// Ended sessions older than this many days (fractions allowed) are cleared by the
    /// retention policy (docs/transcripts.md, "Retention"); nil keeps everything.
    package var retentionDays: Double?

    /// Serve the Autobahn echo endpoint at `/echo` (off by default).
    package var conformanceEcho = false

    /// Serve the web client from this folder, read on every request (for working on the
    /// pages); nil serves the copy built into the binary.
    package var webRoot: String?

    /// The transport's event loop: libev (default) or lws's own poll loop.
    package var eventLoop = "libev"
    /// Machine translation of whole messages; none by default.
    package var translator: ProviderSettings?
    /// An OpenAI-compatible chat-completions server composing answers; none by default.
    package var llm: ProviderSettings?
    /// How mail leaves the server (docs/mail.md).
    package var mail: MailDelivery = .maildir(nil)
    /// The sender of meeting mails; `meetings@` the public host when nil.
    package var mailFrom: String?
    /// When reminders go out before a meeting (`--reminders`, default 24 h and 15 min).
    package var reminders = ReminderPlan()
    /// How often scheduled sessions are opened and reminders looked for.
    package var calendarTick: Duration = .seconds(15)
    /// How long a node holds a mail it took before another may send it (it died mid-send).
    /// Longer than one send can take (SMTP: connect and replies at 30 s each, and up to 10
    /// minutes for the server to accept the message data, as RFC 5321 allows).
    package var mailLease: TimeInterval = 1200
    /// The first wait before a refused mail is tried again (doubling, up to an hour).
    package var mailRetry: TimeInterval = 30

    /// Where mail goes: files in a Maildir (the default: `DATA/mail` unless a folder is
    /// given), a sendmail-compatible program, or an SMTP server.
    package enum MailDelivery: Sendable, Equatable {
        case maildir(String?)
        case sendmail(String)
        case smtp(String)
    }

    package init() {}

    /// The sender address: `--mail-from`, or `meetings@` the public URL's host (which must
    /// have a dot: an address at `localhost` is refused by every mail server).
    package func mailSender(port: Int) -> String {
        if let mailFrom { return mailFrom }
        let host = URLComponents(string: baseURL(port: port))?.host ?? "localhost"
        return "meetings@" + (host.contains(".") && !host.allSatisfy({ $0.isNumber || $0 == "." }) ? host : "dialogue.invalid")
    }

    /// Why a `--forwarded-header` value is not one of the two headers (nil when it is).
    package static func forwardedHeaderError(_ text: String) -> String? {
        ClientAddressResolver.ForwardedHeader(rawValue: text.lowercased()) == nil
            ? "--forwarded-header \(text): expected x-forwarded-for or forwarded" : nil
    }

    /// Sets `forwardedHeader` from a `--forwarded-header` value (checked by `forwardedHeaderError`).
    package mutating func setForwardedHeader(_ text: String) {
        forwardedHeader = ClientAddressResolver.ForwardedHeader(rawValue: text.lowercased()) ?? .xForwardedFor
    }

    /// Why a `--trusted-proxy` value is not a CIDR block (nil when it is one).
    package static func trustedProxyError(_ text: String) -> String? {
        CIDR(text) == nil ? "--trusted-proxy \(text): expected an IPv4 or IPv6 address or block (10.0.0.0/8, fd00::/8)" : nil
    }

    /// Whether people reach the server over https (its own TLS, or a TLS proxy named by an
    /// https public URL): then browsers are told to use nothing else (HSTS).
    package var servedOverHTTPS: Bool {
        tlsCertificate != nil || (publicURL?.lowercased().hasPrefix("https://") ?? false)
    }

    /// The URL the server is reached at, once the port is known.
    package func baseURL(port: Int) -> String {
        if let publicURL { return publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL }
        return listenURL(port: port)
    }

    /// The URL of the bound socket.
    package func listenURL(port: Int) -> String {
        let scheme = tlsCertificate != nil ? "https" : "http"
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost):\(port)"
    }
}

/// Why the server refuses to start on its configuration (with the option to fix).
package enum ServerStartError: Error, Sendable, CustomStringConvertible {
    /// The mail settings cannot be used.
    case badMail(String)

    package var description: String {
        switch self {
        case .badMail(let reason): reason
        }
    }
}
