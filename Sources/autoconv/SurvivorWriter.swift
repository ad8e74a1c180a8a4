#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoconvCore

/// Streams survivors into a `SurvivorFormat` file. It writes `PATH.tmp`, and only a complete
/// file (flushed, fsynced) is renamed to `PATH`, so a reader never sees a partial file.
final class SurvivorWriter {
    let path: String
    private let temporary: String
    private var file: UnsafeMutablePointer<FILE>?
    private var count: UInt64 = 0
    private var hash = SurvivorFormat.checksum([UInt8]())

    /// Opens the file at once, so an unwritable path fails before any work is done.
    init(path: String, header: SurvivorFormat.Header) throws {
        self.path = path
        temporary = path + ".tmp"
        guard let handle = fopen(temporary, "wb") else {
            throw CoreError.badInput("cannot write survivors file '\(path)': \(String(cString: strerror(errno)))")
        }
        file = handle
        try write(SurvivorFormat.encode(header))
    }

    func append(_ batch: [Survivor]) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(batch.count * (batch.first?.composition.count ?? 0) * 2)
        for survivor in batch { SurvivorFormat.encode(record: survivor.composition, into: &bytes) }
        hash = SurvivorFormat.checksum(bytes, continuing: hash)
        count += UInt64(batch.count)
        try write(bytes)
    }

    func finish() throws {
        try write(SurvivorFormat.trailer(count: count, checksum: hash))
        guard let handle = file, fflush(handle) == 0, fsync(fileno(handle)) == 0 else {
            throw CoreError.failure("cannot flush survivors file '\(path)'")
        }
        fclose(handle)
        file = nil
        guard rename(temporary, path) == 0 else {
            throw CoreError.failure("cannot rename '\(temporary)' to '\(path)': \(String(cString: strerror(errno)))")
        }
    }

    /// Drops the partial file (after a failure).
    func discard() {
        if let handle = file { fclose(handle) }
        file = nil
        unlink(temporary)
    }

    private func write(_ bytes: [UInt8]) throws {
        guard let handle = file else { return }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) }
        guard written == bytes.count else {
            throw CoreError.failure("cannot write survivors file '\(path)': \(String(cString: strerror(errno)))")
        }
    }
}
