import ArgumentParser
import AutoconvCore

struct BoundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bound",
        abstract: "Find-min mode: the best lower bound this grid certifies, and b_{n,m} (method.md §4).")

    @OptionGroup var options: RunOptions

    func run() throws {
        let problem = try options.problem()
        let job = try Job(problem: problem)
        let backend = try options.makeBackend()
        let watch = Stopwatch()
        let progress = ProgressReporter(total: job.range.count, label: "bound")
        let result = try backend.bound(job, progress: progress.update)
        progress.finish()
        let seconds = watch.seconds
        guard let minTest = result.minTest, let certified = result.minCertified else {
            throw CoreError.failure("no composition was evaluated")
        }
        let rate = Double(job.range.count) / max(seconds, 1e-9)
        if options.json {
            var fields = options.header(command: "bound", problem: problem, backend: backend, compositions: job.range.count)
            fields += [
                ("min_test", .string(minTest.value.description)),
                ("min_test_value", .double(minTest.value.doubleValue)),
                ("argmin", JSON.ints(minTest.composition)),
                ("argmin_heights", .array(heights(minTest.composition, m: problem.m).map(JSON.string))),
                ("certified_bound", .string(certified.value.description)),
                ("certified_bound_value", .double(certified.value.doubleValue)),
                ("certified_argmin", JSON.ints(certified.composition)),
                ("certified_argmin_heights", .array(heights(certified.composition, m: problem.m).map(JSON.string))),
                ("elapsed_seconds", .double(seconds)),
                ("rate", .double(rate)),
            ]
            Terminal.out(JSON.object(fields).rendered())
            return
        }
        Terminal.out("""
            autoconv bound  n=\(problem.n) m=\(problem.m) d=\(problem.d) S=\(problem.S) rule=\(problem.rule.rawValue) max-window=\(problem.windows.rawValue)
            backend         \(backend.name): \(backend.deviceDescription)
            certified bound C >= \(certified.value) ≈ \(format(certified.value.doubleValue, 6))
              minimiser     c = \(certified.composition)  heights = [\(heights(certified.composition, m: problem.m).joined(separator: ", "))]
            min test b_nm   \(minTest.value) ≈ \(format(minTest.value.doubleValue, 6))
              minimiser     c = \(minTest.composition)  heights = [\(heights(minTest.composition, m: problem.m).joined(separator: ", "))]
            compositions    \(job.range.count)
            elapsed         \(format(seconds, 3)) s  (\(scientific(rate)) compositions/s)
            """)
    }
}
