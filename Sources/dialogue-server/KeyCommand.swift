import ArgumentParser
import DialogueServer
import Foundation
import Transcripts

/// `--signing-key`: the transcript key file, for commands that sign or verify.
struct KeyOptions: ParsableArguments {
    @Option(help: "Transcript signing key file (env DIALOGUE_SIGNING_KEY). Default: signing-key.ed25519 in --data.")
    var signingKey: String?

    /// The key file's path for `data`.
    func path(data: DataOptions) -> String {
        let configured = signingKey ?? ProcessInfo.processInfo.environment["DIALOGUE_SIGNING_KEY"]
        return SigningKey.path(dataDirectory: data.data, override: configured.flatMap { $0.isEmpty ? nil : $0 })
    }
}

/// `key rotate` / `key show`: the transcript signing key.
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Manage the transcript signing key.", subcommands: [Rotate.self, Show.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Make a new signing key; the old public key is kept as retired beside it, so what it signed still verifies. Restart the servers that use the key file."
        )
        @OptionGroup var data: DataOptions
        @OptionGroup var key: KeyOptions

        func run() async throws {
            let path = key.path(data: data)
            do {
                let (retired, new) = try SigningKey.rotate(path: path)
                let raw = Array(new.publicKey.rawRepresentation)
                if let retired { printLine("retired: \(TrustedKeys.keyId(retired)) \(Base64.encode(retired))") }
                printLine("keyId: \(TrustedKeys.keyId(raw))")
                printLine("publicKey: \(Base64.encode(raw))")
            } catch { fail("\(error)", code: 2) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the ids and public keys of the current and retired keys (what verification trusts).")
        @OptionGroup var data: DataOptions
        @OptionGroup var key: KeyOptions

        func run() async throws {
            let path = key.path(data: data)
            do {
                guard let current = try SigningKey.load(path: path) else { fail("no signing key at \(path)", code: 2) }
                let raw = Array(current.publicKey.rawRepresentation)
                printLine("current: \(TrustedKeys.keyId(raw)) \(Base64.encode(raw))")
                for retired in try SigningKey.retiredKeys(keyPath: path) {
                    printLine("retired: \(TrustedKeys.keyId(retired)) \(Base64.encode(retired))")
                }
            } catch { fail("\(error)", code: 2) }
        }
    }
}
