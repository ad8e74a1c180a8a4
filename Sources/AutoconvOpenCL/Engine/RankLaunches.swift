import AutoconvCore
import COpenCL

/// Find-min and prove over rank ranges on the device: the jobs' path and the self-test's.
///
/// A job's rank range is cut into launches of the plan's batch size (progress is reported
/// between them). In a launch, work-item g walks ranks [first + g·p, first + (g+1)·p) with p
/// ranks per work-item; each work-group reduces its results on the device and the host reduces
/// the groups'.
extension OpenCLEngine {
    /// Find-min mode over `job.range` with `program`'s bound kernel. The minima of earlier
    /// launches seed later ones (they only sharpen the cuts, bound.cl), and every minimum the
    /// device reports is checked against the CPU core before it counts.
    func bound(_ job: Job, on program: ProblemProgram, time: inout KernelTime, progress: ProgressHandler?) throws -> BoundPartial {
        let problem = job.problem
        guard let kernel = program.boundKernel, let table = program.table else { preconditionFailure("bound kernel missing") }
        let plan = try LaunchPlan(device: device, configuration: configuration,
                                  kernelLimit: try program.maxWorkGroupSize(kernel), maxBatch: .max)
        let results = try session.buffer(of: ac_bound_result.self, count: plan.groups(for: plan.batchSize))
        // The job's shared keys (bound.cl): none known yet.
        let keys = try session.buffer(of: UInt32.self, count: 2)
        try session.write([UInt32.max, UInt32.max], to: keys)
        let evaluator = Evaluator(problem: problem)
        let unranking = try problem.rankingTable()
        var partial = BoundPartial()
        var done: UInt64 = 0
        try LaunchLoop.run(job.range.lower..<job.range.upper, size: { plan.batchSize }, launch: { range in
            let groups = plan.groups(for: range.width)
            let seedTest = partial.minTest?.value, seedCert = partial.minCertified?.value
            try program.setArguments(kernel, [
                .u64(range.lowerBound), .u64(range.upperBound), .u64(plan.ranksPerWorkItem), .buffer(table),
                .i64(seedTest?.numerator ?? 0), .i64(seedTest?.denominator ?? 0),
                .i64(seedCert?.numerator ?? 0), .i64(seedCert?.denominator ?? 0), .buffer(keys),
                .buffer(results), .local(plan.workGroupSize * MemoryLayout<ac_bound_result>.stride),
            ])
            time.add(try program.run(kernel, global: groups * plan.workGroupSize, local: plan.workGroupSize))
            var bestTest: ac_minimum?, bestCert: ac_minimum?
            for group in try session.read(results, count: groups, as: ac_bound_result.self) {
                bestTest = better(group.test, bestTest)
                bestCert = better(group.cert, bestCert)
            }
            return .done(BoundPartial(
                minTest: try confirm(bestTest, problem, unranking, what: "test value") { evaluator.testValue($0) },
                minCertified: try confirm(bestCert, problem, unranking, what: "certified value") { evaluator.certifiedValue($0) }))
        }, finished: { range, launch, _ in
            partial.merge(launch)
            done += range.width
            progress?(done)
        })
        return partial
    }

    /// Prove mode over `job.range` with `program`'s prove kernel; survivors are delivered in rank
    /// order, launch by launch.
    func prove(_ job: Job, cutoffs: ProveCutoffs, on program: ProblemProgram, time: inout KernelTime,
               survivors: SurvivorHandler?, progress: ProgressHandler?) throws -> ProveCounts {
        let problem = job.problem
        guard let kernel = program.proveKernel, let table = program.table else { preconditionFailure("prove kernel missing") }
        // Fewer than 2^32 ranks per launch, so the 32-bit survivor counter cannot wrap.
        let plan = try LaunchPlan(device: device, configuration: configuration,
                                  kernelLimit: try program.maxWorkGroupSize(kernel), maxBatch: UInt64(UInt32.max))
        let results = try session.buffer(of: ac_prove_counts.self, count: plan.groups(for: plan.batchSize))
        let cuts = try session.buffer(holding: cutoffs.windows.kernelCuts)
        let counter = try session.buffer(of: UInt32.self, count: 1)
        let collect = survivors != nil
        let slots = try SurvivorSlots<UInt64>(session: session, capacity: collect ? max(1, configuration.survivorCapacity) : 0,
                                              maximum: configuration.maxSurvivorCapacity)
        let unranking = try problem.rankingTable()

        var counts = ProveCounts()
        var done: UInt64 = 0
        try LaunchLoop.run(job.range.lower..<job.range.upper, size: { plan.batchSize }, grow: slots.grow, launch: { range -> LaunchOutcome<(counts: ProveCounts, survivors: [Survivor])> in
            let groups = plan.groups(for: range.width)
            try session.write([UInt32(0)], to: counter)
            try program.setArguments(kernel, [
                .u64(range.lowerBound), .u64(range.upperBound), .u64(plan.ranksPerWorkItem), .buffer(table),
                .buffer(cuts), .i32(Int32(clamping: cutoffs.asymmetryCutoff)),
                .u32(collect ? 1 : 0), .u32(UInt32(slots.capacity)), .buffer(counter), .buffer(slots.buffer),
                .buffer(results), .local(plan.workGroupSize * MemoryLayout<ac_prove_counts>.stride),
            ])
            time.add(try program.run(kernel, global: groups * plan.workGroupSize, local: plan.workGroupSize))
            let found = Int(try session.read(counter, count: 1, as: UInt32.self)[0])
            if collect && found > slots.capacity { return .overflow(needed: UInt64(found)) }
            var launch = ProveCounts()
            for group in try session.read(results, count: groups, as: ac_prove_counts.self) {
                launch.merge(ProveCounts(asymmetryPruned: group.asym_pruned, testPruned: group.test_pruned,
                                         survivors: group.survivors, canonicalSurvivors: group.canonical_survivors))
            }
            guard launch.total == range.width, !collect || UInt64(found) == launch.survivors else {
                throw CoreError.failure("OpenCL: \(device.name) classified \(launch.total) of the \(range.width) compositions in \(RankRange(range)) (\(found) survivor slots for \(launch.survivors) survivors)")
            }
            let batch = try session.read(slots.buffer, count: found, as: UInt64.self).sorted().map { rank in
                guard range.contains(rank), let composition = unranking.unrank(rank, parts: problem.d, sum: problem.S) else {
                    throw CoreError.failure("OpenCL: \(device.name) reported survivor rank \(rank), outside \(RankRange(range))")
                }
                return Survivor(rank: rank, composition: composition)
            }
            return .done((launch, batch))
        }, finished: { range, launch, _ in
            counts.merge(launch.counts)
            if let survivors, !launch.survivors.isEmpty { try survivors(launch.survivors) }
            done += range.width
            progress?(done)
        })
        return counts
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
}

extension RankRange {
    init(_ range: Range<UInt64>) { self.init(range.lowerBound, range.upperBound) }
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
