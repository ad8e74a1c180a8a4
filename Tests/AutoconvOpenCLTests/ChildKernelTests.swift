import AutoconvCore
@testable import AutoconvCPU
import AutoconvOpenCL
import Testing
import TestSupport

/// The child kernel equals the CPU cascade engine exactly, counts and survivors alike, on real
/// parents (level-0 survivors), both rules, both window sets, both families, with launches,
/// segments and work-item ranges cut at random places.
@Suite struct ChildKernelTests {
    static let cpu = CPUEngine(threads: 2)

    static func expand(_ backend: Engine, _ job: ChildJob) throws -> (counts: ChildCounts, survivors: [[Int]]) {
        var survivors: [[Int]] = []
        let counts = try backend.expand(job, survivors: { survivors += $0 }, stop: { false }, progress: nil)
        return (counts, survivors)
    }

    /// Up to `limit` random level-0 survivors of (n, m) for `target`: parents as the cascade sees them.
    /// The child job of up to 10 seeded level-0 survivors of (n0, m) with counters on (at least 8:
    /// one CPU unit per parent), and the one-thread CPU engine's result on it.
    static func countedJob(n0: Int, m: Int, target: String, rule: Rule, family: ChildFamily, seed: UInt64) throws
        -> (job: ChildJob, cpu: (counts: ChildCounts, survivors: [[Int]])) {
        let value = try TargetParser.parse(target)
        var random = SeededGenerator(seed: seed)
        let parents = try Self.parents(try Problem(n: n0, m: m, rule: rule), target: value, limit: 10, using: &random)
        try #require(parents.count >= 8, "one CPU unit per parent needs 8 parents or more")
        let child = try Problem(n: 2 * n0, m: m, rule: rule)
        var job = ChildJob(problem: child, cutoffs: ProveCutoffs(problem: child, target: value), deltas: family.deltas, parents: parents)
        job.collectStats = true
        return (job, try expand(CPUEngine(threads: 1), job))
    }

    static func parents(_ problem: Problem, target: Fraction, limit: Int, using random: inout SeededGenerator) throws -> [[Int]] {
        var all: [[Int]] = []
        _ = try CPUEngine(threads: 2).prove(try Job(problem: problem), cutoffs: ProveCutoffs(problem: problem, target: target),
                                             survivors: { all += $0.map(\.composition) }, progress: nil)
        all.shuffle(using: &random)
        return Array(all.prefix(limit))
    }

    @Test(arguments: [
        (1, 4, "1", Rule.refined, WindowSet.twoD, ChildFamily.relaxed),
        (1, 6, "1.1", .flat, .twoD, .relaxed),
        (2, 3, "1.05", .refined, .d, .relaxed),
        (2, 4, "1.1", .refined, .twoD, .exact),
        (1, 2, "1.3", .refined, .twoD, .relaxed),
        (2, 5, "1.02", .flat, .d, .relaxed),
    ])
    func kernelMatchesCPUEngine(n0: Int, m: Int, target: String, rule: Rule, windows: WindowSet, family: ChildFamily) throws {
        let value = try TargetParser.parse(target)
        var random = SeededGenerator(seed: UInt64(1000 * n0 + m))
        let parents = try Self.parents(try Problem(n: n0, m: m, rule: rule, windows: windows), target: value,
                                       limit: 5, using: &random)
        #expect(!parents.isEmpty, "level 0 should leave survivors")
        let child = try Problem(n: 2 * n0, m: m, rule: rule, windows: windows)
        let job = ChildJob(problem: child, cutoffs: ProveCutoffs(problem: child, target: value), deltas: family.deltas,
                           parents: parents)
        let expected = try Self.expand(Self.cpu, job)
        #expect(expected.counts.children > 0)
        for round in 0..<3 {
            var configuration = OpenCLConfiguration()
            configuration.workGroupSize = [1, 16, 64][round]
            if round > 0 {
                configuration.ranksPerWorkItem = UInt64.random(in: 1...300, using: &random)
                configuration.batchSize = UInt64.random(in: 500...50_000, using: &random)
            }
            let backend = try OpenCLEngine(device: try testDevice(), configuration: configuration)
            let actual = try Self.expand(backend, job)
            #expect(actual.counts == expected.counts, "round \(round)")
            // Compared without printing them: there can be thousands.
            let differ = actual.survivors.indices.first { $0 >= expected.survivors.count || actual.survivors[$0] != expected.survivors[$0] }
            #expect(actual.survivors.count == expected.survivors.count && differ == nil,
                    "round \(round): \(actual.survivors.count) vs \(expected.survivors.count) survivors, first difference at \(differ.map(String.init) ?? "-")")
        }
    }
}

