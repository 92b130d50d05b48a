import Foundation

/// Files and folders only the server's user may read (docs/deployment.md, "Files"): the
/// data folder holds transcripts, personal names and the signing key.
package enum PrivateFiles {
    /// Mode of every file the server writes.
    package static let fileMode: Int16 = 0o600
    /// Mode of every folder the server creates.
    package static let folderMode: Int16 = 0o700

    /// Creates `path` (and missing parents) as 0700; an existing folder keeps its mode.
    package static func createDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: folderMode])
    }

    /// Writes `bytes` to `path` atomically (a 0600 temporary file renamed over it), so a
    /// reader never sees half a file and the old content is replaced whole.
    package static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp-\(UInt64.random(in: 0...UInt64.max))"
        guard
            FileManager.default.createFile(
                atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: fileMode])
        else { throw StoreError.writeFailed("cannot write \(temporary)") }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw StoreError.writeFailed("cannot write \(path): \(reason)")
        }
    }

    /// Restricts new files and folders of this process to its user (umask 077), before any
    /// is created: the database, its WAL and SHM files, backups, mail kept as files.
    package static func restrictNewFiles() {
        umask(0o077)
    }
}
