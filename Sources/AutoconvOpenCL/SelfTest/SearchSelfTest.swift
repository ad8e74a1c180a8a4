import AutoconvCore

/// The bound and prove kernels' self-test (part of `SelfTest`): the kernels run through the jobs'
/// own launch path on fixed rank ranges of the problem, and their answers must equal the core
/// `Evaluator`'s, taken rank by rank: for `bound` the minima and minimisers over the canonical
/// compositions of each range (value, then rank), for `prove` the counts and the survivors in
/// rank order, with the target of the job that built the program.
enum SearchSelfTest {
    /// Ranks per checked range.
    static let span: UInt64 = 256

    /// The first and last ranks, the middle, and the ranks around the flat composition (the one
    /// most likely to survive), `span` each (fewer if the problem has fewer compositions).
    static func ranges(_ problem: Problem, table: BinomialTable<UInt64>) -> [RankRange] {
        let total = table.compositions(parts: problem.d, sum: problem.S)
        let width = min(span, total)
        let flat = table.rank([Int](repeating: problem.S / problem.d, count: problem.d), sum: problem.S)
        let starts = [0, (total - width) / 2, min(flat - min(flat, width / 2), total - width), total - width]
        return starts.map { RankRange($0, $0 + width) }
    }

    /// Returns how many ranks were checked, or throws `CoreError.failure` naming the kernel,
    /// the range and the first quantity that differs.
    static func run(_ engine: OpenCLEngine, program: ProblemProgram, cutoffs: ProveCutoffs) throws -> Int {
        let problem = program.problem
        let table = try problem.rankingTable()
        let evaluator = Evaluator(problem: problem)
        var checked = 0
        for range in ranges(problem, table: table) {
            var bound = BoundPartial(), counts = ProveCounts(), survivors: [Survivor] = []
            for rank in range.lower..<range.upper {
                let c = table.unrank(rank, parts: problem.d, sum: problem.S)!
                switch evaluator.verdict(c, cutoffs: cutoffs) {
                case .asymmetryPruned: counts.asymmetryPruned += 1
                case .testPruned: counts.testPruned += 1
                case .survivor:
                    counts.survivors += 1
                    if Compositions.isCanonical(c) { counts.canonicalSurvivors += 1 }
                    survivors.append(Survivor(rank: rank, composition: c))
                }
                if Compositions.isCanonical(c) {
                    bound.merge(BoundPartial(minTest: Minimum(value: evaluator.testValue(c), rank: rank, composition: c),
                                             minCertified: Minimum(value: evaluator.certifiedValue(c), rank: rank, composition: c)))
                }
            }
            if SelfTest.corrupts("bound") { bound.minTest = corrupted(bound.minTest) }
            if SelfTest.corrupts("prove") { counts.testPruned += 1 }

            let job = Job(problem: problem, range: range)
            let subject = "ranks \(range) on \(engine.device.summary)"
            var time = KernelTime()
            let device = try engine.bound(job, on: program, time: &time, progress: nil)
            for (what, actual, expected) in [("min test", device.minTest, bound.minTest),
                                             ("min certified", device.minCertified, bound.minCertified)] where actual != expected {
                throw CoreError.failure("OpenCL self-test failed: bound kernel: \(what): device \(text(actual)), CPU \(text(expected)) for \(subject)")
            }
            var found: [Survivor] = []
            let actual = try engine.prove(job, cutoffs: cutoffs, on: program, time: &time, survivors: { found += $0 }, progress: nil)
            let pairs = [("asymmetry-pruned", actual.asymmetryPruned, counts.asymmetryPruned),
                         ("test-pruned", actual.testPruned, counts.testPruned),
                         ("survivors", actual.survivors, counts.survivors),
                         ("canonical survivors", actual.canonicalSurvivors, counts.canonicalSurvivors)]
            if let (what, device, cpu) = pairs.first(where: { $0.1 != $0.2 }) {
                throw CoreError.failure("OpenCL self-test failed: prove kernel: \(what): device \(device), CPU \(cpu) for \(subject)")
            }
            guard found == survivors else {
                throw CoreError.failure("OpenCL self-test failed: prove kernel: the device's survivors differ from the CPU's for \(subject)")
            }
            checked += Int(range.count)
        }
        return checked
    }

    /// Another minimum than `minimum` (for `AUTOCONV_SELFTEST_CORRUPT`).
    private static func corrupted(_ minimum: Minimum?) -> Minimum? {
        guard let minimum else { return Minimum(value: .zero, rank: 0, composition: []) }
        return Minimum(value: Fraction(minimum.value.numerator + 1, minimum.value.denominator), rank: minimum.rank,
                       composition: minimum.composition)
    }

    private static func text(_ minimum: Minimum?) -> String {
        minimum.map { "\($0.value) at rank \($0.rank)" } ?? "none"
    }
}
