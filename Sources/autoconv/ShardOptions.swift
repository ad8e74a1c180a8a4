import ArgumentParser
import AutoconvCore
import AutoconvOpenCL
import AutoconvVerify

/// `--shard r/M` for `bound` and `prove`: run only the r-th of M contiguous rank ranges
/// (see `Shard` for the boundaries and their nesting law).
///
/// Without `--shard`, a run inside a Slurm job array takes its shard from
/// `SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN` of `SLURM_ARRAY_TASK_COUNT` and says so on stderr,
/// so a job script needs no arithmetic. `--shard 0/1` runs the whole space even there.
struct ShardOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Run only shard r of M, the ranks [⌊N·r/M⌋, ⌊N·(r+1)/M⌋) (e.g. 3/8).",
        discussion: "Default: the Slurm array task (SLURM_ARRAY_TASK_ID of SLURM_ARRAY_TASK_COUNT) when set, else the whole space."),
        transform: { try Shard(parsing: $0) })
    var shard: Shard?

    /// The job for this run: the whole rank space of `problem`, or this shard's part of it.
    func job(for problem: Problem) throws -> ShardedJob {
        let whole = try Job(problem: problem)
        guard let shard = try shard ?? Self.slurmShard() else {
            return ShardedJob(job: whole, shard: nil, total: whole.range.count)
        }
        return ShardedJob(job: Job(problem: problem, range: shard.range(of: whole.range)), shard: shard, total: whole.range.count)
    }

    /// The shard named by Slurm's array variables, or nil outside an array job.
    static func slurmShard() throws -> Shard? {
        let id = Terminal.environment("SLURM_ARRAY_TASK_ID"), count = Terminal.environment("SLURM_ARRAY_TASK_COUNT")
        guard id != nil || count != nil else { return nil }
        // Arrays may start anywhere (--array=1-8); SLURM_ARRAY_TASK_MIN says where.
        let first = Terminal.environment("SLURM_ARRAY_TASK_MIN") ?? "0"
        guard let id, let count, let index = Int(id), let total = Int(count), let offset = Int(first) else {
            throw CoreError.badInput(
                "SLURM_ARRAY_TASK_ID (\(id ?? "unset")), SLURM_ARRAY_TASK_COUNT (\(count ?? "unset")) and SLURM_ARRAY_TASK_MIN (\(first)) do not name a shard; pass --shard r/M")
        }
        let shard: Shard
        do {
            shard = try Shard(index: index - offset, count: total)
        } catch {
            throw CoreError.badInput("the Slurm array task \(id) (first \(first), \(count) tasks) is not a shard: use a contiguous array such as --array=0-\(total - 1), or pass --shard r/M")
        }
        Terminal.err("autoconv: no --shard given; running shard \(shard) from SLURM_ARRAY_TASK_ID=\(id) of SLURM_ARRAY_TASK_COUNT=\(count)")
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

    /// The JSON fields that make a result file self-describing: which part of which space it
    /// covers, and which binary computed it. `merge` checks and joins them.
    var fields: [(String, JSON)] {
        rangeFields + [
            ("version", .string(BuildInfo.version)),
            ("kernel_hash", .string(BuildInfo.kernelHash)),
        ]
    }

    /// The part of `fields` that says which ranks were covered.
    var rangeFields: [(String, JSON)] {
        [
            ("shard", shard.map { .string($0.description) } ?? .null),
            ("range_lower", .string(String(job.range.lower))),
            ("range_upper", .string(String(job.range.upper))),
            ("total_compositions", .string(String(total))),
        ]
    }
}

/// What the running binary is, for result files and certificates.
enum BuildInfo {
    static var version: String { Autoconv.configuration.version }

    /// SHA-256 of the kernel program text compiled into the binary, so that shards run by
    /// different kernel sources refuse to merge.
    static let kernelHash = SHA256.hex(Array(KernelProgram.text.utf8))
}
