#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoconvCore

/// Streams survivors into a `SurvivorFormat` file. It writes `PATH.tmp` (a new regular file,
/// see `AtomicFile.create`), and only a complete file (flushed, fsynced) is renamed to `PATH`,
/// so a reader never sees a partial file.
public final class SurvivorWriter {
    public let path: String
    private let temporary: String
    private var file: UnsafeMutablePointer<FILE>?
    private var buffer: [UInt8] = []
    public private(set) var count: UInt64 = 0
    private var hash = SurvivorFormat.checksum([UInt8]())

    /// Opens the file at once, so an unwritable path fails before any work is done.
    public init(path: String, header: SurvivorFormat.Header) throws {
        self.path = path
        temporary = path + ".tmp"
        // Only regular files are written and renamed over: a FIFO, a device (/dev/null) or a
        // link to one at PATH would be replaced by the rename, so it is refused before anything
        // is touched; the temporary file is created afresh (O_EXCL, no links followed).
        guard Self.isAbsentOrRegular(path, followingLinks: true) else {
            throw CoreError.badInput("survivors file '\(path)' exists and is not a regular file")
        }
        let fd: Int32
        do {
            fd = try AtomicFile.create(temporary)
        } catch CoreError.badInput(let message) {
            throw CoreError.badInput("cannot write survivors file '\(path)': \(message)")
        }
        guard let handle = fdopen(fd, "wb") else {
            close(fd)
            unlink(temporary)
            throw CoreError.failure("cannot write survivors file '\(path)': \(String(cString: strerror(errno)))")
        }
        file = handle
        try write(SurvivorFormat.encode(header))
    }

    public func append(_ batch: [Survivor]) throws {
        for survivor in batch { try append(survivor.composition) }
    }

    /// Appends one composition; bytes are buffered and written in large blocks.
    public func append(_ composition: [Int]) throws {
        let before = buffer.count
        SurvivorFormat.encode(record: composition, into: &buffer)
        hash = SurvivorFormat.checksum(buffer[before...], continuing: hash)
        count += 1
        if buffer.count >= 1 << 20 { try flushBuffer() }
    }

    /// Completes the file: trailer, flush, fsync, rename, and fsync of the directory.
    public func finish() throws {
        try flushBuffer()
        try write(SurvivorFormat.trailer(count: count, checksum: hash))
        guard let handle = file, fflush(handle) == 0, fsync(fileno(handle)) == 0 else {
            throw CoreError.failure("cannot flush survivors file '\(path)'")
        }
        fclose(handle)
        file = nil
        try AtomicFile.rename(temporary, over: path)
    }

    /// Drops the partial file (after a failure).
    public func discard() {
        if let handle = file { fclose(handle) }
        file = nil
        unlink(temporary)
    }

    /// Nothing at `path`, or a regular file (with `followingLinks`, also a link to one).
    private static func isAbsentOrRegular(_ path: String, followingLinks: Bool) -> Bool {
        var info = stat()
        let found = followingLinks ? stat(path, &info) : lstat(path, &info)
        // A dangling link stats as absent but lstats as a link, so it is refused below.
        guard found == 0 else { return errno == ENOENT && lstat(path, &info) != 0 }
        return info.st_mode & S_IFMT == S_IFREG
    }

    private func flushBuffer() throws {
        try write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private func write(_ bytes: [UInt8]) throws {
        guard let handle = file, !bytes.isEmpty else { return }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) }
        guard written == bytes.count else {
            throw CoreError.failure("cannot write survivors file '\(path)': \(String(cString: strerror(errno)))")
        }
    }
}