/// The kernel's node, cut and sweep counters (-D AC_STATS) equal the CPU engine's when both search every parent's
/// children as one range (one CPU thread and at least 8 parents; one launch and one chunk of at
/// most 2^32 − 1 children on the device), and compiling them in changes no count and no survivor.
@Suite struct ChildKernelStatsTests {
    @Test(arguments: [(1, 4, "1", Rule.refined, ChildFamily.relaxed), (1, 6, "1.1", .flat, .relaxed),
                      (2, 3, "1.05", .refined, .relaxed), (1, 5, "1.2", .refined, .relaxed), (2, 4, "1.1", .refined, .exact)])
    func kernelStatsEqualCPUStats(n0: Int, m: Int, target: String, rule: Rule, family: ChildFamily) throws {
        var (job, cpu) = try ChildKernelTests.countedJob(n0: n0, m: m, target: target, rule: rule, family: family, seed: UInt64(77 * n0 + m))
        var configuration = OpenCLConfiguration()
        configuration.workGroupSize = 4
        configuration.ranksPerWorkItem = UInt64(UInt32.max)
        let device = try OpenCLEngine(device: try testDevice(), configuration: configuration)
        let counted = try ChildKernelTests.expand(device, job)
        let cpuStats = try #require(cpu.counts.stats), deviceStats = try #require(counted.counts.stats)
        // Every node and cut counter, and the number of sweeps, agree exactly. Within a sweep the
        // engines choose their hot window differently (the kernel's scan prefers one that decides
        // the rest of the sweep), so sweeps decided whole and leaves checked one by one may differ.
        for kind in ChildSearchStats.Kind.allCases {
            #expect((0..<deviceStats.pairs).map { deviceStats[kind, $0] } == (0..<cpuStats.pairs).map { cpuStats[kind, $0] }, "\(kind)")
        }
        #expect(deviceStats[.leafSweeps] == cpuStats[.leafSweeps])
        #expect(deviceStats[.sweepsDecided] <= deviceStats[.leafSweeps])
        job.collectStats = false
        let plain = try ChildKernelTests.expand(device, job)
        var strippedCounts = counted.counts
        strippedCounts.stats = nil
        #expect(plain.counts == strippedCounts && plain.survivors == counted.survivors)
        #expect(plain.survivors == cpu.survivors)
    }
}

/// The kernel's split quadratics (children.cl `ac_split_quadratic`, as `ChildSearch.splitQuadratic`)
/// make the CPU's checks in the CPU's order: with them (-D AC_SPLIT_QUADRATICS) the kernel's counts,
/// survivors and every per-depth counter equal the CPU engine's with them, and without them the
/// CPU's without, at d = 8 where splits are cut by the window bounds and runs of them at once (at
/// d = 4 these cases cut none, so the quadratic would have nothing to do).
@Suite struct ChildKernelSplitQuadraticTests {
    @Test(arguments: [(2, 3, "1.05", Rule.refined, ChildFamily.relaxed), (2, 4, "1.1", .refined, .exact),
                      (2, 5, "1.02", .flat, .relaxed), (2, 2, "0.95", .refined, .relaxed)])
    func kernelQuadraticsEqualCPUQuadratics(n0: Int, m: Int, target: String, rule: Rule, family: ChildFamily) throws {
        let (job, withQuadratics) = try ChildKernelTests.countedJob(n0: n0, m: m, target: target, rule: rule, family: family,
                                                                    seed: UInt64(53 * n0 + m))
        #expect(job.problem.d == 8)
        var plainEngine = CPUEngine(threads: 1)
        plainEngine.splitQuadratics = false
        let withoutQuadratics = try ChildKernelTests.expand(plainEngine, job)
        // Runs of splits are cut at once: the quadratic's work.
        #expect(try #require(withQuadratics.counts.stats).sum(.splitRunCuts) > 0)
        for (quadratics, cpu) in [(true, withQuadratics), (false, withoutQuadratics)] {
            let cpuStats = try #require(cpu.counts.stats)
            var configuration = OpenCLConfiguration()
            configuration.workGroupSize = 4
            configuration.ranksPerWorkItem = UInt64(UInt32.max)
            configuration.splitQuadratics = quadratics
            let device = try OpenCLEngine(device: try testDevice(), configuration: configuration)
            let counted = try ChildKernelTests.expand(device, job)
            let deviceStats = try #require(counted.counts.stats)
            for kind in ChildSearchStats.Kind.allCases {
                #expect((0..<deviceStats.pairs).map { deviceStats[kind, $0] } == (0..<cpuStats.pairs).map { cpuStats[kind, $0] },
                        "\(kind), quadratics \(quadratics)")
            }
            #expect(deviceStats[.leafSweeps] == cpuStats[.leafSweeps])
            var (deviceCounts, cpuCounts) = (counted.counts, cpu.counts)
            (deviceCounts.stats, cpuCounts.stats) = (nil, nil)
            #expect(deviceCounts == cpuCounts, "quadratics \(quadratics)")
            #expect(counted.survivors == withoutQuadratics.survivors, "quadratics \(quadratics)")
        }
        var (a, b) = (withQuadratics.counts, withoutQuadratics.counts)
        (a.stats, b.stats) = (nil, nil)
        #expect(a == b)
    }
}
