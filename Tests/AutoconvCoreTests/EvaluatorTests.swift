import AutoconvCore
import Testing
import TestSupport

/// The core's exact evaluation (Evaluator, Asymmetry, WindowCutoffs, ProveCutoffs) against the
/// naive oracle, on random compositions of grids too large to enumerate.
@Suite struct EvaluatorTests {
    /// Random (n, m, rule, window set) up to d = 12.
    static func randomProblems(count: Int, seed: UInt64) throws -> [Problem] {
        var rng = SeededGenerator(seed: seed)
        return try (0..<count).map { _ in
            try Problem(n: Int.random(in: 1...6, using: &rng), m: Int.random(in: 1...30, using: &rng),
                         rule: Rule.allCases.randomElement(using: &rng)!, windows: WindowSet.allCases.randomElement(using: &rng)!)
        }
    }

    /// A uniformly random composition of S into d parts (stars and bars).
    static func randomComposition(parts d: Int, sum S: Int, using rng: inout SeededGenerator) -> [Int] {
        var cuts = (0..<(d - 1)).map { _ in Int.random(in: 0...S, using: &rng) }
        cuts.sort()
        let edges = [0] + cuts + [S]
        return (0..<d).map { edges[$0 + 1] - edges[$0] }
    }

    /// A target near the interesting range (0.5 … 1.6), with a random denominator.
    static func randomTarget(using rng: inout SeededGenerator) -> Fraction {
        let q = Int64.random(in: 1...5000, using: &rng)
        return Fraction(Int64.random(in: (q / 2)...(q * 8 / 5), using: &rng), q)
    }

    @Test func windowListAndCorrectionsMatchTheDefinitions() throws {
        var rng = SeededGenerator(seed: 1)
        for problem in try Self.randomProblems(count: 40, seed: 2) {
            let naive = NaiveSolver(problem)
            let evaluator = Evaluator(problem: problem)
            let c = Self.randomComposition(parts: problem.d, sum: problem.S, using: &rng)
            let expected = naive.corrections(c)
            #expect(evaluator.windows.map { [$0.length, $0.start] } == expected.map { [$0.length, $0.start] }, "\(problem)")
            #expect(evaluator.windows.map { evaluator.correction($0, c) } == expected.map { Int64($0.correction) }, "\(problem) c=\(c)")
        }
    }

    @Test func valuesAndVerdictsMatchTheNaiveSolver() throws {
        var rng = SeededGenerator(seed: 3)
        for problem in try Self.randomProblems(count: 40, seed: 4) {
            let naive = NaiveSolver(problem)
            let evaluator = Evaluator(problem: problem)
            for _ in 0..<25 {
                let c = Self.randomComposition(parts: problem.d, sum: problem.S, using: &rng)
                let target = Self.randomTarget(using: &rng)
                let (test, cert) = naive.values(c)
                #expect(evaluator.testValue(c) == test, "\(problem) c=\(c)")
                #expect(evaluator.certifiedValue(c) == cert, "\(problem) c=\(c)")
                let expected: Verdict = naive.isAsymmetryPruned(c, target: target) ? .asymmetryPruned
                    : naive.isTestPruned(c, target: target) ? .testPruned : .survivor
                #expect(evaluator.verdict(c, cutoffs: ProveCutoffs(problem: problem, target: target)) == expected,
                        "\(problem) c=\(c) target=\(target)")
            }
        }
    }

    /// The integer cut-offs of the asymmetry rule, at every left mass A, for random targets and
    /// at targets equal to an attained asym value (where ≥ versus > matters).
    @Test func asymmetryCutoffsMatchTheRationalRule() throws {
        var rng = SeededGenerator(seed: 5)
        for problem in try Self.randomProblems(count: 8, seed: 6) {
            let naive = NaiveSolver(problem)
            let S = problem.S
            var targets = (0..<3).map { _ in Self.randomTarget(using: &rng) }
            targets.append(naive.asymmetryValue(leftMass: S).fraction!)
            targets.append(naive.asymmetryValue(leftMass: S * 7 / 8).fraction!)
            for target in targets where target > .zero {
                let cutoff = Asymmetry.cutoff(target: target, problem: problem)
                let above = Asymmetry.cutoffAbove(target, problem: problem)
                for A in 0...S {
                    let M = Asymmetry.majorMass(leftMass: A, total: S)
                    #expect((M >= cutoff) == naive.isAsymmetryPruned(leftMass: A, target: target), "\(problem) A=\(A) target=\(target)")
                    #expect((M >= above) == (naive.asymmetryValue(leftMass: A) > Rational(target)), "\(problem) A=\(A) value=\(target)")
                    #expect(Rational(Asymmetry.certifiedValue(majorMass: M, problem: problem)) == naive.asymmetryValue(leftMass: A), "\(problem) A=\(A)")
                }
            }
            #expect(Asymmetry.cutoffAbove(nil, problem: problem) == S + 1)
        }
    }

    /// "X > c·4nℓm²" for an integer X (a window's value WS − K) is exactly "X > cut[ℓ]"
    /// (WindowCutoffs), at and next to the cut-off.
    @Test func windowCutoffsAreExact() throws {
        var rng = SeededGenerator(seed: 7)
        for problem in try Self.randomProblems(count: 20, seed: 8) {
            let windows = problem.windowList
            let value = Self.randomTarget(using: &rng)
            let cutoffs = WindowCutoffs(value: value, problem: problem)
            for (w, cut) in zip(windows, cutoffs.byWindow(windows)) {
                #expect(cut == cutoffs.byLength[w.length])
                for x in (cut - 2)...(cut + 2) {
                    let exact = Rational(Fraction(x, w.denominator)) > Rational(value)
                    #expect((x > cut) == exact, "\(problem) ℓ=\(w.length) s=\(w.start) X=\(x)")
                }
            }
            #expect(WindowCutoffs(value: nil, problem: problem).byLength.allSatisfy { $0 == .max })
        }
    }

    @Test func reversedCompositionsHaveEqualValues() throws {
        var rng = SeededGenerator(seed: 9)
        for problem in try Self.randomProblems(count: 25, seed: 10) {
            let naive = NaiveSolver(problem)
            let evaluator = Evaluator(problem: problem)
            let cutoffs = ProveCutoffs(problem: problem, target: Self.randomTarget(using: &rng))
            for _ in 0..<20 {
                let c = Self.randomComposition(parts: problem.d, sum: problem.S, using: &rng)
                let r = Array(c.reversed())
                #expect(evaluator.testValue(c) == evaluator.testValue(r), "\(problem) c=\(c)")
                #expect(evaluator.certifiedValue(c) == evaluator.certifiedValue(r), "\(problem) c=\(c)")
                #expect(evaluator.verdict(c, cutoffs: cutoffs) == evaluator.verdict(r, cutoffs: cutoffs), "\(problem) c=\(c)")
                #expect(naive.values(c) == naive.values(r), "\(problem) c=\(c)")
            }
        }
    }
}
