import ArgumentParser
import Dialogue
import DialogueServer
import Foundation
import Logging
import Store
import Transcripts

/// The redaction service over the store the options name, without a hub. On PostgreSQL the
/// running nodes' readers are told through the store; a running SQLite server's are not, so
/// a live session there is redacted through the server's route. The archive files it
/// rewrites are signed with the servers' key (`--signing-key`, never a new one), and the
/// retired keys stay trusted, as `serve` does.
func redactionService(data: DataOptions, store: StoreOptions, key: KeyOptions) async throws -> RedactionService {
    let opened = try await store.open(data: data)
    let logger = Logger(label: "redaction")
    let transcripts = try Transcript.service(data, key, store: opened, createKey: false)
    return RedactionService(
        store: opened, transcripts: transcripts, index: RedactionService.existingIndex(dataDirectory: data.data),
        logger: logger)
}

/// Who runs a command, for the audit log.
var cliActor: String { "cli:\(ProcessInfo.processInfo.environment["USER"] ?? "unknown")" }

extension Transcript {
    /// `transcript redact SESSION SEQ --reason TEXT`.
    struct Redact: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove an event's text from the store, search index, archive files and later exports.")
        @Argument(help: "Session id.") var session: String
        @Argument(help: "The event's seq.") var seq: Int64
        @Option(help: "Why (recorded with who and when).") var reason: String
        @OptionGroup var data: DataOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var key: KeyOptions

        func validate() throws {
            if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw ValidationError("--reason must say why")
            }
        }

        func run() async throws {
            do {
                let service = try await redactionService(data: data, store: store, key: key)
                let record = try await service.redact(session: session, seq: seq, reason: reason, actor: cliActor)
                printLine("redacted seq \(record.seq) of \(record.session) at \(record.at)")
            } catch StoreError.notFound(let what) {
                fail("no \(what)", code: 2)
            } catch { fail("\(error)", code: 1) }
        }
    }
}

/// `erase-participant INVITE_ID`.
struct EraseParticipant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase-participant",
        abstract: "Erase an investor's name, organisation and messages; their events stay in the chain, redacted.")
    @Argument(help: "The invite id (the participant's id).") var invite: String
    @Option(help: "Why (recorded with who and when).") var reason = "erasure requested"
    @OptionGroup var data: DataOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var key: KeyOptions

    func run() async throws {
        do {
            let service = try await redactionService(data: data, store: store, key: key)
            let erased = try await service.eraseParticipant(invite: invite, actor: cliActor, reason: reason)
            printLine("erased \(invite) in \(erased.session): \(erased.seqs.count) events")
        } catch StoreError.notFound(let what) {
            fail("no \(what)", code: 2)
        } catch { fail("\(error)", code: 1) }
    }
}

/// `retention run --days N`.
struct Retention: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the retention policy once.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Clear ended sessions older than --days (text redacted, investors erased; signed heads kept).")
        @Option(help: "Age in days (fractions allowed) after which an ended session is cleared.") var days: Double
        @OptionGroup var data: DataOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var key: KeyOptions

        func validate() throws {
            if !(days >= 0) { throw ValidationError("--days must be a number ≥ 0") }
        }

        func run() async throws {
            do {
                let service = try await redactionService(data: data, store: store, key: key)
                let cleared = try await service.applyRetention(days: days)
                printLine(
                    "cleared \(cleared.count) sessions"
                        + (cleared.isEmpty ? "" : ": " + cleared.joined(separator: ", ")))
            } catch { fail("\(error)", code: 1) }
        }
    }
}
