/// One window (ℓ, s): it covers conv[s … s+ℓ−2] (method.md §2).
public struct Window: Hashable, Sendable {
    public let length: Int          // ℓ
    public let start: Int           // s
    /// Last conv index covered, s + ℓ − 2.
    public var end: Int { start + length - 2 }
    /// Denominator of its test value, 4nℓm².
    public let denominator: Int64
    /// |W(ℓ,s)|: ordered pairs (i, j) of bins with i + j in the window.
    public let pairCount: Int64
    /// Bins that can reach the window: [max(0, s−d+1), min(d−1, s+ℓ−2)].
    public let firstBin: Int
    public let lastBin: Int
    /// The flat correction 4nℓ(2m + 1).
    public let flatCorrection: Int64
    /// Coefficient of W_int in the refined correction, 2(ℓ − 1).
    public var refinedCoefficient: Int64 { Int64(2 * (length - 1)) }
}

extension Problem {
    /// Every window of the problem's window set, ordered by ℓ then s. Every engine and kernel
    /// iterates this same list, so window order never differs between backends.
    public var windowList: [Window] {
        var list: [Window] = []
        for l in 2...maxLength {
            for s in 0...(2 * d - l) {
                var pairs = 0
                for k in s...(s + l - 2) { pairs += min(k, d - 1) - max(0, k - d + 1) + 1 }
                list.append(Window(
                    length: l, start: s,
                    denominator: Int64(4 * n * l * m * m),
                    pairCount: Int64(pairs),
                    firstBin: max(0, s - d + 1), lastBin: min(d - 1, s + l - 2),
                    flatCorrection: Int64(4 * n * l * (2 * m + 1))))
            }
        }
        return list
    }
}
