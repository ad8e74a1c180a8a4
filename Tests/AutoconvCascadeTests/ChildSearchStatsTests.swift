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
                // A node is cut at most once: by asymmetry, a window, or a run of its splits.
                #expect(stats[.asymmetryCuts, i] + stats[.deltaWindowCuts, i] + stats[.splitRunCuts, i] <= stats[.deltaNodes, i])
                #expect(stats[.capCuts, i] + stats[.splitWindowCuts, i] <= stats[.splitNodes, i])
            }
            #expect(stats[.splitNodes, last] == 0 && stats[.splitRunCuts, last] == 0, "the last pair's splits are leaves")
            #expect(stats.sum(.deltaNodes) > 0)
            // Leaves checked one by one are children, so at most the children not cut above them.
            #expect(UInt128(stats[.leavesEvaluated]) <= without.testPruned + without.survivors)
        }
    }
}

/// `ChildSearch.splitQuadratics` (the hot window's bound below a split as a quadratic in the
/// split, runs of splits cut at once by its least value, and nodes tried on the hot window only)
/// cuts only what `cuts` without it would cut, further down if not here: counts and survivors are
/// the same, on real parents of both rules and both families, with asymmetry deciding at a child
/// level, and on one and several units per parent; so are the nodes searched further at every
/// depth (those depend on no hot window), while fewer splits are visited. The cascade still equals
/// the naive enumeration (CascadeTests.engineMatchesNaiveReference).
struct SplitQuadraticTests {
    @Test(arguments: [(1, 4, "1", Rule.refined, ChildFamily.relaxed), (1, 6, "1.1", .flat, .relaxed),
                      (2, 3, "1.05", .refined, .relaxed), (2, 4, "1.1", .refined, .exact), (1, 2, "1.3", .refined, .relaxed),
                      (2, 5, "1.02", .flat, .relaxed), (1, 9, "1.15", .refined, .relaxed), (2, 2, "0.95", .refined, .relaxed)])
    func quadraticsCutNothingElse(n0: Int, m: Int, target: String, rule: Rule, family: ChildFamily) throws {
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
            var (plain, quadratic) = (results[0].0, results[1].0)
            let (a, b) = (try #require(plain.stats), try #require(quadratic.stats))
            (plain.stats, quadratic.stats) = (nil, nil)
            #expect(plain == quadratic)
            #expect(results[0].1 == results[1].1)
            for depth in 0..<a.pairs {
                #expect(a[.deltaNodes, depth] == b[.deltaNodes, depth], "Δ nodes at depth \(depth)")
                let searched = { (s: ChildSearchStats) in s[.splitNodes, depth] - s[.capCuts, depth] - s[.splitWindowCuts, depth] }
                #expect(searched(a) == searched(b), "splits searched further at depth \(depth)")
                #expect(b[.splitNodes, depth] <= a[.splitNodes, depth])
                #expect(a[.splitRunCuts, depth] == 0, "no runs without the quadratic")
            }
            #expect(a[.leafSweeps] == b[.leafSweeps])
            // The quadratic has work to do from d = 8 on (at d = 4 these cases cut no split).
            if child.d >= 8 { #expect(b.sum(.splitRunCuts) > 0 && b.sum(.splitNodes) < a.sum(.splitNodes)) }
        }
    }
}

/// The child search with its split quadratics and runs classifies every child as the naive
/// enumeration does (each child of each pattern, `Evaluator.verdict` from scratch), at d = 8 where
/// runs of splits are cut at once, on one thread and two.
struct SplitRunNaiveTests {
    @Test(arguments: [(2, 2, "0.95", Rule.refined, ChildFamily.relaxed), (2, 2, "0.95", .refined, .exact),
                      (2, 2, "0.9", .flat, .relaxed)])
    func runsCutOnlyFailingChildren(n0: Int, m: Int, target: String, rule: Rule, family: ChildFamily) throws {
        var job = try ChildSearchStatsTests.childJob(n0: n0, m: m, target: target, rule: rule, family: family,
                                                     seed: UInt64(7 * n0 + m), parents: 3)
        let evaluator = Evaluator(problem: job.problem)
        var expected = ChildCounts(), expectedSurvivors: [[Int]] = []
        for parent in job.parents {
            NaiveCascade.forEachPattern(of: parent, family: family) { children in
                for child in children {
                    expected.children += 1
                    switch evaluator.verdict(child, cutoffs: job.cutoffs) {
                    case .asymmetryPruned: expected.asymmetryPruned += 1
                    case .testPruned: expected.testPruned += 1
                    case .survivor:
                        expected.survivors += 1
                        expectedSurvivors.append(child)
                    }
                }
            }
        }
        job.collectStats = true
        for threads in [1, 2] {
            var survivors: [[Int]] = []
            var counts = try CPUEngine(threads: threads).expand(job, survivors: { survivors += $0 }, stop: { false }, progress: nil)
            #expect(try #require(counts.stats).sum(.splitRunCuts) > 0, "runs are cut here")
            counts.stats = nil
            #expect(counts.children == expected.children && counts.asymmetryPruned == expected.asymmetryPruned)
            #expect(counts.testPruned == expected.testPruned && counts.survivors == expected.survivors)
            #expect(Set(survivors) == Set(expectedSurvivors) && survivors.count == expectedSurvivors.count)
        }
    }
}

/// `SplitQuadratic.minimum` is the least value over the integers of the range, for every curvature
/// the child search meets (−4, −2, 0, 2) and others, against the values one by one.
struct SplitQuadraticMinimumTests {
    @Test func minimumIsTheLeastValue() {
        var rng = SeededGenerator(seed: 12)
        for _ in 0..<4000 {
            let q = SplitQuadratic(window: 0, y0: Int64.random(in: -10_000...10_000, using: &rng),
                                   slope: Int64.random(in: -400...400, using: &rng),
                                   curvature: Int64.random(in: -6...6, using: &rng))
            let a = Int64.random(in: 0...60, using: &rng), b = a + Int64.random(in: 0...60, using: &rng)
            #expect(q.minimum(from: a, through: b) == (a...b).map(q.value).min()!, "\(q) on [\(a), \(b)]")
        }
    }
}
