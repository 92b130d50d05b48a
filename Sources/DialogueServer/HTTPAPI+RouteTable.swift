import Dialogue
import Store
import Transport

extension HTTPAPI {
    /// Who may call a route: the role check every request passes before its handler runs.
    enum Access: Sendable, Hashable {
        /// No token is asked: health, metrics (loopback-only, in its handler), public forms.
        case anyone
        /// A staff token of one of these roles: none or an unknown one gets 401, another role 403.
        case staff(Set<Role>)

        /// The refusal for an authenticated account of `role`, nil when the route admits it.
        func refusal(for role: Role) -> Failure? {
            guard case .staff(let roles) = self, !roles.contains(role) else { return nil }
            return Failure.forbidden("\(role.withArticle) may not do this")
        }

        /// The roles as `docs/openapi.yaml` writes them in `x-roles` (`anyone` for a public route).
        var names: [String] {
            guard case .staff(let roles) = self else { return ["anyone"] }
            return Role.allCases.filter(roles.contains).map(\.rawValue)
        }
    }

    /// Whether a route reads a request body, and how large one may be.
    enum Body: Sendable, Hashable {
        /// Reads none. A public route refuses a body from its headers (400); a staff route reads
        /// one once its token is checked, and ignores it (clients that send one get their answer).
        case none
        /// A JSON object, up to the transport's body limit (1 MiB).
        case json
        /// A file up to `limit` bytes (a glossary of 10,000 concepts is a few MiB). The transport
        /// keys large limits by path, a parameter matching any one segment.
        case file(limit: Int)
    }

    /// What a route's handler is given besides the API: the request and its path parameters.
    struct RouteCall: Sendable {
        /// The request as the transport parsed it.
        var request: HTTPRequest
        /// The path's `{name}` segments, by name.
        var parameters: [String: String]

        /// The segment the route's path names `{name}`; a name the path lacks is a mistake in
        /// the table, not in the request.
        subscript(_ name: String) -> String {
            guard let value = parameters[name] else {
                preconditionFailure("the route has no path parameter {\(name)}: \(request.path)")
            }
            return value
        }
    }

    /// A route's handler: public ones get the call; staff ones also the account that passed
    /// the role check, so no handler looks the token up again or unwraps an optional account.
    enum Handler: Sendable {
        /// For `Access.anyone`.
        case anyone(@Sendable (HTTPAPI, RouteCall) async throws -> HTTPResponse)
        /// For `Access.staff(roles)`.
        case staff(Set<Role>, @Sendable (HTTPAPI, RouteCall, StaffAccount) async throws -> HTTPResponse)
    }

    /// One line of the route table: method, path, role, body, handler.
    struct Route: Sendable {
        /// `GET`, `POST`, … (exact, as the request line has it).
        let method: String
        /// The path as `docs/openapi.yaml` writes it: `/v1/sessions/{id}/invites`.
        let path: String
        /// What a request may send.
        let body: Body
        /// The handler, with the roles it admits.
        let handler: Handler
        /// `path` split at `/`: each segment's literal text, nil for a `{name}` parameter.
        let segments: [(literal: String?, name: String)]

        /// A route for anyone (no token).
        static func anyone(
            _ method: String, _ path: String, body: Body = .none,
            _ run: @escaping @Sendable (HTTPAPI, RouteCall) async throws -> HTTPResponse
        ) -> Route {
            Route(method: method, path: path, body: body, handler: .anyone(run))
        }

        /// A route for staff of `roles`.
        static func staff(
            _ method: String, _ path: String, _ roles: Set<Role>, body: Body = .none,
            _ run: @escaping @Sendable (HTTPAPI, RouteCall, StaffAccount) async throws -> HTTPResponse
        ) -> Route {
            Route(method: method, path: path, body: body, handler: .staff(roles, run))
        }

        private init(method: String, path: String, body: Body, handler: Handler) {
            self.method = method
            self.path = path
            self.body = body
            self.handler = handler
            segments = RouteTable.split(path).map { segment -> (literal: String?, name: String) in
                guard segment.hasPrefix("{"), segment.hasSuffix("}") else { return (String(segment), String(segment)) }
                return (nil, String(segment.dropFirst().dropLast()))
            }
        }

        /// Who may call it.
        var access: Access {
            switch handler {
            case .anyone: return .anyone
            case .staff(let roles, _): return .staff(roles)
            }
        }

        /// The path parameters when `parts` (a request path split at `/`) is this route's path.
        func parameters(_ parts: [Substring]) -> [String: String]? {
            guard parts.count == segments.count else { return nil }
            var parameters: [String: String] = [:]
            for (part, segment) in zip(parts, segments) {
                if let literal = segment.literal {
                    guard part == literal else { return nil }
                } else {
                    parameters[segment.name] = String(part)
                }
            }
            return parameters
        }
    }

    /// The API's routes and the decisions derived from them: dispatch, 404 versus 405, the
    /// role each route asks, and what the preflight lets a request upload. No I/O: whether a
    /// path has a web page is asked of the caller, tokens are looked up by `HTTPAPI`.
    struct RouteTable: Sendable {
        /// In the order written; no two can answer the same request (a unit test checks it).
        let routes: [Route]
        /// Paths that take WebSocket upgrades only: a plain request, any method, gets 426.
        let upgradeOnly: Set<String>

        /// A table of `routes`, plus the paths the transport upgrades.
        init(_ routes: [Route], upgradeOnly: Set<String>) {
            self.routes = routes
            self.upgradeOnly = upgradeOnly
            for route in routes {
                let names = route.segments.filter { $0.literal == nil }.map(\.name)
                precondition(Set(names).count == names.count, "\(route.path) names a parameter twice")
            }
        }

