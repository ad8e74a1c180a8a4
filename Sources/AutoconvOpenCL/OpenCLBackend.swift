import AutoconvCore
import COpenCL

/// Single-level `bound` and `prove` on an OpenCL device, bit-identical to `CPUBackend`.
///
/// A job's rank range is cut into launches of `batchSize` ranks (progress is reported between
/// them). In a launch, work-item g walks ranks [first + g·p, first + (g+1)·p) with p ranks per
/// work-item; each work-group reduces its results on the device and the host reduces the
/// groups'. The kernels are built for each problem on first use, and the self-test runs then.
public final class OpenCLBackend: OpenCLEngine, Backend {
    private var programs: [Problem: ProblemProgram] = [:]

    /// The problem's program, built (and self-tested against `cutoffs`) on first use.
    private func program(for problem: Problem, cutoffs: ProveCutoffs) throws -> ProblemProgram {
        if let program = programs[problem] { return program }
        let program = try ProblemProgram(session: session, problem: problem, contents: .all,
                                         verbose: configuration.verboseLog)
        configuration.log?("opencl: kernels for d=\(problem.d) m=\(problem.m) built in \(Seconds.text(program.buildSeconds))")
        if configuration.selfTest {
            let started = ContinuousClock.now
            let count = try SelfTest.run(OpenCLEvaluator(program: program), cutoffs: cutoffs)
            configuration.log?("opencl: self-test passed (\(count) compositions) in \(Seconds.text(started.duration(to: .now)))")
        }
        programs[problem] = program
        return program
    }

    // MARK: Find-min

    public func bound(_ job: Job, progress: ProgressHandler?) throws -> BoundPartial {
        let problem = job.problem
        // The self-test's verdicts need some target; 1 gives a mix of all three.
        let program = try program(for: problem, cutoffs: ProveCutoffs(problem: problem, target: Fraction(1)))
        guard let kernel = program.boundKernel, let table = program.table else { preconditionFailure("bound kernel missing") }
        let plan = try LaunchPlan(device: device, configuration: configuration,
                                  kernelLimit: try program.maxWorkGroupSize(kernel), maxBatch: .max)
        let results = try session.buffer(of: ac_bound_result.self, count: plan.groups(for: plan.batchSize))
        // The job's shared keys (bound.cl): none known yet.
        let keys = try session.buffer(of: UInt32.self, count: 2)
        try session.write([UInt32.max, UInt32.max], to: keys)
        let evaluator = Evaluator(problem: problem)
        let unranking = try Self.binomials(problem)
        var partial = BoundPartial()
        var done: UInt64 = 0
        var kernelTime = Duration.zero, launches = 0
        var first = job.range.lower
        while first < job.range.upper {
            let end = first + min(plan.batchSize, job.range.upper - first)
            let groups = plan.groups(for: end - first)
            // Minima of earlier launches sharpen the cuts without changing the answer (bound.cl).
            let seedTest = partial.minTest?.value, seedCert = partial.minCertified?.value
            try program.setArguments(kernel, [
                .u64(first), .u64(end), .u64(plan.ranksPerWorkItem), .buffer(table),
                .i64(seedTest?.numerator ?? 0), .i64(seedTest?.denominator ?? 0),
                .i64(seedCert?.numerator ?? 0), .i64(seedCert?.denominator ?? 0), .buffer(keys),
                .buffer(results), .local(plan.workGroupSize * MemoryLayout<ac_bound_result>.stride),
            ])
            kernelTime += try program.run(kernel, global: groups * plan.workGroupSize, local: plan.workGroupSize)
            launches += 1
            var bestTest: ac_minimum?, bestCert: ac_minimum?
            for group in try session.read(results, count: groups, as: ac_bound_result.self) {
                bestTest = better(group.test, bestTest)
                bestCert = better(group.cert, bestCert)
            }
            partial.merge(BoundPartial(
                minTest: try confirm(bestTest, problem, unranking, what: "test value") { evaluator.testValue($0) },
                minCertified: try confirm(bestCert, problem, unranking, what: "certified value") { evaluator.certifiedValue($0) }))
            done += end - first
            progress?(done)
            first = end
        }
        logKernelTime(kernelTime, launches: launches, ranks: job.range.count)
        return partial
    }

