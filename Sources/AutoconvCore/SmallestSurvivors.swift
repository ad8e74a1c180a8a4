/// The K survivors with the smallest test values (ties: smaller rank), kept in bounded memory:
/// what `prove --show K`, `merge` and the cascade's last level list.
public struct SmallestSurvivors: Sendable {
    public struct Entry: Sendable {
        public let test: Fraction
        /// max (WS − K)/(4nℓm²) under the run's rule: what prove compared with the target.
        public let correctedTest: Fraction
        public let rank: UInt64
        public let composition: [Int]
    }

    public let limit: Int
    public let evaluator: Evaluator
    public private(set) var sorted: [Entry] = []

    public init(limit: Int, evaluator: Evaluator) {
        self.limit = limit
        self.evaluator = evaluator
    }

    /// Adds survivors; call in rank order, so that among equal test values the smaller rank
    /// stays (an entry only displaces strictly larger values).
    public mutating func add(_ batch: [Survivor]) {
        guard limit > 0 else { return }
        for survivor in batch {
            let entry = Entry(test: evaluator.testValue(survivor.composition),
                              correctedTest: evaluator.correctedTestValue(survivor.composition),
                              rank: survivor.rank, composition: survivor.composition)
            if sorted.count == limit, let last = sorted.last, !(entry.test < last.test) { continue }
            let index = sorted.firstIndex { entry.test < $0.test } ?? sorted.count
            sorted.insert(entry, at: index)
            if sorted.count > limit { sorted.removeLast() }
        }
    }
}
