import Dialogue
import DialogueServer
import Foundation
import FuzzSupport
import Logging
import Synchronization
import Transport

/// Fuzzes HTTP request handling end to end in process: raw request bytes → the request the
/// transport hands over (`RawRequest`, a model of what libwebsockets parses) → the Swift
/// side of the transport (`HTTPRequest.queryItems`) → `HTTPAPI.handle` over a real SQLite
/// store in a temporary folder and the shipped agent packs. Every answer must be a status
/// the contract allows, and every error body `{"error":{"code","message"}}` with the code of
/// its status. A 500 (an error the API did not expect) fails the input.
@main enum HTTPFuzz {
    static func main() {
        _ = Harness.shared  // set up before the first input, so that no input is timed with it
        FuzzDriver.main(target: "fuzz-http", folders: FuzzDriver.defaultFolders(besides: #filePath), check: check)
    }

    /// Statuses the API may answer and the error code each carries (contract section 3,
    /// 405 and 426 as docs/openapi.yaml gives them). 500 and 503 are not among them: the
    /// store here never fails, so either means a request broke the server.
    static let errorCodes: [Int: String] = [
        400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "bad_request",
        409: "conflict", 413: "too_large", 426: "bad_request", 429: "rate_limited",
    ]
    static let successes: Set<Int> = [200, 201, 204]

    static func check(_ bytes: [UInt8]) throws(FuzzFailure) {
        guard let raw = RawRequest(bytes) else { return }
        let server = Harness.shared
        let request = HTTPRequest(
            id: ConnectionID(raw: 1), method: raw.method, path: raw.path, queryFragments: raw.queryFragments,
            headers: raw.headers.mapValues(server.substitute), body: raw.body, peer: raw.peer)
        let fragments = raw.queryFragments.filter { !$0.isEmpty }
        try require(request.query.count == fragments.count, "\(fragments.count) query fragments read as \(request.query.count)")
        for (fragment, item) in zip(fragments, request.query) {
            try checkQueryItem(fragment: fragment, item: item)
        }
        let response = server.handle(request)
        if successes.contains(response.status) {
            if response.status == 204 { try require(response.body.isEmpty, "a 204 with a body") }
            if response.contentType.hasPrefix("application/json") {
                do {
                    _ = try JSONParser.parse(response.body)
                } catch {
                    throw FuzzFailure("\(raw.method) \(raw.path): a JSON answer that does not parse: \(error)")
                }
            }
            return
        }
        let body = String(decoding: response.body, as: UTF8.self)
        guard let code = errorCodes[response.status] else {
            throw FuzzFailure("\(raw.method) \(raw.path): status \(response.status) is not in the contract: \(body)")
        }
        try require(response.contentType.hasPrefix("application/json"), "an error as \(response.contentType)")
        let value: JSONValue
        do {
            value = try JSONParser.parse(response.body)
        } catch {
            throw FuzzFailure("\(raw.method) \(raw.path): an error body that is not JSON (\(error)): \(body)")
        }
        try require(value.objectValue?.count == 1, "an error body with other members: \(body)")
        try require(
            value["error"]?["code"]?.stringValue == code,
            "\(raw.method) \(raw.path): status \(response.status) with the code of another: \(body)")
        try require(
            !(value["error"]?["message"]?.stringValue ?? "").isEmpty, "an error without a message: \(body)")
    }

    /// A fragment `name=value` splits at its first `=`: the name holds no `=` and the two
    /// parts with the `=` between them are the fragment again, byte for byte.
    static func checkQueryItem(fragment: String, item: (name: String, value: String)) throws(FuzzFailure) {
        try require(!item.name.unicodeScalars.contains("="), "query name \"\(item.name)\" holds an =")
        let joined = fragment.unicodeScalars.contains("=") ? item.name + "=" + item.value : item.name
        try require(
            Array(joined.utf8) == Array(fragment.utf8),
            "query fragment \"\(fragment)\" read as \"\(item.name)\" = \"\(item.value)\"")
    }
}

/// The server under test: one per process, set up on first use in a temporary folder with
/// the shipped agent packs, an officer, a reviewer, an interpreter, a live session with an
/// invite and an ended session.
final class Harness: Sendable {
    static let shared = Harness()

    let handler: @Sendable (HTTPRequest) async -> HTTPResponse
    /// `@officer`, `@reviewer`, `@interpreter`, `@session`, `@ended`, `@invite` in headers and
    /// paths stand for the real tokens and ids, so that inputs reach past authorisation.
    let names: [(String, String)]

    private init() {
        let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../..")
            .standardizedFileURL.path
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-http-\(getpid())").path
        try? FileManager.default.removeItem(atPath: data)
        try! FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-http-\(getpid())").path) }
        var configuration = ServerConfiguration()
        configuration.dataDirectory = data
        configuration.agentsDirectory = ProcessInfo.processInfo.environment["DIALOGUE_AGENTS"] ?? sourceRoot + "/Agents"
        // Inputs carry bad tokens by the thousand; the sign-in limit is tested elsewhere.
        configuration.signInFailuresPerMinute = Int.max / 2
        var logger = Logger(label: "fuzz-http")
        logger.logLevel = .critical
        let app = try! DialogueServerApp(configuration: configuration, logger: logger)
        let ready = Self.wait {
            let handler = try! await app.inProcessHTTP(baseURL: "http://127.0.0.1:8080")
            var names: [(String, String)] = []
            for role in [Role.officer, .reviewer, .interpreter] {
                names.append(("@\(role.rawValue)", try! await app.store.addStaff(name: role.rawValue, role: role).token))
            }
            let officer = names[0].1
            func post(_ path: String, _ body: String) async -> JSONValue {
                let request = HTTPRequest(
                    id: ConnectionID(raw: 0), method: "POST", path: path, queryFragments: [],
                    headers: ["authorization": "Bearer " + officer, "content-type": "application/json"],
                    body: Array(body.utf8), peer: "127.0.0.1")
                return try! JSONParser.parse(await handler(request).body)
            }
            let session = await post("/v1/sessions", #"{"title":"Fuzz session"}"#)["id"]!.stringValue!
            let invite = await post("/v1/sessions/\(session)/invites", #"{"name":"Lan","language":"ja"}"#)
            names += [("@session", session), ("@invite", invite["id"]!.stringValue!)]
            return (handler, names)
        }
        handler = ready.0
        names = ready.1
    }

    /// Replaces the placeholders in a header or path.
    @Sendable func substitute(_ text: String) -> String {
        guard text.contains("@") else { return text }
        return names.reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }

    /// The API's answer, waited for: libFuzzer's thread blocks while the request runs on the
    /// concurrency pool.
    func handle(_ request: HTTPRequest) -> HTTPResponse {
        var request = request
        request.path = substitute(request.path)
        return Self.wait { [handler, request] in await handler(request) }
    }

    static func wait<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await body()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }
}