    /// The better of a work-group's minimum and the best so far (value, then rank).
    private func better(_ candidate: ac_minimum, _ best: ac_minimum?) -> ac_minimum? {
        guard candidate.den > 0 else { return best }
        guard let best else { return candidate }
        let left = Fraction(candidate.num, candidate.den), right = Fraction(best.num, best.den)
        if left != right { return left < right ? candidate : best }
        return candidate.rank < best.rank ? candidate : best
    }

    /// The device's minimum as a `Minimum`, after checking its value against the CPU core:
    /// a disagreement means a broken device or kernel, never a result.
    private func confirm(_ found: ac_minimum?, _ problem: Problem, _ table: BinomialTable<UInt64>, what: String,
                         value: ([Int]) -> Fraction) throws -> Minimum? {
        guard let found else { return nil }
        guard let composition = table.unrank(found.rank, parts: problem.d, sum: problem.S) else {
            throw CoreError.failure("OpenCL: \(device.name) reported rank \(found.rank), outside the rank space")
        }
        let exact = value(composition)
        guard exact == Fraction(found.num, found.den) else {
            throw CoreError.failure("OpenCL: \(device.name) reported \(what) \(Fraction(found.num, found.den)) for composition \(composition), the CPU core says \(exact)")
        }
        return Minimum(value: exact, rank: found.rank, composition: composition)
    }

    // MARK: Prove

    public func prove(_ job: Job, cutoffs: ProveCutoffs, survivors: SurvivorHandler?, progress: ProgressHandler?) throws -> ProveCounts {
        let problem = job.problem
        let program = try program(for: problem, cutoffs: cutoffs)
        guard let kernel = program.proveKernel, let table = program.table else { preconditionFailure("prove kernel missing") }
        // Fewer than 2^32 ranks per launch, so the 32-bit survivor counter cannot wrap.
        let plan = try LaunchPlan(device: device, configuration: configuration,
                                  kernelLimit: try program.maxWorkGroupSize(kernel), maxBatch: UInt64(UInt32.max))
        let results = try session.buffer(of: ac_prove_counts.self, count: plan.groups(for: plan.batchSize))
        let cuts = try session.buffer(holding: Self.lengthCuts(problem, cutoffs))
        let counter = try session.buffer(of: UInt32.self, count: 1)
        let collect = survivors != nil
        var capacity = collect ? max(1, configuration.survivorCapacity) : 0
        var ranks = try session.buffer(of: UInt64.self, count: capacity)
        let unranking = try Self.binomials(problem)

        var counts = ProveCounts()
        var done: UInt64 = 0
        var kernelTime = Duration.zero, launches = 0
        // Launches still to run, the next one last. A launch whose survivors overflow the
        // buffer is run again with a buffer of the exact size, or split in halves when that
        // size exceeds the cap; nothing is counted or delivered from an overflowing launch.
        var pending: [RankRange] = []
        var next = job.range.lower
        while true {
            if pending.isEmpty {
                guard next < job.range.upper else { break }
                let end = next + min(plan.batchSize, job.range.upper - next)
                pending.append(RankRange(next, end))
                next = end
            }
            let range = pending.removeLast()
            let groups = plan.groups(for: range.count)
            try session.write([UInt32(0)], to: counter)
            try program.setArguments(kernel, [
                .u64(range.lower), .u64(range.upper), .u64(plan.ranksPerWorkItem), .buffer(table),
                .buffer(cuts), .i32(Int32(clamping: cutoffs.asymmetryCutoff)),
                .u32(collect ? 1 : 0), .u32(UInt32(capacity)), .buffer(counter), .buffer(ranks),
                .buffer(results), .local(plan.workGroupSize * MemoryLayout<ac_prove_counts>.stride),
            ])
            kernelTime += try program.run(kernel, global: groups * plan.workGroupSize, local: plan.workGroupSize)
            launches += 1
            let found = Int(try session.read(counter, count: 1, as: UInt32.self)[0])
            if collect && found > capacity {
                if found <= configuration.maxSurvivorCapacity {
                    capacity = found
                    ranks = try session.buffer(of: UInt64.self, count: capacity)
                    pending.append(range)
                } else {
                    let halves = range.split(into: 2)
                    pending.append(halves[1])
                    pending.append(halves[0])
                }
                continue
            }
            var launch = ProveCounts()
            for group in try session.read(results, count: groups, as: ac_prove_counts.self) {
                launch.merge(ProveCounts(asymmetryPruned: group.asym_pruned, testPruned: group.test_pruned,
                                         survivors: group.survivors, canonicalSurvivors: group.canonical_survivors))
            }
            guard launch.total == range.count, !collect || UInt64(found) == launch.survivors else {
                throw CoreError.failure("OpenCL: \(device.name) classified \(launch.total) of the \(range.count) compositions in \(range) (\(found) survivor slots for \(launch.survivors) survivors)")
            }
            counts.merge(launch)
            if let survivors, found > 0 {
                let batch = try session.read(ranks, count: found, as: UInt64.self).sorted().map { rank in
                    guard range.lower <= rank, rank < range.upper,
                          let composition = unranking.unrank(rank, parts: problem.d, sum: problem.S) else {
                        throw CoreError.failure("OpenCL: \(device.name) reported survivor rank \(rank), outside \(range)")
                    }
                    return Survivor(rank: rank, composition: composition)
                }
                try survivors(batch)
            }
            done += range.count
            progress?(done)
        }
        logKernelTime(kernelTime, launches: launches, ranks: job.range.count)
        return counts
    }

