import Foundation

/// Runs a converter as a separate process with a time limit, an address-space limit
/// (`prlimit`, where the program allows one) and its output written to a file whose size the
/// kernel caps; nothing of the server's environment but `PATH` and a UTF-8 locale.
struct ConverterProcess {
    var executable: String
    var arguments: [String]
    /// Seconds before the process is killed.
    var timeLimit: Double
    /// Bytes of virtual memory (nil: none, for runtimes that reserve address space up front).
    var memoryLimit: Int?
    /// Largest file the process may write.
    var outputLimit: Int

    struct Outcome {
        var status: Int32
        var timedOut: Bool
        var standardError: String
    }

    /// The program's path on `PATH`, or nil.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs it to the end (or the time limit) off the caller's thread.
    func run() async throws(IntakeError) -> Outcome {
        let process = Process()
        var arguments = arguments
        var launched = executable
        if let prlimit = Self.find("prlimit") {
            var limits = ["--fsize=\(outputLimit)", "--core=0"]
            if let memoryLimit { limits.append("--as=\(memoryLimit)") }
            arguments = limits + ["--", executable] + arguments
            launched = prlimit
        }
        process.executableURL = URL(fileURLWithPath: launched)
        process.arguments = arguments
        process.environment = [
            "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": NSTemporaryDirectory(),
        ]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let finished = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in finished.continuation.finish() }
        do {
            try process.run()
        } catch {
            throw .converterUnavailable("cannot run \(executable): \(error.localizedDescription)")
        }
        let pid = process.processIdentifier
        let timeLimit = timeLimit
        let watchdog = Task.detached {
            try? await Task.sleep(for: .seconds(timeLimit))
            guard !Task.isCancelled else { return }
            kill(pid, SIGKILL)
        }
        // Read stderr while it runs (a full pipe would stall the converter), keeping 4 KiB, on a
        // thread of its own: a blocking read must not hold a thread of Swift's shared pool.
        let errorText = AsyncStream<String>.makeStream()
        let reader = Thread {
            var kept = Data()
            while let chunk = try? errors.fileHandleForReading.read(upToCount: 65_536), !chunk.isEmpty {
                if kept.count < 4096 { kept.append(chunk.prefix(4096 - kept.count)) }
            }
            errorText.continuation.yield(String(decoding: kept, as: UTF8.self))
            errorText.continuation.finish()
        }
        reader.start()
        for await _ in finished.stream {}
        watchdog.cancel()
        var standardError = ""
        for await text in errorText.stream { standardError = text }
        let timedOut = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
        return Outcome(status: process.terminationStatus, timedOut: timedOut, standardError: standardError)
    }
}
