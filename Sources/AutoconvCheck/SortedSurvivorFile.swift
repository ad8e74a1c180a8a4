#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoconvCore

/// A `SurvivorFormat` file read by the cascade checker in bounded memory: records by index
/// (`pread`), in order through `forEach`, and membership by binary search, which relies on the
/// file's records being in strictly increasing lexicographic order — `forEach` checks that
/// order on every pass, so a caller that has streamed the file once may trust `contains`.
///
/// The checker's own reader (it does not import AutoconvCascade's `SurvivorReader`), sharing only
/// the byte layout with the producer through `SurvivorFormat`.
final class SortedSurvivorFile {
    let path: String
    let header: SurvivorFormat.Header
    let count: UInt64
    private let descriptor: Int32
    private let recordSize: Int
    private var d: Int { header.problem.d }

    /// Opens the file and checks header, trailer, size and checksum (one streaming pass); any
    /// defect is a `Verifier.Rejection` naming the file.
    init(path: String) throws {
        self.path = path
        let fd = try RegularFile.open(path).get()
        do {
            (header, count) = try Self.validate(fd, path: path)
        } catch {
            close(fd)
            throw error
        }
        descriptor = fd
        recordSize = 2 * header.problem.d
    }

    deinit { close(descriptor) }

    private static func validate(_ fd: Int32, path: String) throws -> (SurvivorFormat.Header, UInt64) {
        func bad(_ why: String) -> Verifier.Rejection { Verifier.Rejection(reason: "survivor file '\(path)' is invalid: \(why)") }
        let size = Int(lseek(fd, 0, SEEK_END))
        guard size >= SurvivorFormat.headerSize + SurvivorFormat.trailerSize else { throw bad("truncated") }
        guard let head = readBytes(fd, at: 0, count: SurvivorFormat.headerSize),
              let tail = readBytes(fd, at: size - SurvivorFormat.trailerSize, count: SurvivorFormat.trailerSize) else {
            throw bad("truncated")
        }
        let header: SurvivorFormat.Header
        do {
            header = try SurvivorFormat.decodeHeader(head[...])
        } catch {
            throw bad("\(error)")
        }
        guard let trailer = try? SurvivorFormat.decodeTrailer(tail[...]) else { throw bad("truncated") }
        let body = size - SurvivorFormat.headerSize - SurvivorFormat.trailerSize
        guard body % (2 * header.problem.d) == 0, UInt64(body / (2 * header.problem.d)) == trailer.count else {
            throw bad("record count \(trailer.count) does not match the data")
        }
        var hash = SurvivorFormat.checksum([UInt8]())
        var offset = SurvivorFormat.headerSize
        while offset < SurvivorFormat.headerSize + body {
            let want = min(1 << 20, SurvivorFormat.headerSize + body - offset)
            guard let chunk = readBytes(fd, at: offset, count: want) else { throw bad("truncated") }
            hash = SurvivorFormat.checksum(chunk, continuing: hash)
            offset += want
        }
        guard hash == trailer.checksum else { throw bad("checksum mismatch") }
        return (header, trailer.count)
    }

    private static func readBytes(_ fd: Int32, at offset: Int, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            guard got > 0 else { return nil }
            done += got
        }
        return bytes
    }

    private func decode(_ bytes: [UInt8], at start: Int) -> [Int] {
        (0..<d).map { Int(bytes[start + 2 * $0]) | Int(bytes[start + 2 * $0 + 1]) << 8 }
    }

    private func bytes(from index: UInt64, records k: Int) throws -> [UInt8] {
        guard let bytes = Self.readBytes(descriptor, at: SurvivorFormat.headerSize + Int(index) * recordSize, count: k * recordSize) else {
            throw Verifier.Rejection(reason: "survivor file '\(path)' is invalid: truncated")
        }
        return bytes
    }

    /// The record at `index` (< `count`).
    func record(at index: UInt64) throws -> [Int] {
        decode(try bytes(from: index, records: 1), at: 0)
    }

    /// Calls `body(index, record)` for every record in file order. Throws a `Verifier.Rejection`
    /// if a record does not sum to S or does not come strictly after the one before.
    func forEach(_ body: (UInt64, [Int]) throws -> Void) throws {
        let perChunk = max(1, (1 << 20) / recordSize)
        var index: UInt64 = 0
        var previous: [Int]?
        while index < count {
            let k = Int(min(UInt64(perChunk), count - index))
            let chunk = try bytes(from: index, records: k)
            for r in 0..<k {
                let c = decode(chunk, at: r * recordSize)
                guard c.reduce(0, +) == header.problem.S else {
                    throw Verifier.Rejection(reason: "'\(path)' record \(index) does not sum to S = \(header.problem.S)")
                }
                if let previous, !previous.lexicographicallyPrecedes(c) {
                    throw Verifier.Rejection(reason: "'\(path)' is not in strictly increasing order at record \(index) \(c)")
                }
                try body(index, c)
                previous = c
                index += 1
            }
        }
    }

    /// Whether `c` is a record, by binary search (valid once `forEach` has checked the order).
    func contains(_ c: [Int]) throws -> Bool {
        try index(of: c) != nil
    }

    /// The index of the first record not before `c` (`count` if none), by binary search (valid
    /// once `forEach` has checked the order).
    func lowerBound(of c: [Int]) throws -> UInt64 {
        var low: UInt64 = 0, high = count
        while low < high {
            let middle = low + (high - low) / 2
            if try record(at: middle).lexicographicallyPrecedes(c) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The index of the record `c`, by binary search (valid once `forEach` has checked the order).
    func index(of c: [Int]) throws -> UInt64? {
        var low: UInt64 = 0, high = count
        while low < high {
            let middle = low + (high - low) / 2
            let r = try record(at: middle)
            if r == c { return middle }
            if r.lexicographicallyPrecedes(c) { low = middle + 1 } else { high = middle }
        }
        return nil
    }
}
