/// Which correction turns a grid test value into a bound valid for every function that rounds
/// to the composition (method.md §3).
public enum Rule: String, CaseIterable, Sendable {
    /// CS Lemma 3: K = 4nℓ(2m + 1) for every window.
    case flat
    /// K(ℓ,s) = 2(ℓ−1)·W_int(ℓ,s) + |W(ℓ,s)|, which depends on the composition.
    case refined
}

/// The set of windows (ℓ, s) that the test value maximises over (method.md §2).
public enum WindowSet: String, CaseIterable, Sendable {
    /// 2 ≤ ℓ ≤ d: the older, narrower set, kept to reproduce earlier numbers.
    case d
    /// 2 ≤ ℓ ≤ 2d: every window, the default.
    case twoD = "2d"
}

/// One single-level problem: the grid B_{n,m} with d = 2n bins and S = 4nm.
public struct Problem: Hashable, Sendable {
    public let n: Int
    public let m: Int
    public let rule: Rule
    public let windows: WindowSet

    public var d: Int { 2 * n }
    /// Sum of the integer parts, S = 4nm = 2dm.
    public var S: Int { 4 * n * m }
    /// Largest window length ℓ in use.
    public var maxLength: Int { windows == .d ? d : 2 * d }

    /// Largest S for which every window sum (≤ S²) and every threshold is exact in a signed
    /// 32-bit integer, the arithmetic the kernels use: 46340² < 2^31 − 1 < 46341².
    public static let maxS = 46_340
    /// Largest d any code path supports (the cascade goes to d = 64 at most).
    public static let maxD = 64

    /// Validates the parameters; every failure is a one-line `CoreError.badInput`.
    public init(n: Int, m: Int, rule: Rule = .refined, windows: WindowSet = .twoD) throws {
        guard n >= 1 else { throw CoreError.badInput("n must be at least 1 (got \(n))") }
        guard m >= 1 else { throw CoreError.badInput("m must be at least 1 (got \(m))") }
        guard n <= Problem.maxD / 2 else {
            throw CoreError.badInput("n = \(n) gives more than the supported \(Problem.maxD) bins (d = 2n)")
        }
        let (s, overflow) = (4 * n).multipliedReportingOverflow(by: m)
        guard !overflow, s <= Problem.maxS else {
            throw CoreError.badInput(
                "S = 4nm = \(overflow ? "too large" : String(s)) exceeds \(Problem.maxS), the limit for exact 32-bit window sums (WS ≤ S² < 2^31)")
        }
        self.n = n
        self.m = m
        self.rule = rule
        self.windows = windows
    }

    /// The cascade's next level: twice the bins (d doubles), the same m, rule and windows.
    public func nextLevel() throws -> Problem {
        try Problem(n: 2 * n, m: m, rule: rule, windows: windows)
    }
}
