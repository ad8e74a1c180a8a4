import AutoconvCore
import AutoconvCPU
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
