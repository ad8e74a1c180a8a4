/// The windows of a problem as flat arrays, the layout every engine iterates.
///
/// `coefficient[w]` is 2(ℓ−1) under the refined rule and 0 under the flat rule, so that one
/// comparison "WS − coefficient·W_int > base" serves both rules (see `WindowCutoffs`).
public struct WindowTerms: Sendable {
    public let count: Int
    public let start: [Int]
    public let end: [Int]
    public let firstBin: [Int]
    public let lastBin: [Int]
    public let coefficient: [Int64]

    public init(problem: Problem) {
        let list = problem.windowList
        count = list.count
        start = list.map(\.start)
        end = list.map(\.end)
        firstBin = list.map(\.firstBin)
        lastBin = list.map(\.lastBin)
        coefficient = list.map { problem.rule == .refined ? $0.refinedCoefficient : 0 }
    }
}
