import ArgumentParser
import AutoconvCore
import AutoconvCertificates

struct BoundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bound",
        abstract: "Find-min mode: the best lower bound this grid certifies, and b_{n,m} (method.md §4).",
        discussion: "With --shard, the shard's minima are a partial result (no bound); `autoconv merge` joins the shards.")

    @OptionGroup var options: RunOptions

    @OptionGroup var shard: ShardOptions

    func run() throws {
        let problem = try options.problem()
        let sharded = try shard.job(for: problem)
        let job = sharded.job
        let backend = try options.makeEngine()
        let watch = Stopwatch()
        let progress = ProgressReporter(total: job.range.count, label: "bound")
        let result = try backend.bound(job, progress: progress.update)
        progress.finish()
        let seconds = watch.seconds
        // A shard may hold no canonical composition (its minima are then null); the whole space always does.
        guard sharded.isPartial || (result.minTest != nil && result.minCertified != nil) else {
            throw CoreError.failure("no composition was evaluated")
        }
        let rate = Double(job.range.count) / max(seconds, 1e-9)
        if options.json {
            let fields = ResultFields.header(command: "bound", problem: problem, backend: backend.name,
                                             device: backend.deviceDescription, compositions: String(job.range.count))
                + ResultFields.devices(backend) + sharded.fields() + Self.resultFields(result, problem: problem, partial: sharded.isPartial, seconds: seconds, rate: rate)
            Terminal.out(JSON.object(fields).rendered())
            return
        }
        Terminal.out(Self.text(result, problem: problem, backend: "\(backend.name): \(backend.deviceDescription)",
                               sharded: sharded, seconds: seconds, rate: rate))
    }

    /// The result's JSON fields (shared with `merge`, so merged files print exactly the same).
    /// A partial result's minima go under `shard_min_…` keys (see `MinimumKeys`).
    static func resultFields(_ result: BoundPartial, problem: Problem, partial: Bool, seconds: Double, rate: Double) -> [(String, JSON)] {
        let keys = MinimumKeys.of(partial: partial)
        return ResultFields.minimum(keys.test, result.minTest, m: problem.m)
            + ResultFields.minimum(keys.certified, result.minCertified, m: problem.m)
            + [("elapsed_seconds", .double(seconds)), ("rate", .double(rate))]
    }

    /// The plain-text report (shared with `merge`). A partial result names its minima as what
    /// they are, the smallest values among its ranks, and states no bound.
    static func text(_ result: BoundPartial, problem: Problem, backend: String, sharded: ShardedJob,
                     seconds: Double, rate: Double) -> String {
        func minimum(_ label: String, _ min: Minimum?) -> String {
            guard let min else { return "\(label)none (no canonical composition in this shard)" }
            return """
                \(label)\(min.value) ≈ \(format(min.value.doubleValue, 6))
                  minimiser     c = \(min.composition)  heights = [\(heights(min.composition, m: problem.m).joined(separator: ", "))]
                """
        }
        let partial = sharded.isPartial
        var text = """
            autoconv bound  n=\(problem.n) m=\(problem.m) d=\(problem.d) S=\(problem.S) rule=\(problem.rule.rawValue) max-window=\(problem.windows.rawValue)\(sharded.shard.map { " shard=\($0)" } ?? "")
            backend         \(backend)
            \(minimum(partial ? "shard minimum of cert(c) (not a bound): " : "certified bound C >= ", result.minCertified))
            \(minimum(partial ? "shard minimum of test(c) (not b_nm): " : "min test b_nm   ", result.minTest))
            compositions    \(sharded.job.range.count)
            elapsed         \(format(seconds, 3)) s  (\(scientific(rate)) compositions/s)
            """
        if partial { text += "\n" + sharded.partialNote("`autoconv merge` of every shard's --json result gives the bound") }
        return text
    }
}
