import Foundation
import Testing

@testable import Mail

/// Shared by the Mail tests: temporary directories, running programs, the test SMTP server,
/// a self-signed certificate, and Python's reading of a message.
enum Support {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// /work/main/Tests, found from this file (through the symlink when the tests are built in
    /// a throwaway package).
    static let testsDirectory: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The python3 on PATH first: the one `pip install -r Tests/integration/requirements.txt` serves.
    static let python3: String? =
        which("python3") ?? ["/usr/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static let msmtp: String? = which("msmtp")

    static func which(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(program)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mail-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    struct Run: Sendable {
        let status: Int32
        let stdout: [UInt8]
        let stderr: String
    }

    /// Runs a program to the end, off the Swift concurrency threads, with its output in files
    /// (no pipe to fill up).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws
        -> Run
    {
        let result = await BlockingWork.run(name: "test-run") { () -> Result<Run, Failure> in
            do {
                let directory = try temporaryDirectory()
                defer { try? FileManager.default.removeItem(atPath: directory) }
                let stdoutPath = directory + "/stdout"
                let stderrPath = directory + "/stderr"
                _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
                _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                if let environment { process.environment = environment }
                process.standardInput = FileHandle.nullDevice
                process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
                process.standardError = FileHandle(forWritingAtPath: stderrPath)
                try process.run()
                process.waitUntilExit()
                let stdout = try Data(contentsOf: URL(fileURLWithPath: stdoutPath))
                let stderr = try String(contentsOfFile: stderrPath, encoding: .utf8)
                return .success(Run(status: process.terminationStatus, stdout: Array(stdout), stderr: stderr))
            } catch {
                return .failure(Failure(description: "\(executable): \(error)"))
            }
        }
        return try result.get()
    }

    /// Replaces the renderer's random MIME boundaries (`=_` and 28 letters or digits) with a
    /// fixed text, so that two renderings of one message compare equal byte for byte.
    static func maskingBoundaries(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        let isAlphanumeric = { (byte: UInt8) in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "="), index + 30 <= bytes.count, bytes[index + 1] == UInt8(ascii: "_"),
                bytes[(index + 2)..<(index + 30)].allSatisfy(isAlphanumeric)
            {
                output += Array("=_BOUNDARY".utf8)
                index += 30
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return output
    }
}

/// A self-signed certificate for localhost and 127.0.0.1, made once per test run with openssl.
struct TestCertificate: Sendable {
    let certificatePath: String
    let keyPath: String

    /// Its own directory, removed when the test process exits.
    private static let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("mail-tests-certificate-\(ProcessInfo.processInfo.processIdentifier)").path

    static let shared: Result<TestCertificate, Support.Failure> = {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            atexit { try? FileManager.default.removeItem(atPath: TestCertificate.directory) }
            let certificate = TestCertificate(certificatePath: directory + "/cert.pem", keyPath: directory + "/key.pem")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Support.which("openssl") ?? "/usr/bin/openssl")
            process.arguments = [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "1",
                "-keyout", certificate.keyPath, "-out", certificate.certificatePath,
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                return .failure(Support.Failure(description: "openssl req exited with \(process.terminationStatus)"))
            }
            return .success(certificate)
        } catch {
            return .failure(Support.Failure(description: "cannot run openssl (apt-get install openssl): \(error)"))
        }
    }()
}

/// The aiosmtpd server of Tests/smtp/smtp_server.py, running for the length of `body`.
struct TestSMTPServer: Sendable {
    let port: Int
    let maildir: String

    /// The messages it accepted, as received, oldest first.
    func messages() throws -> [[UInt8]] {
        try fileNames().map { Array(try Data(contentsOf: URL(fileURLWithPath: "\(maildir)/new/\($0)"))) }
    }

    /// The envelope and session of each accepted message, as the server recorded them.
    func envelopes() throws -> [[String: Any]] {
        try fileNames().map { name in
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(maildir)/envelopes/\(name).json"))
            return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        }
    }

    private func fileNames() throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(maildir)/new")) ?? []
        return names.sorted()
    }

