import AutoconvCore
import Testing
import TestSupport

/// The oracle must itself reproduce the known answers it can afford to enumerate.
@Suite struct NaiveSolverTests {
    /// Grids the naive solver enumerates in about a second even in a debug build.
    static let affordable = ReferenceValues.loadedOrEmpty.minTest.filter { (UInt64($0.compositions) ?? .max) <= 15_000 }

    @Test func someKnownAnswersAreAffordable() {
        #expect(Self.affordable.count >= 3)
    }

    @Test(arguments: affordable)
    func reproducesMinTest(entry: ReferenceValues.MinTestEntry) throws {
        for windows in WindowSet.allCases {
            let naive = NaiveSolver(n: entry.n, m: entry.m, rule: .refined, windows: windows)
            let result = naive.bound(canonicalOnly: false)
            #expect(result.minTest?.value == Fraction(parsing: entry.answer(for: windows).minTest), "\(entry) \(windows)")
        }
    }

    @Test(arguments: ReferenceValues.loadedOrEmpty.prove.filter { $0.n == 2 && $0.m == 10 })
    func reproducesProveCounts(entry: ReferenceValues.ProveEntry) throws {
        let rule = try #require(Rule(rawValue: entry.rule)), windows = try #require(WindowSet(rawValue: entry.maxWindow))
        let naive = NaiveSolver(n: entry.n, m: entry.m, rule: rule, windows: windows)
        let counts = naive.prove(target: try TargetParser.parse(entry.target)).counts
        #expect(counts.asymmetryPruned == entry.asymPruned)
        #expect(counts.testPruned == entry.testPruned)
        #expect(counts.survivors == entry.survivors)
        #expect(counts.canonicalSurvivors == entry.canonicalSurvivors)
    }
}
