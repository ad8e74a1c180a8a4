/// The asymmetry rule (CS §3.3, method.md §3–4) in integers.
///
/// With left mass A = Σ_{i<n} c_i and M = max(A, S − A), the margin 1/(4m) equals n/S, so
/// "L ≥ τ + 1/(4m) or L ≤ 1 − τ − 1/(4m)" with τ = √(c_t/2) is exactly
/// "(M − n)/S ≥ τ", i.e. M − n ≥ 0 and 2q(M − n)² ≥ p·S² for c_t = p/q.
/// M ≥ S/2 = 2nm ≥ n, so M − n is never negative.
public enum Asymmetry {
    /// The larger of the two half masses, M.
    @inline(__always)
    public static func majorMass(leftMass a: Int, total S: Int) -> Int { max(a, S - a) }

    /// asym(c) = 2·((M − n)/S)², the bound that the mass imbalance alone certifies.
    public static func certifiedValue(majorMass M: Int, problem: Problem) -> Fraction {
        let excess = Int64(M - problem.n)
        return Fraction(2 * excess * excess, Int64(problem.S) * Int64(problem.S))
    }

    /// The least M at which the rule prunes for target c_t, or S + 1 if it never does.
    /// Prune iff M ≥ cutoff.
    public static func cutoff(target: Fraction, problem: Problem) -> Int {
        leastMajorMass(reaching: target, strictly: false, problem: problem)
    }

    /// The least M in [S/2, S] (S is even) with asym(M) ≥ `value`, or > `value` when `strictly`,
    /// or S + 1 if there is none: the one computation behind both cut-offs. asym grows with M
    /// there, and "2(M − n)²/S² ≥ p/q" is "2q(M − n)² ≥ p·S²", exact in 128 bits.
    private static func leastMajorMass(reaching value: Fraction, strictly: Bool, problem: Problem) -> Int {
        let S = problem.S, n = problem.n
        let rhs = Int128(value.numerator) * Int128(S) * Int128(S)
        for M in (S / 2)...S {
            let e = Int128(M - n)
            let lhs = 2 * Int128(value.denominator) * e * e
            if strictly ? lhs > rhs : lhs >= rhs { return M }
        }
        return S + 1
    }
}

extension Asymmetry {
    /// The least M with asym = 2((M − n)/S)² strictly greater than `value`, or S + 1 if none.
    /// In find-min mode, M ≥ this cut-off means cert(c) > value whatever the windows say.
    public static func cutoffAbove(_ value: Fraction?, problem: Problem) -> Int {
        guard let value else { return problem.S + 1 }
        return leastMajorMass(reaching: value, strictly: true, problem: problem)
    }
}
