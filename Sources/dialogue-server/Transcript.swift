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

    /// The transcript service over `store` (SQLite in `data` when nil), signing with the key
    /// `keyOptions` names and trusting its retired keys. With `createKey` false a missing key
    /// file is an error: a command that rewrites signed files must sign them with the
    /// servers' key, not a new one nobody trusts.
    static func service(
        _ data: DataOptions, _ keyOptions: KeyOptions, store: (any DialogueStore)? = nil, createKey: Bool = true,
        checkpointEvents: Int = 64
    ) throws -> TranscriptService {
        let keyPath = keyOptions.path(data: data)
        guard let key = try createKey ? SigningKey.loadOrCreate(path: keyPath) : SigningKey.load(path: keyPath) else {
            throw StoreError.badSigningKey(
                path: keyPath, reason: "no key file; give the servers' key with --signing-key or DIALOGUE_SIGNING_KEY")
        }
        let store = try store ?? SQLiteStore(dataDirectory: data.data)
        return TranscriptService(
            store: store, key: key, dataDirectory: data.data, logger: Logger(label: "transcript"),
            retiredKeys: try SigningKey.retiredKeys(keyPath: keyPath), checkpointEvents: checkpointEvents)
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a session's transcript.")
        @Argument(help: "Session id.") var session: String
        @Option(help: "md, json or html.") var format = "md"
        @Option(help: "Language of the labels and of the glossary terms shown under each message.") var lang: String?
        @OptionGroup var data: DataOptions
        @OptionGroup var key: KeyOptions

        func run() async throws {
            guard ["md", "json", "html"].contains(format) else { fail("--format must be md, json or html", code: 2) }
            do {
                let service = try Transcript.service(data, key)
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
        @Option(
            help:
                "With --file: a base64 Ed25519 public key to trust (repeatable); instead of the keys of --data's signing key file."
        )
        var publicKey: [String] = []
        @Option(help: "The server's --checkpoint-events: a live session may have twice as many events unsigned.")
        var checkpointEvents = 64
        @OptionGroup var data: DataOptions
        @OptionGroup var key: KeyOptions

        func run() async throws {
            if let file {
                let trusted = trustedKeys()
                guard let bytes = FileManager.default.contents(atPath: file) else {
                    fail("cannot read \(file)", code: 2)
                }
                do {
                    let result = try TranscriptVerifier.verify(fileBytes: Array(bytes), trusted: trusted)
                    if trusted == nil && result.ok {
                        FileHandle.standardError.write(
                            Data(
                                ("dialogue-server: warning: key \(result.keyId) checked against the file's own publicKey only; "
                                    + "give --public-key or --data with the server's signing key to check who signed\n").utf8))
                    }
                    report(result, name: file)
                } catch {
                    fail("\(file): \(error)", code: 2)
                }
                return
            }
            if !publicKey.isEmpty { fail("--public-key goes with --file", code: 2) }
            let service: TranscriptService
            let ids: [String]
            do {
                service = try Transcript.service(data, key, checkpointEvents: checkpointEvents)
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

        /// The keys to trust for --file: those given, else the data folder's current and
        /// retired keys, else none (only self-consistency is then checked).
        private func trustedKeys() -> TrustedKeys? {
            if !publicKey.isEmpty {
                var keys: [[UInt8]] = []
                for text in publicKey {
                    guard let raw = Base64.decode(text), raw.count == 32 else {
                        fail("--public-key \(text) is not a base64 32-byte Ed25519 public key", code: 2)
                    }
                    keys.append(raw)
                }
                return TrustedKeys(keys)
            }
            let path = key.path(data: data)
            do {
                let current = try SigningKey.load(path: path)
                let keys = try SigningKey.trustedKeys(keyPath: path, current: current?.publicKey)
                return keys.isEmpty ? nil : keys
            } catch { fail("\(error)", code: 2) }
        }

        private func report(_ result: VerificationResult, name: String) {
            if !Self.printResult(result, name: name) { Foundation.exit(1) }
        }

        /// Prints one line per session; false when tampered.
        static func printResult(_ result: VerificationResult, name: String) -> Bool {
            if result.ok {
                let key = result.keyId.isEmpty ? "" : ", key \(result.keyId)"
                let unsigned = result.unsigned > 0 ? ", last \(result.unsigned) events not yet signed" : ""
                let redacted =
                    result.redacted.isEmpty ? "" : ", redacted seqs: " + result.redacted.map(String.init).joined(separator: ", ")
                printLine("ok: \(name): \(result.events) events, head \(result.head)\(key)\(unsigned)\(redacted)")
                return true
            }
            guard let bad = result.firstBadSeq else {
                printLine("TAMPERED: \(name): \(result.reason ?? "")")
                return false
            }
            printLine("TAMPERED: \(name): first bad seq \(bad): \(result.reason ?? "")")
            return false
        }
    }
}
