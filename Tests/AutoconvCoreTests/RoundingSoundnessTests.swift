import AutoconvCore
import BigInt
import Testing
import TestSupport

/// The soundness property behind every prune (method.md §3): round continuous heights a as CS
/// Lemma 2 does; the result b is on the grid, within 1/m of a entrywise, and for every window
/// the flat and the refined corrections each bound T_W(b) − T_W(a). All in exact rationals.
@Suite struct RoundingSoundnessTests {
    /// Random heights a ≥ 0 with Σ a_i = 4n, as d − 1 sorted cut points of [0, S] in grid units
    /// (x = m·a): on the grid, next to it, halfway, anywhere, repeated (a zero part), or a tiny
    /// step past the previous one (a tiny part).
    static func randomHeights(n: Int, m: Int, using rng: inout SeededGenerator) -> [Rational] {
        let d = 2 * n, S = 4 * n * m
        let tiny = { (rng: inout SeededGenerator) -> Rational in
            Rational(BigInt(1), BigInt(10).power(Int.random(in: 2...18, using: &rng)))
        }
        let family = Int.random(in: 0..<4, using: &rng)
        var cuts: [Rational] = []
        for _ in 0..<(d - 1) {
            let grid = Rational(Int.random(in: 0...S, using: &rng))
            let kind = family == 0 ? Int.random(in: 0..<7, using: &rng) : family  // mixed, or all of one kind
            let point: Rational
            switch kind {
            case 1: point = grid > .zero ? grid - tiny(&rng) : grid + tiny(&rng)   // just below the grid
            case 2: point = grid < Rational(S) ? grid + Rational(1, 2) : grid        // ties
            case 3: let q = Int.random(in: 2...1000, using: &rng)
                    point = Rational(Int.random(in: 0...(S * q), using: &rng), q)
            case 4: point = cuts.last ?? .zero                                         // a zero part
            case 5: point = min((cuts.last ?? .zero) + tiny(&rng), Rational(S))        // a tiny part
            case 6: point = Bool.random(using: &rng) ? .zero : Rational(S)
            default: point = grid
            }
            cuts.append(point)
        }
        cuts.sort()
        let edges = [Rational.zero] + cuts + [Rational(S)]
        return (0..<d).map { (edges[$0 + 1] - edges[$0]) / Rational(m) }
    }

    /// Σ_{k=s}^{e} Σ_{i+j=k} x_i x_j for every window, from the prefix sums of the autoconvolution.
    static func windowSums(_ x: [BigInt], windows: [Window]) -> [BigInt] {
        var conv = [BigInt](repeating: 0, count: 2 * x.count - 1)
        for i in x.indices {
            for j in x.indices { conv[i + j] += x[i] * x[j] }
        }
        var prefix: [BigInt] = [0]
        for term in conv { prefix.append(prefix.last! + term) }
        return windows.map { prefix[$0.end + 1] - prefix[$0.start] }
    }

    @Test(arguments: [1, 2, 3], [1, 2, 3, 5, 10, 50])
    func roundingIsSoundForBothRules(n: Int, m: Int) throws {
        var rng = SeededGenerator(seed: UInt64(1000 * n + m))
        let flat = Evaluator(problem: try Problem(n: n, m: m, rule: .flat, windows: .twoD))
        let refined = Evaluator(problem: try Problem(n: n, m: m, rule: .refined, windows: .twoD))
        let windows = flat.windows
        let S = 4 * n * m
        var windowsThatGrew = 0
        for sample in 0..<40 {
            let a = Self.randomHeights(n: n, m: m, using: &rng)
            #expect(a.reduce(.zero, +) == Rational(4 * n))
            let u = LemmaTwoRounding.scan(heights: a, m: m)
            #expect(LemmaTwoRounding.closedForm(heights: a, m: m) == u, "sample \(sample): a = \(a)")
            #expect(u.allSatisfy { $0 >= 0 } && u.reduce(0, +) == S, "u = \(u)")
            var runningError = Rational.zero
            for i in a.indices {
                let delta = Rational(u[i], m) - a[i]
                #expect(delta < Rational(1, m) && -delta < Rational(1, m), "bin \(i): b = \(u[i])/\(m), a = \(a[i])")
                runningError = runningError + delta
                #expect(runningError <= .zero && -runningError < Rational(1, m), "prefix \(i): error \(runningError)")
            }

            // Exact rationals over one common denominator D, a_i = y_i/D (far cheaper than a
            // Rational per term): T_W(a) = WS(y)/(4nℓD²) and T_W(b) = WS(c)/(4nℓm²) with c = m·b, so
            // T_W(b) − T_W(a) ≤ K/(4nℓm²)  ⇔  D²·WS(c) − m²·WS(y) ≤ D²·K.
            let D = a.reduce(BigInt(1)) { Self.lcm($0, $1.denominator) }
            let y = a.map { $0.numerator * (D / $0.denominator) }
            let continuous = Self.windowSums(y, windows: windows)
            let grid = Self.windowSums(u.map { BigInt($0) }, windows: windows)
            let DD = D * D, mm = BigInt(m * m)
            for (index, w) in windows.enumerated() {
                let change = DD * grid[index] - mm * continuous[index]
                if change > 0 { windowsThatGrew += 1 }
                #expect(change <= DD * BigInt(flat.correction(w, u)), "flat: n=\(n) m=\(m) ℓ=\(w.length) s=\(w.start) a=\(a) c=\(u)")
                #expect(change <= DD * BigInt(refined.correction(w, u)), "refined: n=\(n) m=\(m) ℓ=\(w.length) s=\(w.start) a=\(a) c=\(u)")
            }
        }
        // The rounding must really move window sums up, or the bounds above were never tested.
        #expect(windowsThatGrew > 0)
    }

    static func lcm(_ a: BigInt, _ b: BigInt) -> BigInt {
        a / BigInt(a.magnitude.greatestCommonDivisor(with: b.magnitude)) * b
    }
}