        /// A request path as routes see it: empty segments dropped, so `/v1/sessions/` and
        /// `//v1//sessions` are `/v1/sessions`.
        static func split(_ path: String) -> [Substring] {
            path.split(separator: "/", omittingEmptySubsequences: true)
        }

        /// Where a request's method and path lead.
        enum Match {
            /// A route serves it.
            case route(Route, RouteCall)
            /// The WebSocket path, without an upgrade.
            case upgradeOnly
            /// Routes serve this path with these methods, not with the one asked.
            case otherMethod(allowed: [String])
            /// No route serves this path.
            case unknown
        }

        /// The route for `request`, or why there is none.
        func match(_ request: HTTPRequest) -> Match {
            let parts = Self.split(request.path)
            var allowed: [String] = []
            for route in routes {
                guard let parameters = route.parameters(parts) else { continue }
                if route.method == request.method {
                    return .route(route, RouteCall(request: request, parameters: parameters))
                }
                allowed.append(route.method)
            }
            if upgradeOnly.contains(request.path) { return .upgradeOnly }
            return allowed.isEmpty ? .unknown : .otherMethod(allowed: allowed)
        }

        /// What happens to a request before any handler runs.
        enum Decision {
            /// Check the role (when `route.access` asks one), then run the route's handler.
            case run(Route, RouteCall)
            /// Answer with the web client's file at the request's path.
            case webAsset(HTTPResponse)
            /// Answer with this error.
            case refuse(Failure)
        }

        /// Decides a whole request. `webAsset` is the web client's file at a path, if any; it
        /// is asked only for GET and HEAD requests no route serves.
        func decide(_ request: HTTPRequest, webAsset: (String) -> HTTPResponse?) -> Decision {
            if let refusal = Self.tokenInURL(request) { return .refuse(refusal) }
            let found = match(request)
            switch found {
            case .route(let route, let call):
                return .run(route, call)
            case .upgradeOnly:
                return .refuse(Self.upgradeRequired(request))
            case .otherMethod, .unknown:
                // Pages come before 405: a page path shared with an API path stays a page.
                if request.method == "GET" || request.method == "HEAD", let asset = webAsset(request.path) {
                    return .webAsset(asset)
                }
                if case .otherMethod = found { return .refuse(Self.methodNotAllowed(request)) }
                return .refuse(Failure.notFound("nothing at \(request.path)"))
            }
        }

        /// What the preflight does with a request that announced a body, before reading it.
        enum Upload {
            /// Read the body: a public route that takes one.
            case read
            /// Read it once a staff token of these roles is shown (looked up again on dispatch:
            /// one revoked during a long upload must not act).
            case checkToken(Set<Role>)
            /// Answer with this error; none of the body is read.
            case refuse(Failure)
        }

        /// Decides whether a request may send its body, answering as `decide` and the role
        /// check would, from its headers: a path no route serves gets 404, a method not served
        /// there 405, a public route that reads no body (`/healthz`, pages) 400.
        func upload(_ request: HTTPRequest, webAsset: (String) -> HTTPResponse?) -> Upload {
            if let refusal = Self.tokenInURL(request) { return .refuse(refusal) }
            switch match(request) {
            case .route(let route, _):
                switch (route.access, route.body) {
                case (.staff(let roles), _): return .checkToken(roles)
                case (.anyone, .none): return .refuse(Self.noBody(request))
                case (.anyone, _): return .read
                }
            case .upgradeOnly:
                return .refuse(Self.upgradeRequired(request))
            case .otherMethod:
                return .refuse(Self.methodNotAllowed(request))
            case .unknown:
                if request.method == "GET" || request.method == "HEAD", webAsset(request.path) != nil {
                    return .refuse(Self.noBody(request))
                }
                return .refuse(Failure.notFound("nothing at \(request.path)"))
            }
        }

        /// Large body limits by path, for the transport (which reads them before routing).
        var largeBodyPaths: [String: Int] {
            var limits: [String: Int] = [:]
            for route in routes where !route.path.contains("{") {
                if case .file(let limit) = route.body { limits[route.path] = max(limits[route.path] ?? 0, limit) }
            }
            return limits
        }

        /// Large body limits of routes with path parameters, each parameter written `*`.
        var largeBodyTemplates: [String: Int] {
            var limits: [String: Int] = [:]
            for route in routes where route.path.contains("{") {
                guard case .file(let limit) = route.body else { continue }
                let template = "/" + route.segments.map { $0.literal ?? "*" }.joined(separator: "/")
                limits[template] = max(limits[template] ?? 0, limit)
            }
            return limits
        }

        /// Tokens are refused in URLs whatever the path (they would end up in logs and histories).
        private static func tokenInURL(_ request: HTTPRequest) -> Failure? {
            guard request.query.contains(where: { ["token", "access_token", "auth"].contains($0.name.lowercased()) })
            else { return nil }
            return Failure(
                status: 401, code: "unauthorized",
                message: "tokens are never accepted in URLs; use the Authorization header")
        }

        private static func upgradeRequired(_ request: HTTPRequest) -> Failure {
            Failure(status: 426, code: "bad_request", message: "\(request.path) takes WebSocket upgrades only")
        }

        private static func methodNotAllowed(_ request: HTTPRequest) -> Failure {
            Failure(status: 405, code: "bad_request", message: "\(request.method) is not allowed on \(request.path)")
        }

        private static func noBody(_ request: HTTPRequest) -> Failure {
            Failure.badRequest("\(request.method) \(request.path) takes no request body")
        }
    }
}
