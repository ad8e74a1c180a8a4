/// Integer cut-offs that turn "value > c" for a fraction c into integer comparisons.
///
/// For a window w, "(WS − K_w)/(4nℓm²) > c" with integer WS − K_w is exactly
/// "WS − K_w > ⌊c·4nℓm²⌋" (method.md §3). The part of K_w that does not depend on the
/// composition is folded in, so the decision is one of
///   flat:    WS > base[w]                      with base[w] = ⌊c·4nℓm²⌋ + 4nℓ(2m+1)
///   refined: WS − 2(ℓ−1)·W_int > base[w]       with base[w] = ⌊c·4nℓm²⌋ + |W|
///   none:    WS > base[w]                      with base[w] = ⌊c·4nℓm²⌋ (plain test value)
public struct WindowCutoffs: Sendable {
    /// Which correction the cut-offs include.
    public enum Correction: Sendable { case none, flat, refined }

    public let value: Fraction?
    public let correction: Correction
    /// One entry per window of `Problem.windowList`. `Int64.max` when `value` is nil (+∞).
    public let base: [Int64]

    public init(value: Fraction?, correction: Correction, windows: [Window]) {
        self.value = value
        self.correction = correction
        base = windows.map { w in
            guard let value else { return Int64.max }
            let floor = value.floorTimes(w.denominator)
            switch correction {
            case .none: return floor
            case .flat: return floor + w.flatCorrection
            case .refined: return floor + w.pairCount
            }
        }
    }

    public init(value: Fraction?, rule: Rule, windows: [Window]) {
        self.init(value: value, correction: rule == .flat ? .flat : .refined, windows: windows)
    }
}

/// Everything prove mode decides with, for one problem and target.
public struct ProveCutoffs: Sendable {
    public let target: Fraction
    public let windows: WindowCutoffs
    /// Asymmetry prunes iff max(A, S − A) ≥ asymmetryCutoff.
    public let asymmetryCutoff: Int

    public init(problem: Problem, target: Fraction) {
        self.target = target
        windows = WindowCutoffs(value: target, rule: problem.rule, windows: problem.windowList)
        asymmetryCutoff = Asymmetry.cutoff(target: target, problem: problem)
    }
}

extension ProveCutoffs {
    /// cap[j]: the largest c_j that the window (ℓ = 2, s = 2j) alone lets survive, for each bin
    /// j. That window's sum is at least c_j² and its W_int is at most S, so a larger c_j gives
    /// WS − coefficient·W_int ≥ c_j² − coefficient·S > base: pruned whatever the other bins
    /// hold. The cascade engines cut every split beyond it (method.md §5 (b)).
    public func singleBinCaps(_ problem: Problem) -> [Int] {
        let windows = problem.windowList
        return (0..<problem.d).map { j in
            let w = windows.firstIndex { $0.length == 2 && $0.start == 2 * j }!
            let coefficient = problem.rule == .refined ? windows[w].refinedCoefficient : 0
            let limit = self.windows.base[w] + coefficient * Int64(problem.S)
            // ⌊√limit⌋ exactly: a floating-point guess, corrected in integers.
            var v = Int64(Double(limit).squareRoot())
            while v * v > limit { v -= 1 }
            while (v + 1) * (v + 1) <= limit { v += 1 }
            return Int(v)
        }
    }
}
