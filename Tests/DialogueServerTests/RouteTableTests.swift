import Dialogue
import Foundation
import Testing
import Transport

@testable import DialogueServer

/// The route table's decisions, without a server: dispatch, 404 versus 405, the roles, the
/// preflight's upload decisions, and that `docs/openapi.yaml` documents exactly what is served.
@Suite struct RouteTableTests {
    let table = HTTPAPI.routes

    func request(_ method: String, _ target: String) -> HTTPRequest {
        let parts = target.split(separator: "?", maxSplits: 1)
        return HTTPRequest(
            id: ConnectionID(raw: 1), method: method, path: String(parts[0]),
            queryFragments: parts.dropFirst().first?.split(separator: "&").map(String.init) ?? [], headers: [:],
            body: [], peer: "127.0.0.1")
    }

    /// Only `/join` and `/` have a page here: enough to tell pages from API paths.
    func page(_ path: String) -> HTTPResponse? {
        ["/", "/join"].contains(path)
            ? HTTPResponse(status: 200, contentType: "text/html", body: Array(path.utf8)) : nil
    }

    /// The decision as `METHOD PATH` of the route with its parameters, `asset`, or the refusal.
    func decision(_ method: String, _ target: String) -> String {
        switch table.decide(request(method, target), webAsset: page) {
        case .run(let route, let call):
            let parameters = call.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return ([route.method, route.path] + parameters).joined(separator: " ")
        case .webAsset(let response): return "asset " + String(decoding: response.body, as: UTF8.self)
        case .refuse(let failure): return "\(failure.status) \(failure.code): \(failure.message)"
        }
    }

    func upload(_ method: String, _ target: String, in table: HTTPAPI.RouteTable = HTTPAPI.routes) -> String {
        switch table.upload(request(method, target), webAsset: page) {
        case .read: return "read"
        case .checkToken(let roles):
            return "token " + Role.allCases.filter(roles.contains).map(\.rawValue).joined(separator: ",")
        case .refuse(let failure): return "\(failure.status) \(failure.code): \(failure.message)"
        }
    }

