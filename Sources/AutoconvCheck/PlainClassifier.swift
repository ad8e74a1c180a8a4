import AutoconvCore

/// Prove-mode classification of one composition written straight from method.md §3, for the
/// checker: full autoconvolution, every window summed term by term, every rule decided by
/// cross-multiplying in 128-bit integers. No cut-off tables, no incremental state, no early
/// bounds — nothing shared with `Evaluator`, `WindowCutoffs`, `Asymmetry` or the engines.
///
/// Magnitudes: WS ≤ S² < 2^31, p, q ≤ 10^12 and (4mS)² < 2^63, so every product below stays far
/// inside `Int128`.
struct PlainClassifier {
    let n: Int
    let m: Int
    let d: Int
    let S: Int
    let refined: Bool
    let maxLength: Int
    /// Target c_t = p/q.
    let p: Int128
    let q: Int128
    /// |W(ℓ,s)| at [ℓ][s]: ordered pairs (i, j) of bins with i + j in the window, counted one by one.
    let pairCounts: [[Int128]]

    init(n: Int, m: Int, refined: Bool, maxLength: Int, targetNumerator p: Int64, targetDenominator q: Int64) {
        self.n = n
        self.m = m
        d = 2 * n
        S = 4 * n * m
        self.refined = refined
        self.maxLength = maxLength
        self.p = Int128(p)
        self.q = Int128(q)
        let d = 2 * n
        pairCounts = (0...maxLength).map { l in
            l < 2 ? [] : (0...(2 * d - l)).map { s in
                var pairs: Int128 = 0
                for i in 0..<d {
                    for j in 0..<d where i + j >= s && i + j <= s + l - 2 { pairs += 1 }
                }
                return pairs
            }
        }
    }

    func classify(_ c: [Int]) -> Verdict {
        if asymmetryPrunes(c) { return .asymmetryPruned }
        var conv = [Int128](repeating: 0, count: 2 * d - 1)
        for i in 0..<d {
            for j in 0..<d { conv[i + j] += Int128(c[i]) * Int128(c[j]) }
        }
        for l in 2...maxLength {
            for s in 0...(2 * d - l) where windowPrunes(c, conv, l, s) { return .testPruned }
        }
        return .survivor
    }

    /// L = A/S with A the mass of bins 0…n−1. Prune when L ≥ τ + 1/(4m) or L ≤ 1 − τ − 1/(4m),
    /// τ = √(c_t/2). With X = A (or X = S − A for the second case) this is
    /// X/S − 1/(4m) ≥ τ, i.e. e = 4mX − S ≥ 0 and e²/(4mS)² ≥ p/(2q).
    private func asymmetryPrunes(_ c: [Int]) -> Bool {
        let left = c[0..<n].reduce(0, +)
        for mass in [left, S - left] {
            let e = Int128(4 * m * mass - S)
            let scale = Int128(4 * m) * Int128(S)
            if e >= 0, 2 * q * e * e >= p * scale * scale { return true }
        }
        return false
    }

    /// The window (ℓ, s) covers conv[s … s+ℓ−2].
    ///   flat:    WS > 4nℓ(c_t·m² + 2m + 1)       ⇔  q·WS > 4nℓ(p·m² + q(2m + 1))
    ///   refined: WS − K > c_t·4nℓm²               ⇔  q(WS − K) > p·4nℓm²,
    ///            K = 2(ℓ−1)·W_int + |W|.
    private func windowPrunes(_ c: [Int], _ conv: [Int128], _ l: Int, _ s: Int) -> Bool {
        let e = s + l - 2
        var ws: Int128 = 0
        for k in s...e { ws += conv[k] }
        let nl = Int128(4 * n * l)
        let mm = Int128(m) * Int128(m)
        if !refined {
            return q * ws > nl * (p * mm + q * Int128(2 * m + 1))
        }
        // Bins that can reach the window: i with some j in 0…d−1 and s ≤ i + j ≤ e.
        var inRange: Int128 = 0
        for i in 0..<d where i + (d - 1) >= s && i <= e { inRange += Int128(c[i]) }
        let k = 2 * Int128(l - 1) * inRange + pairCounts[l][s]
        return q * (ws - k) > p * nl * mm
    }
}
