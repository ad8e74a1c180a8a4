import ArgumentParser
import AutoconvCore
import AutoconvOpenCL
import AutoconvCertificates

/// `--shard r/M` or `--shard auto` for `bound` and `prove`: run only the r-th of M contiguous
/// rank ranges (see `Shard` for the boundaries and their nesting law).
///
/// Sharding is never implicit: without `--shard` a run covers the whole space, even inside a
/// Slurm job array, because a shard taken silently from the environment would print its partial
/// minimum as if it were the bound. `--shard auto` asks for the array task explicitly.
struct ShardOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Run only shard r of M, the ranks [⌊N·r/M⌋, ⌊N·(r+1)/M⌋) (e.g. 3/8), or 'auto': the Slurm array task.",
        discussion: "auto: SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT, said on stderr. Default: the whole space. A shard's output is a partial result; `autoconv merge` joins them."),
        transform: { try ShardRequest(parsing: $0) })
    var shard: ShardRequest?

    /// The job for this run: the whole rank space of `problem`, or this shard's part of it.
    func job(for problem: Problem) throws -> ShardedJob {
        let whole = try Job(problem: problem)
        guard let request = shard else { return ShardedJob(job: whole, shard: nil, total: whole.range.count) }
        let shard = try request.resolved()
        return ShardedJob(job: Job(problem: problem, range: shard.range(of: whole.range)), shard: shard, total: whole.range.count)
    }
}

/// What `--shard` asked for.
enum ShardRequest {
    case fixed(Shard)
    /// The Slurm array task this process runs as.
    case auto

    init(parsing text: String) throws {
        self = text == "auto" ? .auto : .fixed(try Shard(parsing: text))
    }

    /// The shard; for `auto`, read from Slurm's array variables and announced on stderr.
    func resolved() throws -> Shard {
        switch self {
        case .fixed(let shard): return shard
        case .auto: return try Self.arrayTask()
        }
    }

    private static func arrayTask() throws -> Shard {
        // An empty variable counts as unset.
        func variable(_ name: String) -> String? { Terminal.environment(name).flatMap { $0.isEmpty ? nil : $0 } }
        guard let id = variable("SLURM_ARRAY_TASK_ID"), let count = variable("SLURM_ARRAY_TASK_COUNT") else {
            throw CoreError.badInput("--shard auto needs a Slurm job array task: SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT are not set; pass --shard r/M")
        }
        // Arrays may start anywhere (--array=1-8); SLURM_ARRAY_TASK_MIN says where. A stepped
        // array (--array=0-15:2) numbers its tasks with gaps, so it names no shards.
        let first = variable("SLURM_ARRAY_TASK_MIN") ?? "0", step = variable("SLURM_ARRAY_TASK_STEP") ?? "1"
        let named = "SLURM_ARRAY_TASK_ID=\(id) SLURM_ARRAY_TASK_MIN=\(first) SLURM_ARRAY_TASK_COUNT=\(count)"
        let index = Int(id).flatMap { id in Int(first).map { id.subtractingReportingOverflow($0) } }
        guard let index, !index.overflow, let total = Int(count), step == "1",
              let shard = try? Shard(index: index.partialValue, count: total) else {
            throw CoreError.badInput("--shard auto: \(named) SLURM_ARRAY_TASK_STEP=\(step) is not shard r of M; use a contiguous array such as --array=0-\(max(1, Int(count) ?? 1) - 1), or pass --shard r/M")
        }
        Terminal.err("autoconv: --shard auto: running shard \(shard) (\(named))")
        return shard
    }
}

/// A job together with the shard it came from.
struct ShardedJob {
    let job: Job
    /// nil for a run over the whole space.
    let shard: Shard?
    /// N, the size of the whole rank space.
    let total: UInt64

    /// A partial result covers less than the whole space: it may state counts and minima of
    /// its ranks, never a bound or a verdict. `--shard 0/1` covers everything and is not partial.
    var isPartial: Bool { job.range != RankRange(0, total) }

    /// The JSON fields that make a result file self-describing: which part of which space it
    /// covers, and which binary computed it. `merge` checks and joins them.
    func fields(version: String = BuildInfo.version, kernelHash: String = BuildInfo.kernelHash) -> [(String, JSON)] {
        [
            ("shard", shard.map { .string($0.description) } ?? .null),
            ("partial", .bool(isPartial)),
            ("range_lower", .count(job.range.lower)),
            ("range_upper", .count(job.range.upper)),
            ("total_compositions", .count(total)),
            ("version", .string(version)),
            ("kernel_hash", .string(kernelHash)),
        ]
    }

    /// The last line of a partial text report: which part it covers, and `what` it found.
    func partialNote(_ what: String) -> String {
        "partial result of shard \(shard.map(\.description) ?? "?") (ranks \(job.range) of \(total)): \(what)"
    }
}

/// What the running binary is, for result files and certificates.
enum BuildInfo {
    static var version: String { Autoconv.configuration.version }

    /// SHA-256 of the kernel program text compiled into the binary, so that shards run by
    /// different kernel sources refuse to merge.
    static let kernelHash = SHA256.hex(Array(KernelProgram.text.utf8))
}
