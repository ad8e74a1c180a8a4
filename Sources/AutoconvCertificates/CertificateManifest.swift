import AutoconvCore
import FoundationEssentials

/// `manifest.json`, the index of a prove certificate: a folder holding this manifest and one
/// survivor file (`SurvivorFormat`) per rank range.
///
/// The manifest names the problem (parameters, rule, window set, target), the binary that made
/// it, every range with its counts, survivor file and that file's SHA-256, and the totals.
/// Ranks and counts of the space are decimal strings (they can exceed 2^53); counts of one range
/// are plain numbers. A certificate written by one shard covers only that shard's range;
/// `CertificateMerger` joins shard certificates into one that covers the whole space.
///
/// The cascade will extend this format with a `levels` array (each level's parents are exactly
/// the previous level's survivors, sharded by ranges of parent indices); `format_version` then
/// goes to 2 and readers of version 1 refuse it.
public struct CertificateManifest: Codable, Equatable, Sendable {
    public static let formatName = "autoconv-certificate"
    public static let formatVersion = 1
    public static let fileName = "manifest.json"

    public var format = CertificateManifest.formatName
    public var formatVersion = CertificateManifest.formatVersion
    public var command = "prove"
    public var n: Int
    public var m: Int
    public var d: Int
    public var S: Int
    public var rule: String
    public var maxWindow: String
    /// c_t as a reduced fraction `p/q` (or `p`).
    public var target: String
    /// N = C(S+d−1, d−1), decimal.
    public var totalCompositions: String
    public var version: String
    public var kernelHash: String
    public var backend: String
    public var device: String
    /// In rank order.
    public var ranges: [RangeRecord]
    public var asymPruned: UInt64
    public var testPruned: UInt64
    public var survivors: UInt64
    public var canonicalSurvivors: UInt64
    public var proven: Bool

    /// One range [lower, upper) of ranks, its prove counts and its survivor file.
    public struct RangeRecord: Codable, Equatable, Sendable {
        public var lower: String
        public var upper: String
        public var asymPruned: UInt64
        public var testPruned: UInt64
        public var survivors: UInt64
        public var canonicalSurvivors: UInt64
        /// A file name inside the certificate folder (no directories).
        public var file: String
        /// Lower-case hex SHA-256 of the whole file.
        public var sha256: String

        enum CodingKeys: String, CodingKey {
            case lower, upper, file, sha256, survivors
            case asymPruned = "asym_pruned", testPruned = "test_pruned", canonicalSurvivors = "canonical_survivors"
        }
    }

    enum CodingKeys: String, CodingKey {
        case format, command, n, m, d, S, rule, target, version, backend, device, ranges, survivors, proven
        case formatVersion = "format_version", maxWindow = "max_window", totalCompositions = "total_compositions"
        case kernelHash = "kernel_hash", asymPruned = "asym_pruned", testPruned = "test_pruned"
        case canonicalSurvivors = "canonical_survivors"
    }

    /// Who made a certificate: stamped into the manifest for the record.
    public struct Provenance: Sendable {
        public let version: String
        public let kernelHash: String
        public let backend: String
        public let device: String

        public init(version: String, kernelHash: String, backend: String, device: String) {
            self.version = version
            self.kernelHash = kernelHash
            self.backend = backend
            self.device = device
        }
    }

    /// An empty manifest (no ranges, zero counts) for `problem` and `target`.
    public init(problem: Problem, target: Fraction, totalCompositions: UInt64, provenance: Provenance) {
        n = problem.n
        m = problem.m
        d = problem.d
        S = problem.S
        rule = problem.rule.rawValue
        maxWindow = problem.windows.rawValue
        self.target = target.description
        self.totalCompositions = String(totalCompositions)
        version = provenance.version
        kernelHash = provenance.kernelHash
        backend = provenance.backend
        device = provenance.device
        ranges = []
        asymPruned = 0
        testPruned = 0
        survivors = 0
        canonicalSurvivors = 0
        proven = true
    }

    /// Appends a range and adds its counts to the totals.
    public mutating func append(_ record: RangeRecord) {
        ranges.append(record)
        asymPruned += record.asymPruned
        testPruned += record.testPruned
        survivors += record.survivors
        canonicalSurvivors += record.canonicalSurvivors
        proven = survivors == 0
    }

    /// Reads `DIRECTORY/manifest.json`; a missing or malformed file is a one-line `badInput`.
    public static func read(directory: String) throws -> CertificateManifest {
        let path = directory + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CoreError.badInput("cannot read certificate manifest '\(path)'")
        }
        do {
            return try JSONDecoder().decode(CertificateManifest.self, from: data)
        } catch {
            throw CoreError.badInput("certificate manifest '\(path)' is not valid: \(Self.describe(error))")
        }
    }

    /// Writes `DIRECTORY/manifest.json` atomically (a reader never sees half a manifest).
    public func write(directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let path = directory + "/" + Self.fileName
        do {
            try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CoreError.failure("cannot write certificate manifest '\(path)': \(fileErrorText(error))")
        }
    }

    /// A decoding error in one line: which key, and what was wrong with it.
    public static func describe(_ error: Error) -> String {
        let text: String
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            let path = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            text = "missing key '\(path)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            text = path.isEmpty ? context.debugDescription : "bad value at '\(path)': \(context.debugDescription)"
        default: text = "\(error)"
        }
        return text.split(separator: "\n").first.map(String.init) ?? text
    }
}
