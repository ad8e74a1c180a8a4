import AutoconvCore
import Testing
import TestSupport
@testable import AutoconvCheck

/// The checker's own enumeration and rules against the core's, which were written separately:
/// agreement between two independent implementations is the point.
@Suite struct PlainCheckerTests {
    @Test(arguments: [(2, 1), (2, 7), (3, 5), (4, 4), (6, 3)])
    func enumerationMatchesCore(d: Int, S: Int) throws {
        let count = try #require(PlainCompositions.count(parts: d, sum: S))
        #expect(String(count) == Compositions.count(parts: d, sum: S).description)
        var c = try #require(PlainCompositions.unrank(0, parts: d, sum: S))
        for rank in 0..<UInt64(count) {
            #expect(PlainCompositions.unrank(rank, parts: d, sum: S) == c)
            #expect(Compositions.unrank(rank, parts: d, sum: S) as [Int]? == c)
            #expect(PlainCompositions.advance(&c) == (rank + 1 < UInt64(count)))
        }
        #expect(PlainCompositions.unrank(UInt64(count), parts: d, sum: S) == nil)
    }

    /// Known answers: values.json prove counts for n = 2, m = 10 (the cases small enough here).
    @Test(arguments: ReferenceValues.loadedOrEmpty.prove.filter { $0.n == 2 && $0.m == 10 })
    func knownProveCounts(entry: ReferenceValues.ProveEntry) throws {
        let target = try TargetParser.parse(entry.target)
        let classifier = PlainClassifier(n: entry.n, m: entry.m, refined: entry.rule == "refined",
                                         maxLength: entry.maxWindow == "d" ? 2 * entry.n : 4 * entry.n,
                                         targetNumerator: target.numerator, targetDenominator: target.denominator)
        var counts: [Verdict: UInt64] = [:]
        var canonical: UInt64 = 0
        var c = try #require(PlainCompositions.unrank(0, parts: 2 * entry.n, sum: 4 * entry.n * entry.m))
        repeat {
            let verdict = classifier.classify(c)
            counts[verdict, default: 0] += 1
            if verdict == .survivor, Verifier.isCanonical(c) { canonical += 1 }
        } while PlainCompositions.advance(&c)
        #expect(counts[.asymmetryPruned] == entry.asymPruned)
        #expect(counts[.testPruned] == entry.testPruned)
        #expect(counts[.survivor] == entry.survivors)
        #expect(canonical == entry.canonicalSurvivors)
    }

    @Test func knownAnswersWereLoaded() throws {
        #expect(try ReferenceValues.load().prove.contains { $0.n == 2 && $0.m == 10 })
    }

    /// The same verdict as the core's `Evaluator` on random compositions of several problems.
    @Test func agreesWithEvaluatorOnRandomCompositions() throws {
        var random = SeededGenerator(seed: 5)
        for (n, m, rule, windows, target) in [(1, 7, Rule.flat, WindowSet.twoD, "0.9"), (2, 9, .refined, .d, "1.05"),
                                              (3, 4, .refined, .twoD, "1.1"), (3, 6, .flat, .d, "0.95"), (4, 3, .refined, .twoD, "1.2")] {
            let problem = try Problem(n: n, m: m, rule: rule, windows: windows)
            let t = try TargetParser.parse(target)
            let evaluator = Evaluator(problem: problem)
            let cutoffs = ProveCutoffs(problem: problem, target: t)
            let classifier = PlainClassifier(n: n, m: m, refined: rule == .refined, maxLength: problem.maxLength,
                                             targetNumerator: t.numerator, targetDenominator: t.denominator)
            let count = UInt64(try #require(PlainCompositions.count(parts: problem.d, sum: problem.S)))
            for _ in 0..<2000 {
                let c = try #require(PlainCompositions.unrank(UInt64.random(in: 0..<count, using: &random), parts: problem.d, sum: problem.S))
                #expect(classifier.classify(c) == evaluator.verdict(c, cutoffs: cutoffs), "\(problem) \(c)")
            }
        }
    }
}
