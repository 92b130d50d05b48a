import ArgumentParser
import DialogueServer
import Foundation
import Logging
import PostgresStore
import Store

/// `dialogue-server`: the virtual investor-meeting dialogue server and its tools.
@main
struct DialogueServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dialogue-server",
        abstract: "Live, recorded investor dialogues over WebSocket, with tamper-evident transcripts.",
        subcommands: [
            Serve.self, Staff.self, Index.self, Transcript.self, Backup.self, GlossaryCommand.self, MigrateStore.self,
            EraseParticipant.self, Retention.self, KeyCommand.self,
        ],
        defaultSubcommand: Serve.self)

    /// ArgumentParser's own entry point, after restricting new files to the server's user:
    /// every command writes into the data folder (database, WAL, backups, transcripts).
    static func main() async {
        PrivateFiles.restrictNewFiles()
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// Options shared by every command that reads the data folder.
struct DataOptions: ParsableArguments {
    @Option(help: "Folder of the database, signing key and transcripts.")
    var data: String = "Transcripts"
}

/// `--store`: the shared PostgreSQL store of a multi-node deployment, for commands that
/// manage what is in it (staff accounts).
struct StoreOptions: ParsableArguments {
    @Option(help: "postgres://USER[:PASSWORD]@HOST[:PORT]/DB (env DIALOGUE_STORE); SQLite in --data when absent.")
    var store: String?

    /// The store named, else SQLite in `data`.
    func open(data: DataOptions) async throws -> any DialogueStore {
        let url = store ?? ProcessInfo.processInfo.environment["DIALOGUE_STORE"]
        if let url, !url.isEmpty { return try await PostgresStore.open(url: url) }
        return try SQLiteStore(dataDirectory: data.data)
    }
}

/// Sends logs to stderr, once.
enum Logs {
    static func bootstrap(level: Logger.Level = .info) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "dialogue-server")
    }
}

/// Prints to stderr and exits with `code`.
func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data(("dialogue-server: " + message + "\n").utf8))
    exit(code)
}

/// Writes one line to stdout and flushes, so a parent process sees it at once.
func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
