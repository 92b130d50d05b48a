import Dialogue
import Foundation
import Logging
import PostgresNIO
import Store
import Synchronization

/// The PostgreSQL implementation of `DialogueStore`, for several server nodes sharing one
/// database. Same guarantees as SQLite: an event is acknowledged only after its transaction
/// committed, each session's seqs run from 1 without gaps (checked under a row lock in the
/// committing transaction, so nodes cannot interleave), a (sender, clientId) is stored once,
/// and the hash chain is the same. PostgreSQL's own replication and backups cover the rest.
package final class PostgresStore: DialogueStore {
    let client: PostgresClient
    let logger: Logger
    /// The pools' run loops, cancelled by `close()`.
    private let running: [Task<Void, Never>]
    /// The heartbeat's and presence board's pool.
    let presenceClient: PostgresClient
    /// Where each notice listener connects, on a connection of its own.
    let listening: PostgresConnection.Configuration
    /// Commit-notice listeners, cancelled by `close()`.
    let listeners = Mutex<[Task<Void, Never>]>([])
    /// Listeners without a connection right now: `interrupted` when it leaves 0, `resumed` when back.
    let listenersDown = Counter()
    /// Listeners that have listened at least once (`noticesListening`).
    let listenersUp = Counter()
    package let writer: any EventAppender
    /// Where it connects, without the password (for messages).
    package let location: String
    /// Several nodes may append to the same sessions.
    package var isShared: Bool { true }
    /// This process among the nodes, so its listener can skip its own translation notices.
    package let nodeId: String
    /// The channel translation notices go on; payload `node:session:seq:language:draft`.
    static let translationChannel = "dialogue_translations"
    /// The channel invite revocations go on; payload `node:inviteId`.
    static let inviteChannel = "dialogue_invites"
    /// `node:session`: a session was moved, opened or cancelled (its calendar side changed).
    static let scheduleChannel = "dialogue_schedule"
    /// The channel redactions are announced on: `node:session:seq:draft`.
    static let redactionChannel = "dialogue_redactions"

    /// Connects to `url` (`postgres://user:password@host:port/database`), creates or migrates
    /// the schema, and returns the store. The writer is not started yet.
    package static func open(
        url: String, commitInterval: Duration = .milliseconds(1), commitBatch: Int = 512,
        logger: Logger = Logger(label: "store")
    ) async throws -> PostgresStore {
        let (configuration, location) = try connectionConfiguration(url)
        let listening = try listenerConfiguration(url)
        // One connection first, with a deadline: a TLS mismatch (a server without SSL under
        // sslmode=require, a certificate the CA did not sign) is reported at once, with the
        // reason, where the pool would retry it in silence.
        do {
            let probe = try await withDeadline(.seconds(10)) {
                try await PostgresConnection.connect(configuration: listening, id: 0, logger: logger)
            }
            try? await probe.close()
        } catch {
            throw StoreError.openFailed(path: location, reason: describe(error))
        }
        let store = PostgresStore(
            configuration: configuration, listening: listening, location: location,
            commitInterval: commitInterval,
            commitBatch: commitBatch, logger: logger)
        do {
            try await PostgresSchema.migrate(store.client, logger: logger)
        } catch {
            store.close()
            throw StoreError.openFailed(path: location, reason: describe(error))
        }
        return store
    }

    private init(
        configuration: PostgresClient.Configuration, listening: PostgresConnection.Configuration, location: String,
        commitInterval: Duration, commitBatch: Int, logger: Logger
    ) {
        // The writer has a pool of its own: a commit must never queue behind a burst of
        // sign-ins and history reads (its deadline would run out while PostgreSQL idles).
        // Listeners hold connections of their own outside any pool (see `commitNotices`).
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        var one = configuration
        // The writer commits one batch at a time; a second connection is for when a commit's
        // deadline passed while its statement still runs on the server.
        one.options.maximumConnections = 2
        one.options.minimumConnections = 1
        let writerClient = PostgresClient(configuration: one, backgroundLogger: logger)
        // Heartbeats and presence too: a node whose pool is busy with sign-ins must not look
        // dead to the others, nor tell its clients the database is gone.
        let presenceClient = PostgresClient(configuration: one, backgroundLogger: logger)
        let nodeId = SecretToken.base32(bits: 40)
        self.client = client
        self.presenceClient = presenceClient
        self.listening = listening
        self.nodeId = nodeId
        self.logger = logger
        self.location = location
        running = [
            Task { await client.run() }, Task { await writerClient.run() }, Task { await presenceClient.run() },
        ]
        writer = PostgresEventWriter(
            client: writerClient, nodeId: nodeId, interval: commitInterval, batchLimit: commitBatch, logger: logger)
    }

    /// Creates the database named in `url` unless it exists, through the server's `postgres`
    /// database (a first deployment, `migrate-store`, tests).
    package static func createDatabase(url: String, logger: Logger = Logger(label: "store")) async throws {
        var (configuration, location) = try connectionConfiguration(url)
        guard let name = configuration.database, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw StoreError.openFailed(path: location, reason: "database names are letters, digits and _ here")
        }
        configuration.database = "postgres"
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let running = Task { await client.run() }
        defer { running.cancel() }
        do {
            let exists = try await client.query(
                "SELECT 1 FROM pg_database WHERE datname = \(name)", logger: logger
            ).collect()
            if exists.isEmpty {
                try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name)\""), logger: logger)
            }
        } catch {
            throw StoreError.openFailed(path: location, reason: describe(error))
        }
    }

    /// Stops the notice listeners and the connection pools (after `writer.shutdown()`),
    /// without waiting for them.
    package func close() {
        for listener in listeners.withLock({ $0 }) { listener.cancel() }
        for task in running { task.cancel() }
    }

    /// Shuts the writer down (committing what is queued), then stops the listeners and the
    /// pools and waits until their connections are closed.
    package func closeAndWait() async {
        await writer.shutdown()
        close()
        for listener in listeners.withLock({ $0 }) { await listener.value }
        for task in running { await task.value }
    }

    /// A single connection's configuration for a `postgres://` URL (the listeners').
    static func listenerConfiguration(_ url: String) throws -> PostgresConnection.Configuration {
        let (pooled, _) = try connectionConfiguration(url)
        guard let parsed = URLComponents(string: url), let host = parsed.host else {
            throw StoreError.openFailed(path: url, reason: "expected postgres://user[:password]@host[:port]/database")
        }
        let tls = try PostgresTLS.parse(host: host, query: parsed.queryItems ?? [])
        return PostgresConnection.Configuration(
            host: host, port: parsed.port ?? 5432, username: pooled.username, password: pooled.password,
            database: pooled.database, tls: try tls.connectionTLS())
    }

    /// The client configuration of a `postgres://` URL, and the URL without its password.
    static func connectionConfiguration(_ url: String) throws -> (PostgresClient.Configuration, String) {
        guard let parsed = URLComponents(string: url), ["postgres", "postgresql"].contains(parsed.scheme ?? ""),
            let host = parsed.host, !host.isEmpty
        else {
            throw StoreError.openFailed(
                path: url, reason: "expected postgres://user[:password]@host[:port]/database")
        }
        let database = String(parsed.path.drop { $0 == "/" })
        let user = parsed.user ?? "postgres"
        let tls = try PostgresTLS.parse(host: host, query: parsed.queryItems ?? [])
        var configuration = PostgresClient.Configuration(
            host: host, port: parsed.port ?? 5432, username: user, password: parsed.password,
            database: database.isEmpty ? user : database, tls: try tls.clientTLS())
        configuration.options.maximumConnections = 8  // queries; the writer and the listeners have their own
        let shown =
            "postgres://\(user)@\(host):\(parsed.port ?? 5432)/\(database.isEmpty ? user : database)?sslmode=\(tls.mode.rawValue)"
        return (configuration, shown)
    }

    // MARK: Running queries

    /// Longest any query or transaction of the store may take (see `withDeadline`).
    static let deadline: Duration = .seconds(10)

    /// Runs a statement whose rows are not needed.
    func execute(_ query: PostgresQuery, on pool: PostgresClient? = nil) async throws {
        let (client, logger) = (pool ?? client, logger)
        do {
            try await withDeadline(Self.deadline) { _ = try await client.query(query, logger: logger) }
        } catch { throw Self.writeError(error) }
    }

    /// Runs a query and collects its rows.
    func rows(_ query: PostgresQuery, on pool: PostgresClient? = nil) async throws -> [PostgresRow] {
        let (client, logger) = (pool ?? client, logger)
        do {
            return try await withDeadline(Self.deadline) {
                var out: [PostgresRow] = []
                for try await row in try await client.query(query, logger: logger) { out.append(row) }
                return out
            }
        } catch { throw Self.readError(error) }
    }

    /// Runs `body` in one transaction (BEGIN … COMMIT, ROLLBACK on error).
    func transaction<T: Sendable>(
        on pool: PostgresClient? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let (client, logger) = (pool ?? client, logger)
        do {
            return try await withDeadline(Self.deadline) {
                try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            }
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError as? StoreError { throw inner }
            throw Self.writeError(error.closureError ?? error)
        } catch let error as StoreError { throw error } catch { throw Self.writeError(error) }
    }

    static func readError(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        return .readFailed(describe(error))
    }

    static func writeError(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        return .writeFailed(describe(error))
    }

    /// The SQLSTATE of a server error (`23505` for a unique violation), if it is one.
    static func sqlState(_ error: any Error) -> String? {
        if let error = error as? PostgresTransactionError { return error.closureError.flatMap(sqlState) }
        return (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}

/// A readable reason: PostgresNIO redacts `"\(error)"` on purpose; the server's message and
/// SQLSTATE are what an operator needs.
func describe(_ error: any Error) -> String {
    if let error = error as? PSQLError {
        if let info = error.serverInfo {
            let message = info[.message] ?? "server error"
            return "\(message) (SQLSTATE \(info[.sqlState] ?? "?"))"
        }
        switch error.code {
        case .sslUnsupported:
            return "the server does not accept TLS connections, and the store URL's sslmode requires TLS "
                + "(turn ssl on in the server, or set sslmode=disable or prefer in the URL)"
        case .failedToAddSSLHandler:
            return "TLS could not be set up: \(error.underlying.map { String(describing: $0) } ?? "unknown reason")"
        default:
            if let underlying = error.underlying {
                return "PostgreSQL: \(error.code): \(tlsReason(underlying) ?? String(describing: underlying))"
            }
            return "PostgreSQL: \(error.code)"
        }
    }
    if let reason = tlsReason(error) { return reason }
    if let error = error as? PostgresTransactionError, let inner = error.closureError ?? error.commitError {
        return describe(inner)
    }
    return String(describing: error)
}

/// A readable reason for a failed TLS handshake (the server's certificate refused), else nil.
private func tlsReason(_ error: any Error) -> String? {
    guard let error = error as? NIOSSLError else { return nil }
    if case .handshakeFailed(let inner) = error {
        return "TLS handshake failed: the server's certificate was not accepted (\(inner)); check sslrootcert and the host name"
    }
    return "TLS failed: \(error)"
}

/// A count several tasks change.
final class Counter: Sendable {
    let count = Mutex(0)
}