    @Test func dispatchesByMethodAndPathWithItsParameters() {
        #expect(decision("GET", "/healthz") == "GET /healthz")
        #expect(decision("POST", "/v1/sessions") == "POST /v1/sessions")
        #expect(decision("GET", "/v1/sessions") == "GET /v1/sessions")
        #expect(decision("GET", "/v1/sessions/ses_1") == "GET /v1/sessions/{id} id=ses_1")
        #expect(decision("GET", "/v1/sessions/ses_1/invites") == "GET /v1/sessions/{id}/invites id=ses_1")
        #expect(
            decision("DELETE", "/v1/sessions/ses_1/invites/inv_2")
                == "DELETE /v1/sessions/{id}/invites/{inviteId} id=ses_1 inviteId=inv_2")
        #expect(
            decision("POST", "/v1/sessions/ses_1/events/7/redact")
                == "POST /v1/sessions/{id}/events/{seq}/redact id=ses_1 seq=7")
        #expect(decision("PUT", "/v1/glossary?agent=x") == "PUT /v1/glossary")
    }

    @Test func emptySegmentsAreIgnoredAsBefore() {
        // Trailing and doubled slashes name the same route; literal segments are case-sensitive.
        #expect(decision("GET", "/v1/sessions/") == "GET /v1/sessions")
        #expect(decision("GET", "//v1//sessions//ses_1/") == "GET /v1/sessions/{id} id=ses_1")
        #expect(decision("GET", "/healthz/") == "GET /healthz")
        #expect(decision("GET", "/V1/sessions") == "404 not_found: nothing at /V1/sessions")
    }

    @Test func unknownPathsAre404AndOtherMethodsOnAKnownPath405() {
        #expect(decision("GET", "/v1/nothing-here") == "404 not_found: nothing at /v1/nothing-here")
        #expect(decision("GET", "/v1/sessions/a/b") == "404 not_found: nothing at /v1/sessions/a/b")
        #expect(decision("POST", "/nothing") == "404 not_found: nothing at /nothing")
        #expect(decision("DELETE", "/v1/sessions") == "405 bad_request: DELETE is not allowed on /v1/sessions")
        #expect(decision("POST", "/healthz") == "405 bad_request: POST is not allowed on /healthz")
        #expect(
            decision("PUT", "/v1/sessions/s/invites/i")
                == "405 bad_request: PUT is not allowed on /v1/sessions/s/invites/i")
        // HEAD is not GET for the API (it never was); pages answer both.
        #expect(decision("HEAD", "/healthz") == "405 bad_request: HEAD is not allowed on /healthz")
        guard case .otherMethod(let allowed) = table.match(request("DELETE", "/v1/glossary")) else {
            Issue.record("DELETE /v1/glossary should be a known path")
            return
        }
        #expect(allowed == ["GET", "PUT"])
    }

    @Test func pagesAndTheWebSocketPath() {
        #expect(decision("GET", "/join") == "asset /join")
        #expect(decision("HEAD", "/") == "asset /")
        #expect(decision("POST", "/join") == "404 not_found: nothing at /join")
        for method in ["GET", "POST", "DELETE"] {
            #expect(decision(method, "/v1/ws") == "426 bad_request: /v1/ws takes WebSocket upgrades only")
        }
        // Exactly that path, as before: with a trailing slash it is nothing.
        #expect(decision("GET", "/v1/ws/") == "404 not_found: nothing at /v1/ws/")
    }

    @Test func tokensInTheURLAreRefusedBeforeAnythingElse() {
        let refusal = "401 unauthorized: tokens are never accepted in URLs; use the Authorization header"
        #expect(decision("GET", "/v1/sessions?token=abc") == refusal)
        #expect(decision("GET", "/nothing?Access_Token=abc") == refusal)
        #expect(decision("GET", "/healthz?auth=x") == refusal)
        #expect(upload("POST", "/v1/sessions?token=abc") == refusal)
        #expect(decision("GET", "/v1/search?q=token") == "GET /v1/search")
    }

    @Test func rolesAreRefusedAsBefore() {
        func refusal(_ method: String, _ target: String, _ role: Role) -> String? {
            guard case .run(let route, _) = table.decide(request(method, target), webAsset: page) else { return "none" }
            return route.access.refusal(for: role).map { "\($0.status) \($0.code): \($0.message)" }
        }
        #expect(refusal("POST", "/v1/sessions", .reviewer) == "403 forbidden: a reviewer may not do this")
        #expect(refusal("POST", "/v1/sessions", .officer) == nil)
        #expect(
            refusal("GET", "/v1/sessions/s/verify", .interpreter) == "403 forbidden: an interpreter may not do this")
        #expect(refusal("GET", "/v1/sessions/s/verify", .reviewer) == nil)
        #expect(refusal("GET", "/v1/sessions/s/translations", .reviewer) == "403 forbidden: a reviewer may not do this")
        #expect(refusal("GET", "/v1/phrases", .interpreter) == nil)
        #expect(refusal("GET", "/v1/gaps", .reviewer) == "403 forbidden: a reviewer may not do this")
        #expect(refusal("GET", "/healthz", .investor) == nil)
        #expect(table.routes.first { $0.path == "/metrics" }?.access == .anyone)
    }

    @Test func thePreflightDecidesUploadsFromTheHeaders() {
        #expect(upload("POST", "/v1/sessions") == "token officer")
        #expect(upload("POST", "/v1/sessions/s/notes") == "token officer,reviewer")
        #expect(upload("PUT", "/v1/glossary") == "token officer")
        // A staff route that reads no body still checks the token first (the body is ignored).
        #expect(upload("GET", "/v1/sessions") == "token officer,reviewer,interpreter")
        #expect(upload("GET", "/healthz") == "400 bad_request: GET /healthz takes no request body")
        #expect(upload("GET", "/join") == "400 bad_request: GET /join takes no request body")
        #expect(upload("POST", "/healthz") == "405 bad_request: POST is not allowed on /healthz")
        #expect(upload("DELETE", "/v1/glossary") == "405 bad_request: DELETE is not allowed on /v1/glossary")
        #expect(upload("POST", "/join") == "404 not_found: nothing at /join")
        #expect(upload("PUT", "/v1/nope") == "404 not_found: nothing at /v1/nope")
        #expect(upload("POST", "/v1/ws") == "426 bad_request: /v1/ws takes WebSocket upgrades only")
    }

    @Test func aPublicRouteWithABodyIsOneLine() {
        // The meeting-request form's POST is public and reads its body; the same path's GET
        // is for officers (their token is checked first).
        #expect(upload("POST", "/v1/requests") == "read")
        #expect(upload("GET", "/v1/requests") == "token officer")
        #expect(upload("PUT", "/v1/requests") == "405 bad_request: PUT is not allowed on /v1/requests")
        let table = HTTPAPI.RouteTable(
            HTTPAPI.routes.routes + [.anyone("POST", "/v1/echo", body: .json) { _, _ in HTTPAPI.json(201, [:]) }],
            upgradeOnly: HTTPAPI.routes.upgradeOnly)
        #expect(upload("POST", "/v1/echo", in: table) == "read")
        #expect(upload("GET", "/v1/echo", in: table) == "405 bad_request: GET is not allowed on /v1/echo")
        #expect(upload("POST", "/v1/echo", in: HTTPAPI.routes) == "404 not_found: nothing at /v1/echo")
    }

    @Test func largeBodiesAreAllowedWhereTheTableSays() {
        #expect(table.largeBodyPaths == ["/v1/glossary": 16 * 1024 * 1024])
    }

    /// Order never decides: no request can match two routes.
    @Test func noTwoRoutesAnswerTheSameRequest() {
        for (i, a) in table.routes.enumerated() {
            for b in table.routes[(i + 1)...] where a.method == b.method && a.segments.count == b.segments.count {
                let overlap = zip(a.segments, b.segments).allSatisfy {
                    $0.literal == nil || $1.literal == nil || $0.literal == $1.literal
                }
                #expect(!overlap, "\(a.method) \(a.path) and \(b.path) can answer the same request")
            }
        }
    }

    /// Every operation `docs/openapi.yaml` documents is served, and every route is documented,
    /// with the same roles: the table's, the WebSocket path (every human role says `hello`
    /// there) and the web client's pages (one per HTML file).
    @Test func openAPIDocumentsExactlyTheRoutesServed() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let documented = OpenAPIOperations.read(
            try String(contentsOf: repository.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8))
        var served: [String: [String]] = [:]
        for route in table.routes { served["\(route.method) \(route.path)"] = route.access.names }
        for path in table.upgradeOnly {
            served["GET \(path)"] = Role.allCases.filter { $0 != .assistant }.map(\.rawValue)
        }
        let web = repository.appendingPathComponent("Sources/DialogueServer/Web")
        let assets = WebAssets(root: web.path)
        for file in try FileManager.default.contentsOfDirectory(atPath: web.path) where file.hasSuffix(".html") {
            let path = file == "index.html" ? "/" : "/" + String(file.dropLast(5))
            #expect(assets.asset(for: path)?.contentType.hasPrefix("text/html") == true, "no page at \(path)")
            served["GET \(path)"] = ["anyone"]
        }
        let undocumented = served.keys.filter { documented[$0] == nil }.sorted()
        let unserved = documented.keys.filter { served[$0] == nil }.sorted()
        #expect(undocumented.isEmpty, "served but not in docs/openapi.yaml: \(undocumented)")
        #expect(unserved.isEmpty, "in docs/openapi.yaml but not served: \(unserved)")
        for (operation, roles) in served.sorted(by: { $0.key < $1.key }) {
            guard let written = documented[operation] else { continue }
            #expect(Set(written) == Set(roles), "\(operation): x-roles \(written), served for \(roles)")
        }
    }

    @Test func theOpenAPIReaderReadsPathsMethodsAndRoles() {
        let text = """
            openapi: 3.1.0
            info:
              description: |
                paths:
                  /not/a/path:
                    get:
            paths:
              /a:
                description: >-
                  get: not an operation
                get:
                  x-roles: [officer, reviewer]
                post:
                  summary: "x"
                  x-roles:
                    - officer
              "/b/{id}":
                parameters:
                  - $ref: "#/components/parameters/Id"
                delete:
                  x-roles: [anyone]   # a comment
            components:
              schemas:
                get:
                  x-roles: [nobody]
            """
        #expect(
            OpenAPIOperations.read(text) == [
                "GET /a": ["officer", "reviewer"], "POST /a": ["officer"], "DELETE /b/{id}": ["anyone"],
            ])
    }
}

