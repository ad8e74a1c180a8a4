import AutoconvCore
import AutoconvCPU
import Testing
import TestSupport

/// Every known answer of values.json, through the CPU backend.
@Suite struct KnownAnswerTests {
    /// One exhaustive `bound` run: a values.json grid, a window set and a rule.
    struct BoundCase: Sendable, CustomStringConvertible {
        let entry: ReferenceValues.MinTestEntry
        let windows: WindowSet
        let rule: Rule
        var description: String { "\(entry) max-window=\(windows.rawValue) \(rule)" }
    }

    /// b_{n,m} does not depend on the rule, but the search's cuts do, so both rules run where
    /// that is cheap; the largest grids (millions of compositions) run the default rule only.
    static let boundCases: [BoundCase] = ReferenceValues.loadedOrEmpty.minTest.flatMap { entry in
        WindowSet.allCases.flatMap { windows in
            ((UInt64(entry.compositions) ?? .max) <= 1_000_000 ? Rule.allCases : [.refined]).map {
                BoundCase(entry: entry, windows: windows, rule: $0)
            }
        }
    }

    @Test(arguments: boundCases)
    func minTestMatches(_ known: BoundCase) throws {
        let problem = try Problem(n: known.entry.n, m: known.entry.m, rule: known.rule, windows: known.windows)
        let expected = try #require(Fraction(parsing: known.entry.answer(for: known.windows).minTest))
        let result = try CPUEngine(threads: 2).bound(try Job(problem: problem), progress: nil)
        let minimum = try #require(result.minTest)
        #expect(minimum.value == expected)
        // Any minimiser will do (values.json's may be another one, or its reverse), but it must
        // be a composition of the grid, at its rank, with exactly the minimum test value.
        let c = minimum.composition
        #expect(c.count == problem.d && c.allSatisfy { $0 >= 0 } && c.reduce(0, +) == problem.S, "\(c)")
        #expect(Compositions.rank(c, sum: problem.S, as: UInt64.self) == minimum.rank)
        let naive = NaiveSolver(problem)
        #expect(naive.testValue(c) == expected, "test(\(c))")
        let certified = try #require(result.minCertified)
        #expect(naive.certifiedValue(certified.composition) == certified.value, "cert(\(certified.composition))")
        #expect(certified.value <= minimum.value, "cert ≤ test at the test minimiser, so min cert ≤ min test")
    }

    @Test(arguments: ReferenceValues.loadedOrEmpty.prove)
    func proveCountsMatch(_ known: ReferenceValues.ProveEntry) throws {
        let problem = try Problem(n: known.n, m: known.m,
                                  rule: try #require(Rule(rawValue: known.rule)),
                                  windows: try #require(WindowSet(rawValue: known.maxWindow)))
        let target = try TargetParser.parse(known.target)
        let job = try Job(problem: problem)
        let counts = try CPUEngine(threads: 2).prove(job, cutoffs: ProveCutoffs(problem: problem, target: target),
                                                      survivors: nil, progress: nil)
        #expect(counts.asymmetryPruned == known.asymPruned)
        #expect(counts.testPruned == known.testPruned)
        #expect(counts.survivors == known.survivors)
        #expect(counts.canonicalSurvivors == known.canonicalSurvivors)
        #expect(counts.total == job.range.count)
    }
}
