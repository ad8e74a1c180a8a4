/// Integer cut-offs that turn "value > c" for a fraction c into integer comparisons, one per
/// window length: the one form that the CPU engine, the kernels and the self-tests share.
///
/// A window w = (ℓ, s) has the rule value X_w = WS − K_w, an integer, with K_w the problem's
/// correction (`WindowTerms`: coefficient·W_int + constant) or K_w = 0 for the plain test value.
/// "X_w/(4nℓm²) > c" is exactly "X_w > ⌊c·4nℓm²⌋" (method.md §3–4), and 4nℓm² depends on ℓ
/// alone, so
///   byLength[ℓ] = ⌊c·4nℓm²⌋   for 2 ≤ ℓ ≤ maxLength (entries 0 and 1 unused)
/// serves prove mode (c = the target), both sides of find-min mode (c = the best test and
/// certified values) and every rule. `Int64.max` (never exceeded) when `value` is nil (+∞).
///
/// Magnitudes: 0 ≤ K_w < 2^24 (K ≤ 2(2d−1)·S + d² or 16n²(2m+1), with d ≤ 64 and S ≤ 46,340),
/// so every X_w, and every lower bound on one, lies in (−2^24, S²] with S² ≤ 46,340² < 2^31 − 1
/// (`Problem.maxS`): the kernels compare in 32-bit `int` against these cut-offs clamped to
/// ±(2^31 − 1), which never changes a decision.
public struct WindowCutoffs: Sendable {
    public let value: Fraction?
    public let byLength: [Int64]

    public init(value: Fraction?, problem: Problem) {
        self.value = value
        byLength = (0...problem.maxLength).map { l in
            guard let value, l >= 2 else { return Int64.max }
            return value.floorTimes(Int64(4 * problem.n * l * problem.m * problem.m))
        }
    }

    /// The cut-off of each window of `windows` (`Problem.windowList`), for loops that index
    /// by window.
    public func byWindow(_ windows: [Window]) -> [Int64] {
        windows.map { byLength[$0.length] }
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
        windows = WindowCutoffs(value: target, problem: problem)
        asymmetryCutoff = Asymmetry.cutoff(target: target, problem: problem)
    }
}

/// What find-min mode skips with (method.md §4), from the best values known so far: a
/// composition or subtree can be skipped when its test value exceeds the best test value (some
/// plain window sum exceeds `test`) and its certified value exceeds the best certified value
/// (M ≥ `asymmetryCutoff`, or some rule value exceeds `certified`). The bound kernel computes
/// the same cut-offs on the device (Kernels/bound.cl, `ac_bound_cuts`), as its minima change.
public struct BoundCutoffs: Sendable {
    public let test: WindowCutoffs
    public let certified: WindowCutoffs
    public let asymmetryCutoff: Int

    public init(test: Fraction?, certified: Fraction?, problem: Problem) {
        self.test = WindowCutoffs(value: test, problem: problem)
        self.certified = WindowCutoffs(value: certified, problem: problem)
        asymmetryCutoff = Asymmetry.cutoffAbove(certified, problem: problem)
    }
}

extension ProveCutoffs {
    /// cap[j]: the largest c_j that the window (ℓ = 2, s = 2j) alone lets survive, for each bin
    /// j. That window's sum is at least c_j² and its W_int is at most S, so a larger c_j gives
    /// WS − K ≥ c_j² − coefficient·S − constant > cut: pruned whatever the other bins hold.
    /// The cascade engines cut every split beyond it (method.md §5 (b)).
    public func singleBinCaps(_ problem: Problem) -> [Int] {
        let terms = WindowTerms(problem: problem)
        let windows = problem.windowList
        return (0..<problem.d).map { j in
            let w = windows.firstIndex { $0.length == 2 && $0.start == 2 * j }!
            let limit = self.windows.byLength[2] + terms.constant[w] + terms.coefficient[w] * Int64(problem.S)
            // ⌊√limit⌋ exactly: a floating-point guess, corrected in integers.
            var v = Int64(Double(limit).squareRoot())
            while v * v > limit { v -= 1 }
            while (v + 1) * (v + 1) <= limit { v += 1 }
            return Int(v)
        }
    }
}
