import Foundation
import Transport

/// The web client's files: read once at start from the module's resources, or — with
/// `--web-root` while working on the pages — from a folder on every request, so an edit
/// shows on reload without a rebuild.
struct WebAssets: Sendable {
    private let files: [String: [UInt8]]
    private let root: String?

    /// Pages reached by a path without an extension.
    private static let pages = [
        "/": "index.html", "/index.html": "index.html", "/join": "join.html", "/console": "console.html",
        "/review": "review.html", "/request": "request.html", "/survey": "survey.html", "/barometer": "barometer.html",
    ]

    init(root: String? = nil) {
        self.root = root
        var files: [String: [UInt8]] = [:]
        if root == nil, let folder = Bundle.module.url(forResource: "Web", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        {
            for name in names {
                if let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) {
                    files[name] = Array(data)
                }
            }
        }
        self.files = files
    }

    private static func contentType(_ name: String) -> String {
        switch (name as NSString).pathExtension {
        case "html": return "text/html; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        default: return "application/octet-stream"
        }
    }

    /// The response for a page path: `/`, `/join`, `/console` and `/review` map to their HTML files.
    func asset(for path: String) -> HTTPResponse? {
        let name = Self.pages[path] ?? String(path.dropFirst())
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else { return nil }
        let body: [UInt8]
        if let root {
            guard let data = FileManager.default.contents(atPath: root + "/" + name) else { return nil }
            body = Array(data)
        } else {
            guard let file = files[name] else { return nil }
            body = file
        }
        return HTTPResponse(
            status: 200, contentType: Self.contentType(name),
            headers: [
                ("content-security-policy", "default-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
                ("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer"),
                ("cache-control", "no-cache"),
            ], body: body)
    }
}
