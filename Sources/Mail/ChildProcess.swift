import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a program to completion with bytes on its standard input, collecting the start of what
/// it prints, with a deadline. Blocking: call it through `BlockingWork`.
///
/// Written on posix_spawn rather than Foundation's `Process` for three things a mail program
/// needs: the child gets its own process group, so that killing it at the deadline also kills
/// whatever it started (otherwise a grandchild holding its output open keeps us waiting);
/// standard input is a socket written with MSG_NOSIGNAL, so that a child exiting early gives
/// EPIPE instead of a SIGPIPE that would kill the server; and no descriptor of the server
/// (listening sockets, databases) leaks into the child. Linux-specific in places
/// (SOCK_CLOEXEC, MSG_NOSIGNAL, glibc's closefrom), as the server is.
enum ChildProcess {
    enum Termination: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)
        /// Killed at the deadline.
        case timedOut
        /// waitpid failed (SIGCHLD ignored by the server, say): the status is lost.
        case unknown(errno: Int32)
    }

    struct Outcome: Sendable {
        let termination: Termination
        /// The first bytes of standard output and standard error together (some programs
        /// report on one, some on the other).
        let output: [UInt8]
    }

    /// The program could not be started; `code` is the errno.
    struct LaunchError: Error, Sendable {
        let operation: String
        let code: Int32
    }

    static func run(
        path: String, arguments: [String], input: [UInt8], timeout: Duration, outputLimit: Int = 500
    ) throws(LaunchError) -> Outcome {
        let deadline = ContinuousClock.now + timeout
        // Socket pairs rather than pipes: created close-on-exec in one call (pipe2 is not
        // imported), so that no other child started meanwhile inherits them.
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        var inputPair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, type, 0, &inputPair) == 0 else {
            throw LaunchError(operation: "create a socket pair for", code: errno)
        }
        var outputPair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, type, 0, &outputPair) == 0 else {
            let code = errno
            close(inputPair[0])
            close(inputPair[1])
            throw LaunchError(operation: "create a socket pair for", code: code)
        }

        let spawned = spawn(path: path, arguments: arguments, stdin: inputPair[1], stdout: outputPair[1])
        // The child's ends belong to the child now.
        close(inputPair[1])
        close(outputPair[1])
        let pid: pid_t
        switch spawned {
        case .success(let child): pid = child
        case .failure(let error):
            close(inputPair[0])
            close(outputPair[0])
            throw error
        }

        // Written from another thread: a child that prints a lot before reading its input
        // would otherwise block on its full output while we block on its full input.
        let inputFD = inputPair[0]
        // The writer gives up at the deadline too, should the program pass its input on to
        // something outside its process group that neither reads nor dies.
        var sendLimit = timeval(tv_sec: Int(max(1, timeout.components.seconds)), tv_usec: 0)
        setsockopt(inputFD, SOL_SOCKET, SO_SNDTIMEO, &sendLimit, socklen_t(MemoryLayout<timeval>.size))
        let writer = Thread { writeAll(input, to: inputFD) }
        writer.name = "child-input"
        writer.start()

        let (output, outputEnded) = readOutput(outputPair[0], limit: outputLimit, until: deadline)
        close(outputPair[0])
        let termination = outputEnded ? waitForExit(pid, until: deadline) : killAndReap(pid)
        return Outcome(termination: termination, output: output)
    }

    private static func spawn(
        path: String, arguments: [String], stdin: Int32, stdout: Int32
    ) -> Result<pid_t, LaunchError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stdout, 2)
        if let addCloseFrom { _ = addCloseFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group (pgid = its pid), no blocked signals, default dispositions:
        // the server's own signal setup is none of the child's business.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // Only what a mail program needs from the environment: the server's own variables
        // (a store URL with its password, provider keys) are none of its business.
        let environment: [UnsafeMutablePointer<CChar>?] =
            Self.passedEnvironment.map { strdup($0) } + [nil]
        defer { environment.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, path, &actions, &attributes, argv, environment)
        return result == 0 ? .success(pid) : .failure(LaunchError(operation: "start", code: result))
    }

    /// `NAME=value` of the variables a sendmail-compatible program may need (where to find
    /// programs and its configuration, its language, temporary files).
    static var passedEnvironment: [String] {
        let names = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ"]
        let environment = ProcessInfo.processInfo.environment
        return names.compactMap { name in environment[name].map { "\(name)=\($0)" } }
    }

    /// glibc 2.34+ has posix_spawn_file_actions_addclosefrom_np, but declares it only under
    /// _GNU_SOURCE, which Swift's Glibc module is not built with: looked up at run time.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    /// Writes the input and closes the socket; stops quietly when the child stops reading
    /// (EPIPE: its exit status will say why).
    private static func writeAll(_ input: [UInt8], to fd: Int32) {
        var offset = 0
        while offset < input.count {
            let sent = input.withUnsafeBytes { buffer in
                send(fd, buffer.baseAddress.map { $0 + offset }, input.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                break
            }
            offset += sent
        }
        shutdown(fd, Int32(SHUT_WR))
        close(fd)
    }

    /// Reads until end of file or the deadline; keeps the first `limit` bytes and drains the
    /// rest. Returns whether end of file was reached.
    private static func readOutput(_ fd: Int32, limit: Int, until deadline: ContinuousClock.Instant) -> ([UInt8], Bool)
    {
        var kept: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { return (kept, false) }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(
                clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000
                    + 1)
            let ready = poll(&poller, 1, milliseconds)
            if ready < 0, errno != EINTR { return (kept, true) }
            if ready <= 0 { continue }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return (kept, true)
            }
            if count == 0 { return (kept, true) }
            if kept.count < limit { kept += chunk[0..<min(count, limit - kept.count)] }
        }
    }

    /// The child closed its output; it normally exits right after. Polls for its status until
    /// the deadline (a blocking waitpid could wait forever for a child that closed its output
    /// and carried on), then kills it.
    private static func waitForExit(_ pid: pid_t, until deadline: ContinuousClock.Instant) -> Termination {
        while ContinuousClock.now < deadline {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return termination(status) }
            if result < 0, errno != EINTR { return .unknown(errno: errno) }
            usleep(2_000)
        }
        return killAndReap(pid)
    }

    /// SIGKILL to the child's whole process group, then its exit status (which is never far).
    private static func killAndReap(_ pid: pid_t) -> Termination {
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return .timedOut
    }

    /// The W* macros of <sys/wait.h>, which Swift does not import.
    private static func termination(_ status: Int32) -> Termination {
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
    }
}
