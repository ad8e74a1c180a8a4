/// The windows of a problem as flat arrays, the layout every engine iterates.
///
/// The correction of window w is K_w = coefficient[w]·W_int + constant[w] (method.md §3):
///   flat:    coefficient 0,        constant 4nℓ(2m+1)
///   refined: coefficient 2(ℓ−1),   constant |W(ℓ,s)|
/// so one comparison "WS − coefficient·W_int − constant > cut[ℓ]" serves both rules (see
/// `WindowCutoffs`); the plain test value compares WS alone.
public struct WindowTerms: Sendable {
    public let count: Int
    public let start: [Int]
    public let end: [Int]
    public let firstBin: [Int]
    public let lastBin: [Int]
    public let coefficient: [Int64]
    public let constant: [Int64]

    public init(problem: Problem) {
        let list = problem.windowList
        count = list.count
        start = list.map(\.start)
        end = list.map(\.end)
        firstBin = list.map(\.firstBin)
        lastBin = list.map(\.lastBin)
        coefficient = list.map { problem.rule == .refined ? $0.refinedCoefficient : 0 }
        constant = list.map { problem.rule == .refined ? $0.pairCount : $0.flatCorrection }
    }
}
