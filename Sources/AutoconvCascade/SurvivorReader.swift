#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoconvCore

/// Streams the records of a `SurvivorFormat` file in bounded memory.
///
/// Opening checks the header, the trailer, the size and the checksum of the whole file (one
/// streaming pass), so a corrupted or truncated file is refused (`badInput`, naming the file)
/// before any of its records is used.
public final class SurvivorReader {
    public let path: String
    public let header: SurvivorFormat.Header
    public let count: UInt64
    /// Size of the file in bytes.
    public let bytes: UInt64
    private let file: UnsafeMutablePointer<FILE>
    private let recordSize: Int
    private var buffer: [UInt8] = []
    private var position = 0
    public private(set) var read: UInt64 = 0

    public init(path: String) throws {
        self.path = path
        let handle = try SurvivorReader.open(path)
        // Properties are set only after validation, so a throw never reaches `deinit`.
        let facts: Shape
        do {
            facts = try SurvivorReader.shape(handle, path: path)
            try SurvivorReader.checkChecksum(handle, path: path, facts)
        } catch {
            fclose(handle)
            throw error
        }
        file = handle
        (header, count, bytes) = (facts.header, facts.count, facts.bytes)
        recordSize = 2 * header.problem.d
    }

    /// What a survivor file's header and trailer say, checked against its size but without
    /// reading the records: enough to cross-check a run directory's state on every open
    /// without reading every level's survivors.
    public struct Shape: Equatable, Sendable {
        public let header: SurvivorFormat.Header
        public let count: UInt64
        public let bytes: UInt64
        let checksum: UInt64
    }

    /// The file's `Shape` (header, trailer and size agree); `badInput` naming the file if not.
    public static func shape(of path: String) throws -> Shape {
        let handle = try open(path)
        defer { fclose(handle) }
        return try shape(handle, path: path)
    }

    private static func open(_ path: String) throws -> UnsafeMutablePointer<FILE> {
        guard let fd = try AtomicFile.openExisting(path) else {
            throw CoreError.badInput("cannot read survivor file '\(path)': \(String(cString: strerror(ENOENT)))")
        }
        guard let handle = fdopen(fd, "rb") else {
            close(fd)
            throw CoreError.badInput("cannot read survivor file '\(path)': \(String(cString: strerror(errno)))")
        }
        return handle
    }

    private static func bad(_ path: String, _ why: String) -> CoreError {
        .badInput("survivor file '\(path)' is invalid: \(why)")
    }

    /// Checks that header, trailer and size agree.
    private static func shape(_ handle: UnsafeMutablePointer<FILE>, path: String) throws -> Shape {
        fseeko(handle, 0, SEEK_END)
        let size = Int(ftello(handle))
        guard size >= SurvivorFormat.headerSize + SurvivorFormat.trailerSize else { throw bad(path, "truncated") }
        var head = [UInt8](repeating: 0, count: SurvivorFormat.headerSize)
        var tail = [UInt8](repeating: 0, count: SurvivorFormat.trailerSize)
        fseeko(handle, 0, SEEK_SET)
        guard fread(&head, 1, head.count, handle) == head.count else { throw bad(path, "truncated") }
        fseeko(handle, off_t(size - SurvivorFormat.trailerSize), SEEK_SET)
        guard fread(&tail, 1, tail.count, handle) == tail.count else { throw bad(path, "truncated") }
        let header: SurvivorFormat.Header
        do {
            header = try SurvivorFormat.decodeHeader(head[...])
        } catch CoreError.badInput(let message) {
            throw bad(path, message)
        }
        guard let trailer = try? SurvivorFormat.decodeTrailer(tail[...]) else { throw bad(path, "truncated") }
        let recordSize = 2 * header.problem.d
        let body = size - SurvivorFormat.headerSize - SurvivorFormat.trailerSize
        guard body % recordSize == 0, UInt64(body / recordSize) == trailer.count else {
            throw bad(path, "record count \(trailer.count) does not match the data")
        }
        return Shape(header: header, count: trailer.count, bytes: UInt64(size), checksum: trailer.checksum)
    }

    /// Checks the records against the trailer's checksum (one streaming pass); leaves the
    /// handle at the first record.
    private static func checkChecksum(_ handle: UnsafeMutablePointer<FILE>, path: String, _ shape: Shape) throws {
        fseeko(handle, off_t(SurvivorFormat.headerSize), SEEK_SET)
        var hash = SurvivorFormat.checksum([UInt8]())
        var left = Int(shape.bytes) - SurvivorFormat.headerSize - SurvivorFormat.trailerSize
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while left > 0 {
            let want = min(left, chunk.count)
            guard fread(&chunk, 1, want, handle) == want else { throw bad(path, "truncated") }
            hash = SurvivorFormat.checksum(chunk[0..<want], continuing: hash)
            left -= want
        }
        guard hash == shape.checksum else { throw bad(path, "checksum mismatch") }
        fseeko(handle, off_t(SurvivorFormat.headerSize), SEEK_SET)
    }

    deinit { fclose(file) }

    /// The next record, or nil after the last. Records are checked to sum to S.
    public func next() throws -> [Int]? {
        guard read < count else { return nil }
        if position + recordSize > buffer.count {
            let records = Int(min(count - read, UInt64(max(1, (1 << 20) / recordSize))))
            buffer = [UInt8](repeating: 0, count: records * recordSize)
            guard fread(&buffer, 1, buffer.count, file) == buffer.count else {
                throw CoreError.badInput("survivor file '\(path)' is invalid: truncated")
            }
            position = 0
        }
        var record = [Int](repeating: 0, count: recordSize / 2)
        var sum = 0
        for i in record.indices {
            record[i] = Int(buffer[position + 2 * i]) | Int(buffer[position + 2 * i + 1]) << 8
            sum += record[i]
        }
        position += recordSize
        read += 1
        guard sum == header.problem.S else {
            throw CoreError.badInput("survivor file '\(path)' is invalid: record \(read - 1) does not sum to S = \(header.problem.S)")
        }
        return record
    }

    /// Skips `k` records by seeking (the whole file was checked when it was opened), so that a
    /// shard far into a level starts at once.
    public func skip(_ k: UInt64) throws {
        guard k <= count - read else { throw CoreError.badInput("survivor file '\(path)' has \(count) records, not \(read + k)") }
        read += k
        buffer = []
        position = 0
        guard fseeko(file, off_t(SurvivorFormat.headerSize) + off_t(read) * off_t(recordSize), SEEK_SET) == 0 else {
            throw CoreError.failure("cannot seek in '\(path)': \(String(cString: strerror(errno)))")
        }
    }
}
