import AutoconvCore
import AutoconvCPU
import Testing
import TestSupport

/// The fast CPU path against the naive oracle on random small grids: every rule and window
/// set, random targets, 1 and 2 threads, tiny chunks, and random tilings of the rank space.
@Suite struct ReferenceComparisonTests {
    /// One random scenario, reproducible from its seed.
    struct Scenario: CustomStringConvertible {
        let seed: UInt64
        let problem: Problem
        let total: UInt64
        /// Sorted cut points 0 = t_0 ≤ t_1 ≤ … ≤ t_k = total (empty ranges included).
        let tiling: [RankRange]
        let chunkSize: UInt64

        init(seed: UInt64) throws {
            self.seed = seed
            var rng = SeededGenerator(seed: seed)
            // Grids of at most a few thousand compositions: n = 1 up to m = 60, n = 2 up to m = 3,
            // and n = 3 at m = 1.
            let n = [1, 1, 2, 2, 2, 3].randomElement(using: &rng)!
            let m = n == 1 ? Int.random(in: 1...60, using: &rng) : n == 2 ? Int.random(in: 1...3, using: &rng) : 1
            problem = try Problem(n: n, m: m, rule: Rule.allCases.randomElement(using: &rng)!,
                                  windows: WindowSet.allCases.randomElement(using: &rng)!)
            let count = try Job(problem: problem).range.count
            var cuts = (0..<Int.random(in: 1...5, using: &rng)).map { _ in UInt64.random(in: 0...count, using: &rng) }
            cuts = ([0] + cuts + [count]).sorted()
            total = count
            tiling = (0..<(cuts.count - 1)).map { RankRange(cuts[$0], cuts[$0 + 1]) }
            chunkSize = UInt64.random(in: 1...max(1, count / 3), using: &rng)
        }

        var description: String {
            "seed \(seed): n=\(problem.n) m=\(problem.m) \(problem.rule) max-window=\(problem.windows.rawValue) tiling=\(tiling) chunk=\(chunkSize)"
        }

        /// Backends to compare: one thread, two threads, and two threads with tiny chunks.
        var backends: [CPUEngine] {
            var small = CPUEngine(threads: 2)
            small.chunkSize = chunkSize
            return [CPUEngine(threads: 1), CPUEngine(threads: 2), small]
        }
    }

    static let seeds: [UInt64] = Array(1...24)

    @Test func scenariosCoverEveryLevelRuleAndWindowSet() throws {
        let problems = try Self.seeds.map { try Scenario(seed: $0).problem }
        #expect(Set(problems.map(\.n)) == [1, 2, 3])
        #expect(Set(problems.map(\.rule)) == Set(Rule.allCases))
        #expect(Set(problems.map(\.windows)) == Set(WindowSet.allCases))
        #expect(problems.contains { $0.n >= 2 && $0.rule == .flat } && problems.contains { $0.n >= 2 && $0.rule == .refined })
    }

    @Test(arguments: seeds)
    func boundMatchesTheNaiveMinimum(seed: UInt64) throws {
        let scenario = try Scenario(seed: seed)
        let problem = scenario.problem
        let naive = NaiveSolver(problem)
        let overAll = naive.bound(canonicalOnly: false)
        // Minimisers are compared exactly: the smallest-rank canonical one.
        let expected = naive.bound(canonicalOnly: true)
        #expect(expected.minTest?.value == overAll.minTest?.value, "\(scenario)")
        #expect(expected.minCertified?.value == overAll.minCertified?.value, "\(scenario)")

        for backend in scenario.backends {
            let result = try backend.bound(try Job(problem: problem), progress: nil)
            #expect(result.minTest == expected.minTest, "\(scenario) threads=\(backend.threads) chunk=\(backend.chunkSize)")
            #expect(result.minCertified == expected.minCertified, "\(scenario) threads=\(backend.threads) chunk=\(backend.chunkSize)")
        }

        // A range minimises over its canonical compositions; the tiling's merge is the global minimum.
        var merged = BoundPartial()
        for range in scenario.tiling {
            let partial = try CPUEngine(threads: 2).bound(Job(problem: problem, range: range), progress: nil)
            let inRange = naive.bound(ranks: range.lower..<range.upper, canonicalOnly: true)
            #expect(partial.minTest == inRange.minTest, "\(scenario) range \(range)")
            #expect(partial.minCertified == inRange.minCertified, "\(scenario) range \(range)")
            merged.merge(partial)
        }
        #expect(merged.minTest == expected.minTest, "\(scenario)")
        #expect(merged.minCertified == expected.minCertified, "\(scenario)")
    }

    @Test(arguments: seeds)
    func proveMatchesTheNaiveCounts(seed: UInt64) throws {
        let scenario = try Scenario(seed: seed)
        let problem = scenario.problem
        let naive = NaiveSolver(problem)
        var rng = SeededGenerator(seed: seed ^ 0x5eed)
        let certified = try #require(naive.bound(canonicalOnly: false).minCertified).value
        // A random target, the certified bound itself (ties must survive: the rules are strict
        // for windows), and just below it, where every composition must be pruned.
        var targets = [Fraction(Int64.random(in: 500...1600, using: &rng), 1000), certified]
        let below = Fraction(certified.numerator * 1_000_000 - 1, certified.denominator * 1_000_000)
        if below > .zero { targets.append(below) }

        for target in targets where target > .zero && target < Fraction(2) {
            let cutoffs = ProveCutoffs(problem: problem, target: target)
            let expected = naive.prove(target: target)
            if target == below {
                #expect(expected.counts.survivors == 0, "below the certified bound nothing survives: \(scenario)")
            }
            for backend in scenario.backends {
                var survivors: [Survivor] = []
                let counts = try backend.prove(try Job(problem: problem), cutoffs: cutoffs,
                                               survivors: { survivors += $0 }, progress: nil)
                #expect(counts == expected.counts, "\(scenario) target=\(target) threads=\(backend.threads) chunk=\(backend.chunkSize)")
                #expect(survivors == expected.survivors, "\(scenario) target=\(target) threads=\(backend.threads)")
                // Without a survivor handler the counts must not change.
                #expect(try backend.prove(try Job(problem: problem), cutoffs: cutoffs, survivors: nil, progress: nil) == expected.counts)
            }

            var merged = ProveCounts()
            var survivors: [Survivor] = []
            for range in scenario.tiling {
                let counts = try CPUEngine(threads: 2).prove(Job(problem: problem, range: range), cutoffs: cutoffs,
                                                              survivors: { survivors += $0 }, progress: nil)
                #expect(counts == naive.prove(target: target, ranks: range.lower..<range.upper).counts,
                        "\(scenario) target=\(target) range \(range)")
                merged.merge(counts)
            }
            #expect(merged == expected.counts, "\(scenario) target=\(target)")
            #expect(survivors == expected.survivors, "\(scenario) target=\(target)")
        }
    }
}