/// The operations of an OpenAPI document, `METHOD /path` → its `x-roles`: a reader for the
/// YAML the file is written in (block mappings by indentation, block scalars skipped,
/// `x-roles` as a flow or a block list), enough to compare it with the route table.
enum OpenAPIOperations {
    static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    static func read(_ text: String) -> [String: [String]] {
        var operations: [String: [String]] = [:]
        var inPaths = false
        var path: String?
        var operation: String?
        var scalarIndent: Int?  // inside a block scalar (`|`, `>`) of a key at this indent
        var listIndent: Int?  // inside a block list of x-roles under a key at this indent
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let content = line.drop { $0 == " " }
            let indent = line.count - content.count
            // A comment starts a line or follows a space; `"#/components/…"` is not one.
            let uncommented = content.range(of: " #").map { content[..<$0.lowerBound] } ?? content
            let stripped = uncommented.trimmingCharacters(in: .whitespaces)
            if stripped.isEmpty || stripped.hasPrefix("#") { continue }
            if let scalar = scalarIndent {
                if indent > scalar { continue }
                scalarIndent = nil
            }
            if let list = listIndent, let operation {
                if indent > list, stripped.hasPrefix("- ") {
                    operations[operation, default: []].append(unquote(stripped.dropFirst(2)))
                    continue
                }
                listIndent = nil
            }
            guard let colon = stripped.firstIndex(of: ":") else { continue }
            let key = unquote(stripped[..<colon])
            let value = stripped[stripped.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("|") || value.hasPrefix(">") { scalarIndent = indent }
            if indent == 0 {
                inPaths = key == "paths"
                (path, operation) = (nil, nil)
                continue
            }
            guard inPaths else { continue }
            if indent == 2 {
                (path, operation) = (key, nil)
            } else if indent == 4, let path {
                operation = methods.contains(key) ? "\(key.uppercased()) \(path)" : nil
                if let operation { operations[operation] = [] }
            } else if indent == 6, key == "x-roles", let operation {
                if value.hasPrefix("[") {
                    operations[operation] = value.dropFirst().dropLast().split(separator: ",").map { unquote($0) }
                } else {
                    listIndent = indent
                }
            }
        }
        return operations
    }

    private static func unquote(_ text: some StringProtocol) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let first = trimmed.first, first == "\"" || first == "'", trimmed.last == first, trimmed.count >= 2
        else { return trimmed }
        return String(trimmed.dropFirst().dropLast())
    }
}
