#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoconvCore
import FoundationEssentials

/// Runs prove mode range by range and writes a certificate: one survivor file per range and a
/// manifest with every range's counts and every file's SHA-256 (see `CertificateManifest`).
///
/// Each range's survivors are held in memory until its file is written, so a range's survivors
/// must fit in memory; `ranges` sets how finely the job is cut (more ranges also let
/// `verify --sample` re-check a smaller fraction).
public final class CertificateWriter {
    /// How many ranges a certificate has unless told otherwise (fewer when the job is smaller).
    public static let defaultRanges = 64

    /// The certificate folder, made absolute so that result files can point to it from anywhere.
    public let directory: String
    public let ranges: Int
    private let header: SurvivorFormat.Header
    private var manifest: CertificateManifest

    /// Creates `directory` (and its parents) at once, so an unwritable place fails before any
    /// work is done (`badInput`). Files of an earlier certificate in it are overwritten.
    public init(directory: String, problem: Problem, target: Fraction, totalCompositions: UInt64,
                provenance: CertificateManifest.Provenance, ranges: Int = CertificateWriter.defaultRanges) throws {
        try Self.makeFolder(directory)
        self.directory = directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
        self.ranges = max(1, ranges)
        header = SurvivorFormat.Header(problem: problem, target: target, level: 0)
        manifest = CertificateManifest(problem: problem, target: target, totalCompositions: totalCompositions, provenance: provenance)
    }

    /// Proves `job` on `backend` one range at a time, writes each range's survivor file, then the
    /// manifest. Survivors are also passed on to `survivors`, in rank order, and `progress` sees
    /// the ranks done over the whole job.
    public func prove(_ job: Job, backend: Engine, cutoffs: ProveCutoffs,
                               survivors: SurvivorHandler?, progress: ProgressHandler?) throws -> ProveCounts {
        var total = ProveCounts()
        var done: UInt64 = 0
        for range in job.range.split(into: ranges) {
            var body: [UInt8] = []
            var count: UInt64 = 0
            let counts = try backend.prove(
                Job(problem: job.problem, range: range), cutoffs: cutoffs,
                survivors: { batch in
                    for survivor in batch { SurvivorFormat.encode(record: survivor.composition, into: &body) }
                    count += UInt64(batch.count)
                    try survivors?(batch)
                },
                progress: progress.map { report in { report(done + $0) } })
            guard count == counts.survivors else {
                throw CoreError.failure("backend reported \(counts.survivors) survivors in \(range) but delivered \(count)")
            }
            let bytes = SurvivorFormat.encode(header) + body
                + SurvivorFormat.trailer(count: count, checksum: SurvivorFormat.checksum(body))
            let name = Self.fileName(range)
            try Self.write(bytes, to: directory + "/" + name)
            manifest.append(.init(
                lower: String(range.lower), upper: String(range.upper),
                asymPruned: counts.asymmetryPruned, testPruned: counts.testPruned,
                survivors: counts.survivors, canonicalSurvivors: counts.canonicalSurvivors,
                file: name, sha256: SHA256.hex(bytes)))
            total.merge(counts)
            done += range.count
        }
        try manifest.write(directory: directory)
        return total
    }

    /// `survivors-<lower>-<upper>.bin`, zero-padded so that names sort in rank order.
    static func fileName(_ range: RankRange) -> String {
        func padded(_ v: UInt64) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, 20 - s.count)) + s
        }
        return "survivors-\(padded(range.lower))-\(padded(range.upper)).bin"
    }

    /// Creates the certificate folder `path` (and its parents), or accepts a folder that is
    /// already there. Anything else at `path` — a file, a FIFO, a device, a link to one — is
    /// refused (`badInput`) and left alone: a certificate only ever writes into a folder.
    static func makeFolder(_ path: String) throws {
        var info = stat()
        // stat follows a link, so a link is accepted only when it leads to a folder.
        if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFDIR {
            throw CoreError.badInput("certificate folder '\(path)' exists and is not a folder")
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw CoreError.badInput("cannot create certificate folder '\(path)'")
        }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw CoreError.badInput("cannot write into certificate folder '\(path)'")
        }
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CoreError.failure("cannot write certificate file '\(path)': \(fileErrorText(error))")
        }
    }
}
