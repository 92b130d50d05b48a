import ArgumentParser
import Dialogue
import DialogueServer
import Foundation
import Logging
import Store
import Transcripts

/// `transcript export|verify|redact`.
struct Transcript: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export and verify transcripts.", subcommands: [Export.self, Verify.self, Redact.self])

    static func service(_ data: DataOptions) throws -> TranscriptService {
        let store = try SQLiteStore(dataDirectory: data.data)
        let key = try SigningKey.loadOrCreate(dataDirectory: data.data)
        return TranscriptService(store: store, key: key, dataDirectory: data.data, logger: Logger(label: "transcript"))
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a session's transcript.")
        @Argument(help: "Session id.") var session: String
        @Option(help: "md, json or html.") var format = "md"
        @Option(help: "Language of the labels and of the glossary terms shown under each message.") var lang: String?
        @OptionGroup var data: DataOptions

        func run() async throws {
            guard ["md", "json", "html"].contains(format) else { fail("--format must be md, json or html", code: 2) }
            do {
                let service = try Transcript.service(data)
                guard let document = try await service.document(session: session, termsLanguage: lang) else {
                    fail("no session \(session)", code: 2)
                }
                let user = ProcessInfo.processInfo.environment["USER"] ?? "unknown"
                try await service.store.audit(
                    actor: "cli:\(user)", action: "read transcript", session: session, detail: "format=\(format)")
                FileHandle.standardOutput.write(Data(service.render(document, format: format, language: lang).utf8))
            } catch { fail("\(error)", code: 2) }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check hash chains and signatures: exit 0 intact, 1 tampered, 2 unknown or unreadable.")
        @Argument(help: "Session id; all sessions when omitted.") var session: String?
        @Option(help: "An exported JSON transcript to check offline.") var file: String?
        @OptionGroup var data: DataOptions

        func run() async throws {
            if let file {
                guard let bytes = FileManager.default.contents(atPath: file) else {
                    fail("cannot read \(file)", code: 2)
                }
                do {
                    report(try TranscriptVerifier.verify(fileBytes: Array(bytes)), name: file)
                } catch {
                    fail("\(file): \(error)", code: 2)
                }
                return
            }
            let service: TranscriptService
            let ids: [String]
            do {
                service = try Transcript.service(data)
                ids = if let session { [session] } else { try await service.store.sessionIds() }
            } catch { fail("\(error)", code: 2) }
            var tampered = false
            for id in ids {
                do {
                    guard let result = try await service.verify(session: id) else { fail("no session \(id)", code: 2) }
                    if !Self.printResult(result, name: id) { tampered = true }
                } catch { fail("\(id): \(error)", code: 2) }
            }
            if tampered { throw ExitCode(1) }
        }

        private func report(_ result: VerificationResult, name: String) {
            if !Self.printResult(result, name: name) { Foundation.exit(1) }
        }

        /// Prints one line per session; false when tampered.
        static func printResult(_ result: VerificationResult, name: String) -> Bool {
            if result.ok {
                let redacted =
                    result.redacted.isEmpty ? "" : ", redacted seqs: " + result.redacted.map(String.init).joined(separator: ", ")
                printLine("ok: \(name): \(result.events) events, head \(result.head)\(redacted)")
                return true
            }
            printLine(
                "TAMPERED: \(name): first bad seq \(result.firstBadSeq.map(String.init) ?? "?"): \(result.reason ?? "")"
            )
            return false
        }
    }
}