    static func with<T>(_ options: [String], _ body: (TestSMTPServer) async throws -> T) async throws -> T {
        guard let python3 = Support.python3 else { throw Support.Failure(description: "python3 is not installed") }
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = Support.testsDirectory.appendingPathComponent("smtp/smtp_server.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python3)
        process.arguments = [script, "--maildir", directory + "/maildir"] + options
        // The server stops when its standard input closes, even if this test process dies.
        let input = Pipe()
        let output = Pipe()
        let errors = directory + "/stderr"
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: errors)
        try process.run()
        defer {
            try? input.fileHandleForWriting.close()
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        let outputFD = output.fileHandleForReading.fileDescriptor
        let firstLine = await BlockingWork.run(name: "smtp-server-port") { readLine(outputFD) }
        guard let port = Int(firstLine) else {
            let stderr = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            throw Support.Failure(
                description:
                    "the test SMTP server did not start (pip install -r Tests/integration/requirements.txt?): \(stderr)")
        }
        return try await body(TestSMTPServer(port: port, maildir: directory + "/maildir"))
    }

    private static func readLine(_ fd: Int32) -> String {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != 0x0A { line.append(byte) }
        return String(decoding: line, as: UTF8.self)
    }
}

/// What Python's `email` package (policy.default) reads in a message, with icalendar for the
/// invitations: the tests' independent check of the renderer.
struct ParsedMessage: Decodable, Equatable {
    struct Attachment: Decodable, Equatable {
        let filename: String?
        let contentType: String
        let data: String  // base64
        enum CodingKeys: String, CodingKey {
            case filename
            case contentType = "content_type"
            case data
        }
        var bytes: [UInt8] { Array(Data(base64Encoded: data) ?? Data()) }
    }
    struct Calendar: Decodable, Equatable {
        let method: String?
        let summary: String?
        let uid: String?
    }
    let defects: [String]
    let subject: String
    let from: String
    let to: [String]
    let messageID: String
    let date: String
    let structure: String
    let text: String?
    let html: String?
    let attachments: [Attachment]
    let calendars: [Calendar]
    let headers: [String: String]

    enum CodingKeys: String, CodingKey {
        case defects, subject, from, to, date, structure, text, html, attachments, calendars, headers
        case messageID = "message_id"
    }

    static let script = #"""
        import base64, email, email.policy, json, sys
        import icalendar

        def structure(part):
            if part.is_multipart():
                return part.get_content_type() + "(" + ",".join(structure(p) for p in part.iter_parts()) + ")"
            return part.get_content_type()

        results = []
        for path in sys.argv[1:]:
            with open(path, "rb") as file:
                message = email.message_from_bytes(file.read(), policy=email.policy.default)
            defects = []
            for part in message.walk():
                defects += [f"{part.get_content_type()}: {d!r}" for d in part.defects]
                for name, value in part.items():
                    defects += [f"{name}: {d!r}" for d in getattr(value, "defects", ())]
            text = message.get_body(("plain",))
            html = message.get_body(("html",))
            calendars = []
            for part in message.walk():
                if part.get_content_type() == "text/calendar":
                    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
                    events = [c for c in calendar.walk("VEVENT")]
                    calendars.append({
                        "method": str(calendar.get("METHOD")) if calendar.get("METHOD") else None,
                        "summary": str(events[0].get("SUMMARY")) if events else None,
                        "uid": str(events[0].get("UID")) if events else None,
                    })
            results.append({
                "defects": defects,
                "subject": str(message["subject"]),
                "from": str(message["from"]),
                "to": [str(a) for a in message["to"].addresses],
                "message_id": str(message["message-id"]),
                "date": message["date"].datetime.isoformat(),
                "structure": structure(message),
                # Line breaks as LF: get_content() keeps the CRLF of the raw message.
                "text": text.get_content().replace("\r\n", "\n") if text is not None else None,
                "html": html.get_content().replace("\r\n", "\n") if html is not None else None,
                "attachments": [
                    {
                        "filename": a.get_filename(),
                        "content_type": a.get_content_type(),
                        "data": base64.b64encode(a.get_payload(decode=True)).decode(),
                    }
                    for a in message.iter_attachments()
                ],
                "calendars": calendars,
                "headers": {k: str(v) for k, v in message.items()},
            })
        json.dump(results, sys.stdout)
        """#

    /// Parses each message with Python; fails the test if python3 or a module is missing.
    static func parse(_ messages: [[UInt8]]) async throws -> [ParsedMessage] {
        guard let python3 = Support.python3 else { throw Support.Failure(description: "python3 is not installed") }
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let scriptPath = directory + "/parse.py"
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        var paths: [String] = []
        for (index, message) in messages.enumerated() {
            let path = "\(directory)/\(index).eml"
            try Data(message).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let run = try await Support.run(python3, [scriptPath] + paths)
        guard run.status == 0 else {
            throw Support.Failure(description: "python email parsing failed (\(run.status)): \(run.stderr)")
        }
        return try JSONDecoder().decode([ParsedMessage].self, from: Data(run.stdout))
    }

    static func parse(_ message: [UInt8]) async throws -> ParsedMessage {
        let parsed = try await parse([message])
        guard let first = parsed.first else { throw Support.Failure(description: "python returned nothing") }
        return first
    }
}

/// The text a reader gets back for a body: LF line breaks and a final one, as written.
func expectedText(_ text: String) -> String {
    let unified = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    return unified.hasSuffix("\n") || unified.isEmpty ? unified : unified + "\n"
}
