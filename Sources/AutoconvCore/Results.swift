/// A minimiser found in some rank range: the value, its composition and its rank.
/// Ties are broken by the smaller rank, so merging per-range results in any order gives the
/// same answer, however the work was split or timed.
public struct Minimum: Hashable, Sendable {
    public let value: Fraction
    public let rank: UInt64
    public let composition: [Int]

    public init(value: Fraction, rank: UInt64, composition: [Int]) {
        self.value = value
        self.rank = rank
        self.composition = composition
    }

    /// The better of two optional minima (smaller value, then smaller rank).
    public static func better(_ a: Minimum?, _ b: Minimum?) -> Minimum? {
        guard let a else { return b }
        guard let b else { return a }
        if a.value != b.value { return a.value < b.value ? a : b }
        return a.rank <= b.rank ? a : b
    }
}

/// Find-min mode over a set of rank ranges (method.md §4).
///
/// Ranges own reversal orbits: a range's minima are taken over the canonical compositions
/// (c ≤ reverse(c)) whose rank lies in it. Every orbit has one canonical member and both members
/// share test and cert, so the merged minima over a tiling are the minima over all compositions.
public struct BoundPartial: Hashable, Sendable {
    /// b_{n,m} candidate: smallest test(c).
    public var minTest: Minimum?
    /// Certified bound candidate: smallest cert(c).
    public var minCertified: Minimum?

    public init(minTest: Minimum? = nil, minCertified: Minimum? = nil) {
        self.minTest = minTest
        self.minCertified = minCertified
    }

    public mutating func merge(_ other: BoundPartial) {
        minTest = Minimum.better(minTest, other.minTest)
        minCertified = Minimum.better(minCertified, other.minCertified)
    }
}

/// Prove-mode counts over a set of rank ranges (method.md §3 counting convention): every
/// composition whose rank lies in the ranges is counted once, asymmetry first.
public struct ProveCounts: Hashable, Sendable {
    public var asymmetryPruned: UInt64 = 0
    public var testPruned: UInt64 = 0
    public var survivors: UInt64 = 0
    /// Survivors with c ≤ reverse(c): distinct survivors up to reversal.
    public var canonicalSurvivors: UInt64 = 0

    public init() {}

    public var total: UInt64 { asymmetryPruned + testPruned + survivors }

    public mutating func merge(_ other: ProveCounts) {
        asymmetryPruned += other.asymmetryPruned
        testPruned += other.testPruned
        survivors += other.survivors
        canonicalSurvivors += other.canonicalSurvivors
    }
}

/// A surviving composition with its test value (for `--show`).
public struct Survivor: Hashable, Sendable {
    public let rank: UInt64
    public let composition: [Int]

    public init(rank: UInt64, composition: [Int]) {
        self.rank = rank
        self.composition = composition
    }
}
