import Foundation
import Transport

/// The web client's files, read once at start from the module's resources.
struct WebAssets: Sendable {
    private let files: [String: (type: String, body: [UInt8])]

    init() {
        var files: [String: (String, [UInt8])] = [:]
        if let folder = Bundle.module.url(forResource: "Web", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        {
            for name in names {
                guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else {
                    continue
                }
                files[name] = (Self.contentType(name), Array(data))
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
        default: return "application/octet-stream"
        }
    }

    /// The response for a page path: `/` and `/join` map to their HTML files.
    func asset(for path: String) -> HTTPResponse? {
        let name: String
        switch path {
        case "/", "/index.html": name = "index.html"
        case "/join": name = "join.html"
        default: name = String(path.dropFirst())
        }
        guard !name.contains("/"), let file = files[name] else { return nil }
        return HTTPResponse(
            status: 200, contentType: file.type,
            headers: [("content-security-policy", "default-src 'self'; connect-src 'self' ws: wss:")], body: file.body)
    }
}
