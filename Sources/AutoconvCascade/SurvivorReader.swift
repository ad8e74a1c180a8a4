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
        guard let handle = fopen(path, "rb") else {
            throw CoreError.badInput("cannot read survivor file '\(path)': \(String(cString: strerror(errno)))")
        }
        // Properties are set only after validation, so a throw never reaches `deinit`.
        let facts: (header: SurvivorFormat.Header, count: UInt64, bytes: UInt64)
        do {
            facts = try SurvivorReader.validate(handle, path: path)
        } catch {
            fclose(handle)
            throw error
        }
        file = handle
        (header, count, bytes) = facts
        recordSize = 2 * header.problem.d
    }

    /// Checks header, trailer, size and checksum; leaves the handle at the first record.
    private static func validate(_ handle: UnsafeMutablePointer<FILE>, path: String) throws
        -> (header: SurvivorFormat.Header, count: UInt64, bytes: UInt64) {
        func bad(_ why: String) -> CoreError { .badInput("survivor file '\(path)' is invalid: \(why)") }
        fseeko(handle, 0, SEEK_END)
        let size = Int(ftello(handle))
        guard size >= SurvivorFormat.headerSize + SurvivorFormat.trailerSize else { throw bad("truncated") }
        var head = [UInt8](repeating: 0, count: SurvivorFormat.headerSize)
        var tail = [UInt8](repeating: 0, count: SurvivorFormat.trailerSize)
        fseeko(handle, 0, SEEK_SET)
        guard fread(&head, 1, head.count, handle) == head.count else { throw bad("truncated") }
        fseeko(handle, off_t(size - SurvivorFormat.trailerSize), SEEK_SET)
        guard fread(&tail, 1, tail.count, handle) == tail.count else { throw bad("truncated") }
        let header: SurvivorFormat.Header
        do {
            header = try SurvivorFormat.decodeHeader(head[...])
        } catch CoreError.badInput(let message) {
            throw bad(message)
        }
        guard let trailer = try? SurvivorFormat.decodeTrailer(tail[...]) else { throw bad("truncated") }
        let recordSize = 2 * header.problem.d
        let body = size - SurvivorFormat.headerSize - SurvivorFormat.trailerSize
        guard body % recordSize == 0, UInt64(body / recordSize) == trailer.count else {
            throw bad("record count \(trailer.count) does not match the data")
        }
        fseeko(handle, off_t(SurvivorFormat.headerSize), SEEK_SET)
        var hash = SurvivorFormat.checksum([UInt8]())
        var left = body
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while left > 0 {
            let want = min(left, chunk.count)
            guard fread(&chunk, 1, want, handle) == want else { throw bad("truncated") }
            hash = SurvivorFormat.checksum(chunk[0..<want], continuing: hash)
            left -= want
        }
        guard hash == trailer.checksum else { throw bad("checksum mismatch") }
        fseeko(handle, off_t(SurvivorFormat.headerSize), SEEK_SET)
        return (header, trailer.count, UInt64(size))
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

    /// Skips `k` records.
    public func skip(_ k: UInt64) throws {
        for _ in 0..<k { _ = try next() }
    }
}
