import AutoconvCore
import AutoconvCPU
import AutoconvOpenCL
import Testing
import TestSupport

/// The sweep-and-subtree walk of the bound and prove kernels (Kernels/search.cl) against the
/// CPU backend where it is most fragile: ranges that start and end inside leaf sweeps and
/// subtrees, and sweeps whose quadratics reach S at the 32-bit limit.
@Suite struct SearchKernelTests {
    static let cpu = BackendEquivalenceTests.cpu

    /// Walks of 1, 2, 7 and 300 ranks: work-items begin and end at every position inside sweeps
    /// and inside subtrees of every level (n = 3 has subtree levels 1 … 3).
    @Test(arguments: [1, 2, 7, 300])
    func walksStartingAndEndingAnywhere(ranksPerWorkItem: UInt64) throws {
        let backend = try testBackend(workGroupSize: 8, ranksPerWorkItem: ranksPerWorkItem, batchSize: 9_973)
        var random = SeededGenerator(seed: 0x5eed + ranksPerWorkItem)
        for (n, m, target) in [(2, 10, Fraction(1)), (3, 3, Fraction(9, 10))] {
            for rule in Rule.allCases {
                let problem = try Problem(n: n, m: m, rule: rule, windows: ranksPerWorkItem % 2 == 0 ? .d : .twoD)
                let cutoffs = ProveCutoffs(problem: problem, target: target)
                let total = try Job(problem: problem).range.upper
                let a = UInt64.random(in: 0..<total, using: &random), b = UInt64.random(in: 0..<total, using: &random)
                let middle = RankRange(min(a, b), min(max(a, b) + 1, min(a, b) + 60_000))
                for range in n == 2 ? [RankRange(0, total), middle] : [middle] {
                    let job = Job(problem: problem, range: range)
                    #expect(try backend.bound(job, progress: nil) == (try Self.cpu.bound(job, progress: nil)), "\(problem) \(range)")
                    let (deviceCounts, deviceSurvivors) = try BackendEquivalenceTests.prove(backend, job, cutoffs)
                    let (cpuCounts, cpuSurvivors) = try BackendEquivalenceTests.prove(Self.cpu, job, cutoffs)
                    #expect(deviceCounts == cpuCounts, "\(problem) \(range)")
                    #expect(BackendEquivalenceTests.sameSurvivors(deviceSurvivors, cpuSurvivors), "\(problem) \(range)")
                }
            }
        }
    }

    /// S at the 32-bit limit: n = 1 (S = 46,340, every composition) and n = 2 (S = 46,336, ranges
    /// of 10,000 ranks at both ends and around the flat composition). Sweeps of up to S + 1
    /// leaves, where b·v of a quadratic leaves the int range and only the value fits. Find-min
    /// runs only around the flat composition: the debug-built CPU reference is slow at this S.
    @Test(arguments: Rule.allCases)
    func exactAtTheLargestS(rule: Rule) throws {
        let backend = try OpenCLEngine(device: try testDevice())
        for (n, m) in [(1, 11_585), (2, 5_792)] {
            let problem = try Problem(n: n, m: m, rule: rule, windows: .twoD)
            let cutoffs = ProveCutoffs(problem: problem, target: Fraction(11, 10))
            let total = try Job(problem: problem).range.upper
            let span: UInt64 = 10_000
            var ranges = [RankRange(0, total)]
            if n == 2 {
                let table = try #require(BinomialTable<UInt64>(compositionsOf: problem.d, sum: problem.S))
                let flat = table.rank([Int](repeating: problem.S / problem.d, count: problem.d), sum: problem.S)
                let around = RankRange(flat - span / 2, flat + span / 2)
                ranges = [RankRange(0, span), around, RankRange(total - span, total)]
                let job = Job(problem: problem, range: around)
                #expect(try backend.bound(job, progress: nil) == (try Self.cpu.bound(job, progress: nil)), "\(problem) \(around)")
            }
            for range in ranges {
                let job = Job(problem: problem, range: range)
                let (deviceCounts, deviceSurvivors) = try BackendEquivalenceTests.prove(backend, job, cutoffs)
                let (cpuCounts, cpuSurvivors) = try BackendEquivalenceTests.prove(Self.cpu, job, cutoffs)
                #expect(deviceCounts == cpuCounts, "\(problem) \(range)")
                #expect(BackendEquivalenceTests.sameSurvivors(deviceSurvivors, cpuSurvivors), "\(problem) \(range)")
            }
        }
    }
}