    // MARK: Helpers

    /// Kernel time alone (launch to finish), apart from building and the self-test.
    private func logKernelTime(_ time: Duration, launches: Int, ranks: UInt64) {
        let value = Seconds.value(time)
        let rate = value > 0 ? Double(ranks) / value : 0
        configuration.log?("opencl: kernel time \(Seconds.text(value)) in \(launches) launch\(launches == 1 ? "" : "es") (\(Int(rate.rounded())) compositions/s)")
    }

    /// The prove kernel's cut-offs, one per window length ℓ (index ℓ, prove.cl): `base[w]` less
    /// the window's pair count under the refined rule, which leaves ⌊c_t·4nℓm²⌋, the same for
    /// every window of length ℓ. Clamped to Int32 in the safe direction: every value they are
    /// compared with lies strictly inside ±(2^31 − 1) (Kernels/common.cl).
    static func lengthCuts(_ problem: Problem, _ cutoffs: ProveCutoffs) -> [Int32] {
        var cuts = [Int32](repeating: 0, count: problem.maxLength + 1)
        for (window, base) in zip(problem.windowList, cutoffs.windows.base) {
            let cut = Int32(clamping: problem.rule == .refined ? base - window.pairCount : base)
            precondition(window.start == 0 || cuts[window.length] == cut, "cut-offs differ within length \(window.length)")
            cuts[window.length] = cut
        }
        return cuts
    }

    /// The ranking table, sized as the CPU backend sizes it, so both refuse the same jobs.
    static func binomials(_ problem: Problem) throws -> BinomialTable<UInt64> {
        guard let table = BinomialTable<UInt64>(compositionsOf: problem.d, sum: problem.S) else {
            throw CoreError.failure("binomial table for d = \(problem.d), S = \(problem.S) overflows 64 bits")
        }
        return table
    }

}

extension ProveCounts {
    fileprivate init(asymmetryPruned: UInt64, testPruned: UInt64, survivors: UInt64, canonicalSurvivors: UInt64) {
        self.init()
        self.asymmetryPruned = asymmetryPruned
        self.testPruned = testPruned
        self.survivors = survivors
        self.canonicalSurvivors = canonicalSurvivors
    }
}
