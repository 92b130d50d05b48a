import Foundation

#if FUZZING
    import CLibFuzzer
#endif

/// An input that broke one of a fuzz target's invariants: what held and what did not.
package struct FuzzFailure: Error, CustomStringConvertible {
    /// What was expected and what was found instead.
    package var message: String

    package init(_ message: String) { self.message = message }

    package var description: String { message }
}

/// Fails the input unless `condition` holds; fuzz targets state their invariants with it.
package func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(FuzzFailure) {
    if !condition { throw FuzzFailure(message()) }
}

/// The `main` of every fuzz target. Built with `-DFUZZING -sanitize=fuzzer` (make fuzz) it
/// hands the command line to libFuzzer; in a normal build it replays the committed seed
/// corpus and crash reproducers, so `make test` runs each of them as a regression test.
package enum FuzzDriver {
    /// The target's per-input check. libFuzzer calls inputs one at a time on one thread,
    /// and the check is set once before the first, so the unsynchronised global is safe.
    nonisolated(unsafe) static var check: ([UInt8]) throws(FuzzFailure) -> Void = { _ throws(FuzzFailure) in }

    /// Runs `check` over libFuzzer's inputs, or over every file of `folders` (or of the
    /// files and folders named on the command line) when not built for fuzzing.
    package static func main(
        target: String, folders: [String], check: @escaping ([UInt8]) throws(FuzzFailure) -> Void
    ) -> Never {
        Self.check = check
        #if FUZZING
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput))
        #else
            let arguments = Array(CommandLine.arguments.dropFirst())
            exit(replay(target: target, paths: arguments.isEmpty ? folders : arguments))
        #endif
    }

    /// Replays each file (of each folder, in name order); 0 when every input passed, 1 when
    /// one broke an invariant, 2 when a path is missing. A crash ends the process: with
    /// FUZZ_VERBOSE set, each file's name is printed before it runs, naming the culprit.
    static func replay(target: String, paths: [String]) -> Int32 {
        let manager = FileManager.default
        var files: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isFolder) else {
                FileHandle.standardError.write(Data("\(target): no such file or folder: \(path)\n".utf8))
                return 2
            }
            if isFolder.boolValue {
                let names = (try? manager.contentsOfDirectory(atPath: path)) ?? []
                files += names.filter { !$0.hasPrefix(".") }.sorted().map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        let verbose = ProcessInfo.processInfo.environment["FUZZ_VERBOSE"] != nil
        var failed = 0
        for file in files {
            guard let data = manager.contents(atPath: file) else { continue }
            if verbose { FileHandle.standardError.write(Data("\(target): \(file)\n".utf8)) }
            do {
                try check(Array(data))
            } catch {
                failed += 1
                FileHandle.standardError.write(Data("\(target): FAILED \(file): \(error.message)\n".utf8))
            }
        }
        print("\(target): \(files.count - failed) passed, \(failed) failed")
        return failed == 0 ? 0 : 1
    }

    /// The folders a target replays by default: its corpus and its crash reproducers,
    /// beside the target's own source file.
    package static func defaultFolders(besides sourceFile: String) -> [String] {
        let folder = URL(fileURLWithPath: sourceFile).deletingLastPathComponent().path
        return [folder + "/corpus", folder + "/regressions"]
    }
}

/// libFuzzer's per-input entry point: runs the target's check, and turns a broken invariant
/// into a crash so that libFuzzer saves the input as a reproducer.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try FuzzDriver.check(bytes)
    } catch {
        fatalError("invariant broken: \(error.message)")
    }
    return 0
}
