/// The binary survivor file, version 1 (bytes only; reading and writing files is the caller's).
///
///     header  52 bytes  "ACSURV\0\0", u32 version, u32 n, u32 m, u32 d, u8 rule (0 flat,
///                       1 refined), u8 windows (0 = d, 1 = 2d), u16 0, i64 target p,
///                       i64 target q, u32 level, u32 0
///     records d × u16   one composition each, in rank order (S ≤ 46,340 fits 16 bits)
///     trailer 24 bytes  "ACEND\0\0\0", u64 record count, u64 FNV-1a checksum of the records
///
/// Everything is little-endian. The trailer makes the file streamable (the count is known only
/// at the end) and lets a reader reject a truncated or edited file.
public enum SurvivorFormat {
    public static let version: UInt32 = 1
    public static let headerSize = 52
    public static let trailerSize = 24
    static let magic: [UInt8] = Array("ACSURV".utf8) + [0, 0]
    static let endMagic: [UInt8] = Array("ACEND".utf8) + [0, 0, 0]

    public struct Header: Equatable, Sendable {
        public let problem: Problem
        public let target: Fraction
        public let level: Int

        public init(problem: Problem, target: Fraction, level: Int) {
            self.problem = problem
            self.target = target
            self.level = level
        }
    }

    public static func encode(_ header: Header) -> [UInt8] {
        var bytes = magic
        append(&bytes, UInt64(version), 4)
        append(&bytes, UInt64(header.problem.n), 4)
        append(&bytes, UInt64(header.problem.m), 4)
        append(&bytes, UInt64(header.problem.d), 4)
        bytes.append(header.problem.rule == .flat ? 0 : 1)
        bytes.append(header.problem.windows == .d ? 0 : 1)
        append(&bytes, 0, 2)
        append(&bytes, UInt64(bitPattern: header.target.numerator), 8)
        append(&bytes, UInt64(bitPattern: header.target.denominator), 8)
        append(&bytes, UInt64(header.level), 4)
        append(&bytes, 0, 4)
        return bytes
    }

    public static func encode(record c: [Int], into bytes: inout [UInt8]) {
        for part in c { append(&bytes, UInt64(part), 2) }
    }

    public static func trailer(count: UInt64, checksum: UInt64) -> [UInt8] {
        var bytes = endMagic
        append(&bytes, count, 8)
        append(&bytes, checksum, 8)
        return bytes
    }

    /// FNV-1a, 64-bit, continued from `hash` over `bytes`.
    public static func checksum<C: Collection>(_ bytes: C, continuing hash: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 where C.Element == UInt8 {
        var h = hash
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// Parses a whole file; every defect is a one-line `badInput` naming it.
    public static func decode(_ bytes: [UInt8]) throws -> (Header, [[Int]]) {
        guard bytes.count >= headerSize + trailerSize else { throw bad("not an autoconv survivor file") }
        let header = try decodeHeader(bytes[0..<headerSize])
        let problem = header.problem, d = problem.d
        let body = bytes.count - headerSize - trailerSize
        let recordSize = 2 * d
        guard body % recordSize == 0, Array(bytes[(bytes.count - trailerSize)..<(bytes.count - trailerSize + 8)]) == endMagic else {
            throw bad("truncated")
        }
        let count = read(bytes, bytes.count - 16, 8)
        guard count == UInt64(body / recordSize) else { throw bad("record count \(count) does not match the data") }
        guard checksum(bytes[headerSize..<(headerSize + body)]) == read(bytes, bytes.count - 8, 8) else {
            throw bad("checksum mismatch")
        }
        var records: [[Int]] = []
        records.reserveCapacity(body / recordSize)
        for r in 0..<(body / recordSize) {
            let offset = headerSize + r * recordSize
            let c = (0..<d).map { Int(read(bytes, offset + 2 * $0, 2)) }
            guard c.reduce(0, +) == problem.S else { throw bad("record \(r) does not sum to S = \(problem.S)") }
            records.append(c)
        }
        return (header, records)
    }

    /// Parses the first `headerSize` bytes of a file; every defect is a one-line `badInput`.
    public static func decodeHeader(_ slice: ArraySlice<UInt8>) throws -> Header {
        let bytes = Array(slice)
        guard bytes.count >= headerSize, Array(bytes[0..<8]) == magic else {
            throw bad("not an autoconv survivor file")
        }
        guard read(bytes, 8, 4) == UInt64(version) else { throw bad("unsupported format version \(read(bytes, 8, 4))") }
        let n = Int(read(bytes, 12, 4)), m = Int(read(bytes, 16, 4)), d = Int(read(bytes, 20, 4))
        guard d == 2 * n, bytes[24] <= 1, bytes[25] <= 1 else { throw bad("inconsistent header") }
        let problem = try Problem(n: n, m: m, rule: bytes[24] == 0 ? .flat : .refined, windows: bytes[25] == 0 ? .d : .twoD)
        let p = Int64(bitPattern: read(bytes, 28, 8)), q = Int64(bitPattern: read(bytes, 36, 8))
        guard q > 0 else { throw bad("inconsistent header") }
        return Header(problem: problem, target: Fraction(p, q), level: Int(read(bytes, 44, 4)))
    }

    /// Parses a trailer (the last `trailerSize` bytes): (record count, checksum), or throws.
    public static func decodeTrailer(_ slice: ArraySlice<UInt8>) throws -> (count: UInt64, checksum: UInt64) {
        let bytes = Array(slice)
        guard bytes.count == trailerSize, Array(bytes[0..<8]) == endMagic else { throw bad("truncated") }
        return (read(bytes, 8, 8), read(bytes, 16, 8))
    }

    static func bad(_ why: String) -> CoreError { .badInput("survivor file is invalid: \(why)") }

    private static func append(_ bytes: inout [UInt8], _ value: UInt64, _ width: Int) {
        for i in 0..<width { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }

    private static func read(_ bytes: [UInt8], _ offset: Int, _ width: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<width { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        return v
    }
}
