import AutoconvCore
@testable import AutoconvCPU
import Testing
import TestSupport

/// `ChildJob.collectStats` (`cascade --stats`) changes no count and no survivor, and its counters
/// add up: every node is cut once or searched further.
struct ChildSearchStatsTests {
    /// The children of `count` level-0 survivors of (n0, m) at `target`, drawn with `seed`.
    static func childJob(n0: Int, m: Int, target: String, rule: Rule, family: ChildFamily, seed: UInt64,
                         parents count: Int) throws -> ChildJob {
        let value = try TargetParser.parse(target)
        let problem = try Problem(n: n0, m: m, rule: rule)
        var parents: [[Int]] = []
        _ = try CPUEngine(threads: 2).prove(try Job(problem: problem), cutoffs: ProveCutoffs(problem: problem, target: value),
                                             survivors: { parents += $0.map(\.composition) }, progress: nil)
        var rng = SeededGenerator(seed: seed)
        parents.shuffle(using: &rng)
        let child = try problem.nextLevel()
        return ChildJob(problem: child, cutoffs: ProveCutoffs(problem: child, target: value), deltas: family.deltas,
                        parents: Array(parents.prefix(count)))
    }

    @Test(arguments: [(1, 4, "1", Rule.refined, ChildFamily.relaxed), (1, 6, "1.1", .flat, .relaxed),
                      (2, 3, "1.05", .refined, .relaxed), (2, 4, "1.1", .refined, .exact), (1, 2, "1.3", .refined, .relaxed)])
    func statsChangeNothingAndAddUp(n0: Int, m: Int, target: String, rule: Rule, family: ChildFamily) throws {
        var job = try Self.childJob(n0: n0, m: m, target: target, rule: rule, family: family, seed: UInt64(100 * n0 + m), parents: 12)
        let child = job.problem
        for threads in [1, 2] {
            let engine = CPUEngine(threads: threads)
            var plain: [[Int]] = [], counted: [[Int]] = []
            job.collectStats = false
            let without = try engine.expand(job, survivors: { plain += $0 }, stop: { false }, progress: nil)
            job.collectStats = true
            var with = try engine.expand(job, survivors: { counted += $0 }, stop: { false }, progress: nil)
            #expect(without.stats == nil)
            let stats = try #require(with.stats)
            with.stats = nil
            #expect(with == without && counted == plain)
            let last = child.d / 2 - 1
            // A last-pair node that no cut removes is one leaf sweep.
            #expect(stats[.leafSweeps] == stats[.deltaNodes, last] - stats[.asymmetryCuts, last] - stats[.deltaWindowCuts, last])
            #expect(stats[.sweepsDecided] <= stats[.leafSweeps])
            for i in 0...last {
                #expect(stats[.asymmetryCuts, i] + stats[.deltaWindowCuts, i] <= stats[.deltaNodes, i])
                #expect(stats[.capCuts, i] + stats[.splitWindowCuts, i] <= stats[.splitNodes, i])
            }
            #expect(stats[.splitNodes, last] == 0, "the last pair's splits are leaves")
            #expect(stats.sum(.deltaNodes) > 0)
            // Leaves checked one by one are children, so at most the children not cut above them.
            #expect(UInt128(stats[.leavesEvaluated]) <= without.testPruned + without.survivors)
        }
    }
}

/// `ChildSearch.splitQuadratics` (the hot window's bound below a split as a quadratic in the
/// split) makes exactly the decisions of `cuts` without it: every counter of every depth is the
/// same, on real parents of both rules and both families, with asymmetry deciding at a child
/// level, and on one and several units per parent; and the cascade still equals the naive
/// enumeration (CascadeTests.engineMatchesNaiveReference).
struct SplitQuadraticTests {
    @Test(arguments: [(1, 4, "1", Rule.refined, ChildFamily.relaxed), (1, 6, "1.1", .flat, .relaxed),
                      (2, 3, "1.05", .refined, .relaxed), (2, 4, "1.1", .refined, .exact), (1, 2, "1.3", .refined, .relaxed),
                      (2, 5, "1.02", .flat, .relaxed), (1, 9, "1.15", .refined, .relaxed), (2, 2, "0.95", .refined, .relaxed)])
    func quadraticsChangeNoDecision(n0: Int, m: Int, target: String, rule: Rule, family: ChildFamily) throws {
        var job = try ChildSearchStatsTests.childJob(n0: n0, m: m, target: target, rule: rule, family: family,
                                                     seed: UInt64(31 * n0 + m), parents: 16)
        let child = job.problem
        job.collectStats = true
        for threads in [1, 2] {
            var results: [(ChildCounts, [[Int]])] = []
            for quadratics in [false, true] {
                var engine = CPUEngine(threads: threads)
                engine.splitQuadratics = quadratics
                var survivors: [[Int]] = []
                let counts = try engine.expand(job, survivors: { survivors += $0 }, stop: { false }, progress: nil)
                results.append((counts, survivors))
            }
            let (plain, quadratic) = (results[0].0, results[1].0)
            if threads == 1 {
                #expect(plain == quadratic, "\(plain.stats!.values) vs \(quadratic.stats!.values)")
            } else {
                // With several threads each worker's hot window depends on which units it ran
                // before, so `sweeps_decided` and `leaves_evaluated` may differ from run to run
                // (docs/json.md); the counts and every per-depth counter may not.
                var (a, b) = (plain, quadratic)
                (a.stats, b.stats) = (nil, nil)
                #expect(a == b)
                for kind in ChildSearchStats.Kind.allCases {
                    for depth in 0..<plain.stats!.pairs {
                        #expect(plain.stats![kind, depth] == quadratic.stats![kind, depth], "\(kind) at depth \(depth)")
                    }
                }
                #expect(plain.stats![.leafSweeps] == quadratic.stats![.leafSweeps])
            }
            #expect(results[0].1 == results[1].1)
            // The quadratic has work to do from d = 8 on (at d = 4 these cases cut no split).
            if child.d >= 8 { #expect(results[1].0.stats!.sum(.splitWindowCuts) > 0) }
        }
    }
}
