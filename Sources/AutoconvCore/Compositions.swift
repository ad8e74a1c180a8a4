/// Compositions of S into d ordered non-negative parts, ranked in lexicographic order of
/// (c_0, c_1, …, c_{d−1}): rank 0 is (0, …, 0, S) and the last rank is (S, 0, …, 0).
///
/// The rank of c is Σ_i Σ_{v < c_i} N(d−i−1, S − c_0 − … − c_{i−1} − v), where
/// N(k, r) = C(r+k−1, k−1) counts compositions of r into k parts: the compositions that agree
/// with c before position i and have a smaller part there. The subtree below any prefix is
/// therefore one contiguous rank range, which is what lets a search skip it in O(1).
public enum Compositions {
    /// C(S+d−1, d−1), exactly, for any size.
    /// Factors S + i must fit 32 bits (S + d ≤ 2^32).
    public static func count(parts d: Int, sum S: Int) -> BigCount {
        precondition(d >= 1 && S >= 0 && S + d <= Int(UInt32.max))
        var result: BigCount = 1
        // C(S+d−1, d−1) = Π_{i=1}^{d−1} (S+i)/i, exact at every step.
        for i in 1..<max(d, 1) {
            result.multiply(by: UInt32(S + i))
            let remainder = result.divide(by: UInt32(i))
            assert(remainder == 0)
        }
        return result
    }

    /// The rank of `c` (which must sum to `sum`) in `T`, or nil if some intermediate count
    /// does not fit `T`.
    public static func rank<T: FixedWidthInteger & UnsignedInteger & Sendable>(
        _ c: [Int], sum S: Int, as: T.Type = T.self
    ) -> T? {
        guard let table = BinomialTable<T>(compositionsOf: c.count, sum: S) else { return nil }
        return table.rank(c, sum: S)
    }

    /// The composition of `sum` into `parts` parts at `rank`, or nil if `rank` is out of range
    /// or the counts do not fit `T`.
    public static func unrank<T: FixedWidthInteger & UnsignedInteger & Sendable>(
        _ rank: T, parts d: Int, sum S: Int
    ) -> [Int]? {
        guard let table = BinomialTable<T>(compositionsOf: d, sum: S) else { return nil }
        return table.unrank(rank, parts: d, sum: S)
    }

    /// Lexicographically smaller of c and its reverse (method.md §3, reversal symmetry).
    public static func isCanonical(_ c: [Int]) -> Bool {
        var i = 0, j = c.count - 1
        while i < j {
            if c[i] != c[j] { return c[i] < c[j] }
            i += 1; j -= 1
        }
        return true
    }
}

/// Binomial coefficients C(a, b) for a ≤ maxTop, b ≤ maxBottom, in a fixed-width type.
/// Entries that overflow `T` make the initialiser fail, so every use is exact.
public struct BinomialTable<T: FixedWidthInteger & UnsignedInteger & Sendable>: Sendable {
    public let maxTop: Int
    public let maxBottom: Int
    /// Row-major: entry (a, b) at a * (maxBottom + 1) + b.
    public let entries: [T]

    public init?(maxTop: Int, maxBottom: Int) {
        self.maxTop = maxTop
        self.maxBottom = maxBottom
        let width = maxBottom + 1
        var e = [T](repeating: 0, count: (maxTop + 1) * width)
        for a in 0...maxTop {
            e[a * width] = 1
            if a == 0 || maxBottom == 0 { continue }
            for b in 1...min(a, maxBottom) {
                let (sum, overflow) = e[(a - 1) * width + b - 1].addingReportingOverflow(e[(a - 1) * width + b])
                if overflow { return nil }
                e[a * width + b] = sum
            }
        }
        entries = e
    }

    /// The table that ranking compositions of S into d parts needs: N(k, r) for k ≤ d and
    /// r ≤ S, i.e. C(a, b) for a ≤ S + d − 1, b ≤ d − 1. Fails exactly when C(S+d−1, d−1) (or a
    /// smaller-bottom entry) does not fit `T`.
    public init?(compositionsOf d: Int, sum S: Int) {
        self.init(maxTop: S + d - 1, maxBottom: d - 1)
    }

    @inline(__always)
    public func binomial(_ a: Int, _ b: Int) -> T {
        b < 0 || b > a ? 0 : entries[a * (maxBottom + 1) + b]
    }

    /// N(k, r): compositions of r into k ≥ 1 parts.
    @inline(__always)
    public func compositions(parts k: Int, sum r: Int) -> T {
        r < 0 ? 0 : binomial(r + k - 1, k - 1)
    }

    public func rank(_ c: [Int], sum S: Int) -> T {
        var rank: T = 0
        var remaining = S
        for i in 0..<(c.count - 1) {
            let k = c.count - i - 1
            // Σ_{v<c_i} N(k, remaining − v) = N(k+1, remaining) − N(k+1, remaining − c_i).
            rank += compositions(parts: k + 1, sum: remaining) - compositions(parts: k + 1, sum: remaining - c[i])
            remaining -= c[i]
        }
        return rank
    }

    public func unrank(_ rank: T, parts d: Int, sum S: Int) -> [Int]? {
        guard rank < compositions(parts: d, sum: S) else { return nil }
        var c = [Int](repeating: 0, count: d)
        var r = rank
        var remaining = S
        for i in 0..<(d - 1) {
            let k = d - i - 1
            // Binary search the largest v with Σ_{u<v} N(k, remaining − u) ≤ r.
            let total = compositions(parts: k + 1, sum: remaining)
            var lo = 0, hi = remaining
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if total - compositions(parts: k + 1, sum: remaining - mid) <= r { lo = mid } else { hi = mid - 1 }
            }
            r -= total - compositions(parts: k + 1, sum: remaining - lo)
            c[i] = lo
            remaining -= lo
        }
        c[d - 1] = remaining
        return c
    }
}
