#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoconvCore

/// The run directory's file operations. Every file is opened without following a symlink
/// (`O_NOFOLLOW`) and must be a regular file, so a FIFO, device or link planted in a run
/// directory is refused rather than read from (a FIFO would block forever) or written through.
/// New files are created with `O_EXCL`; small files are replaced atomically: written to
/// `PATH.tmp`, fsynced, renamed over `PATH`, and the directory fsynced, so after a crash `PATH`
/// holds either the old or the new content, whole.
enum AtomicFile {
    static func write(_ text: String, to path: String) throws {
        let temporary = path + ".tmp"
        let fd = try create(temporary)
        let bytes = Array(text.utf8)
        let written = writeAll(fd, bytes)
        let synced = fsync(fd) == 0
        close(fd)
        guard written, synced else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CoreError.failure("cannot write '\(path)': \(reason)")
        }
        try rename(temporary, over: path)
    }

    /// Renames a finished temporary file over `path`, which must be absent or a regular file,
    /// and makes the rename durable.
    static func rename(_ temporary: String, over path: String) throws {
        do {
            try requireRegularOrAbsent(path)
        } catch {
            unlink(temporary)
            throw error
        }
        guard Glibc.rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CoreError.failure("cannot rename '\(temporary)' to '\(path)': \(reason)")
        }
        syncDirectory(of: path)
    }

    /// Creates `path` as a new, empty regular file for writing (`O_EXCL`, `O_NOFOLLOW`); a stale
    /// file of that name (left by a crash) is removed first. Returns the descriptor.
    static func create(_ path: String) throws -> Int32 {
        try requireRegularOrAbsent(path)
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CoreError.badInput("cannot create '\(path)': \(String(cString: strerror(errno)))")
        }
        return fd
    }

    /// Opens an existing regular file (`flags` plus `O_NOFOLLOW`, non-blocking so that a FIFO
    /// cannot stall the open). Nil if there is no such file; `badInput` if it is not a regular file.
    static func openExisting(_ path: String, flags: Int32 = O_RDONLY) throws -> Int32? {
        let fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            let reason = errno == ELOOP ? "it is a symbolic link" : String(cString: strerror(errno))
            throw CoreError.badInput("cannot open '\(path)': \(reason)")
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw CoreError.badInput("'\(path)' is not a regular file")
        }
        return fd
    }

    /// The whole file, or nil if it does not exist. A node that is not a regular file, or a read
    /// error, is an error.
    static func readBytes(_ path: String) throws -> [UInt8]? {
        guard let fd = try openExisting(path) else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw CoreError.badInput("cannot read '\(path)': \(String(cString: strerror(errno)))") }
            if got == 0 { return bytes }
            bytes += chunk[0..<got]
        }
    }

    /// Throws `badInput` when `path` exists and is not a regular file (nothing is ever written
    /// into or renamed over a directory, FIFO, device or symbolic link).
    static func requireRegularOrAbsent(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw CoreError.badInput("'\(path)' exists and is not a regular file")
        }
    }

    /// Writes all of `bytes` to `fd`; false on an error.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let wrote = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if wrote < 0 && errno == EINTR { continue }
            guard wrote > 0 else { return false }
            done += wrote
        }
        return true
    }

    /// fsync of the directory holding `path`, so that a rename in it is durable.
    static func syncDirectory(of path: String) {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func remove(_ path: String) { unlink(path) }

    static func size(_ path: String) -> UInt64 {
        var info = stat()
        return lstat(path, &info) == 0 ? UInt64(info.st_size) : 0
    }

    /// Whether `path` is a directory (by default following a symbolic link to one).
    static func isDirectory(_ path: String, followingLinks: Bool = true) -> Bool {
        var info = stat()
        return (followingLinks ? stat(path, &info) : lstat(path, &info)) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Names of the entries of a directory (without "." and "..").
    static func list(_ directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
