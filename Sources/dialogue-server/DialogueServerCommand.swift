import ArgumentParser
import DialogueServer
import Foundation
import Logging

/// `dialogue-server`: the virtual investor-meeting dialogue server and its tools.
@main
struct DialogueServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dialogue-server",
        abstract: "Live, recorded investor dialogues over WebSocket, with tamper-evident transcripts.",
        subcommands: [Serve.self, Staff.self, Index.self, Transcript.self, Backup.self, GlossaryCommand.self],
        defaultSubcommand: Serve.self)
}

/// Options shared by every command that reads the data folder.
struct DataOptions: ParsableArguments {
    @Option(help: "Folder of the database, signing key and transcripts.")
    var data: String = "Transcripts"
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
