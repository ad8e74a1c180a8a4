import ArgumentParser
import AutoconvCore
import AutoconvVerify

struct BoundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bound",
        abstract: "Find-min mode: the best lower bound this grid certifies, and b_{n,m} (method.md §4).")

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
        guard sharded.shard != nil || (result.minTest != nil && result.minCertified != nil) else {
            throw CoreError.failure("no composition was evaluated")
        }
        let rate = Double(job.range.count) / max(seconds, 1e-9)
        if options.json {
            var fields = options.header(command: "bound", problem: problem, backend: backend, compositions: job.range.count)
            fields += sharded.fields
            fields += Self.resultFields(result, problem: problem, seconds: seconds, rate: rate)
            Terminal.out(JSON.object(fields).rendered())
            return
        }
        Terminal.out(Self.text(result, problem: problem, backend: "\(backend.name): \(backend.deviceDescription)",
                               shard: sharded.shard, compositions: job.range.count, seconds: seconds, rate: rate))
    }

    /// The result's JSON fields (shared with `merge`, so merged files print exactly the same).
    /// Minima are null for a shard without canonical compositions.
    static func resultFields(_ result: BoundPartial, problem: Problem, seconds: Double, rate: Double) -> [(String, JSON)] {
        func minimum(_ prefix: String, _ min: Minimum?) -> [(String, JSON)] {
            [
                ("\(prefix)argmin", min.map { JSON.ints($0.composition) } ?? .null),
                ("\(prefix)argmin_heights", min.map { .array(heights($0.composition, m: problem.m).map(JSON.string)) } ?? .null),
                ("\(prefix)argmin_rank", min.map { .string(String($0.rank)) } ?? .null),
            ]
        }
        return [
            ("min_test", result.minTest.map { .string($0.value.description) } ?? .null),
            ("min_test_value", result.minTest.map { .double($0.value.doubleValue) } ?? .null),
        ] + minimum("", result.minTest) + [
            ("certified_bound", result.minCertified.map { .string($0.value.description) } ?? .null),
            ("certified_bound_value", result.minCertified.map { .double($0.value.doubleValue) } ?? .null),
        ] + minimum("certified_", result.minCertified) + [
            ("elapsed_seconds", .double(seconds)),
            ("rate", .double(rate)),
        ]
    }

    /// The plain-text report (shared with `merge`).
    static func text(_ result: BoundPartial, problem: Problem, backend: String, shard: Shard?,
                     compositions: UInt64, seconds: Double, rate: Double) -> String {
        func minimum(_ label: String, _ min: Minimum?) -> String {
            guard let min else { return "\(label)none (no canonical composition in this shard)" }
            return """
                \(label)\(min.value) ≈ \(format(min.value.doubleValue, 6))
                  minimiser     c = \(min.composition)  heights = [\(heights(min.composition, m: problem.m).joined(separator: ", "))]
                """
        }
        return """
            autoconv bound  n=\(problem.n) m=\(problem.m) d=\(problem.d) S=\(problem.S) rule=\(problem.rule.rawValue) max-window=\(problem.windows.rawValue)\(shard.map { " shard=\($0)" } ?? "")
            backend         \(backend)
            \(minimum("certified bound C >= ", result.minCertified))
            \(minimum("min test b_nm   ", result.minTest))
            compositions    \(compositions)
            elapsed         \(format(seconds, 3)) s  (\(scientific(rate)) compositions/s)
            """
    }
}
