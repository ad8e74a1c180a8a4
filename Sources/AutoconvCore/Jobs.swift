/// A contiguous range of composition ranks: the unit of work for threads, launches and shards.
public struct RankRange: Hashable, Sendable, CustomStringConvertible {
    public let lower: UInt64
    public let upper: UInt64   // exclusive

    public init(_ lower: UInt64, _ upper: UInt64) {
        precondition(lower <= upper)
        self.lower = lower
        self.upper = upper
    }

    public var count: UInt64 { upper - lower }
    public var description: String { "[\(lower), \(upper))" }

    /// Piece r of `pieces` near-equal contiguous pieces, [lower + ⌊N·r/P⌋, lower + ⌊N·(r+1)/P⌋):
    /// the one boundary formula of threads, launches and shards (`Shard`). Pieces are empty when
    /// P > N.
    public func piece(_ r: Int, of pieces: Int) -> RankRange {
        precondition(pieces >= 1 && 0 <= r && r < pieces)
        return RankRange(boundary(r, pieces), boundary(r + 1, pieces))
    }

    /// Splits into at most `pieces` non-empty pieces (`piece(_:of:)`, in order), or one empty
    /// range when this one is empty.
    public func split(into pieces: Int) -> [RankRange] {
        let p = Int(max(1, min(UInt64(max(1, pieces)), count)))
        return (0..<p).map { piece($0, of: p) }
    }

    private func boundary(_ r: Int, _ pieces: Int) -> UInt64 {
        // N·r < 2^64 · 2^63 fits in 128 bits, and the quotient is at most N.
        lower + UInt64(UInt128(count) * UInt128(r) / UInt128(pieces))
    }
}

/// A single-level job: one problem over one rank range of its compositions.
public struct Job: Sendable {
    public let problem: Problem
    public let range: RankRange

    /// The whole rank space. Refuses (one line, `badInput`) a space of 2^64 or more
    /// compositions: such a level can only be reached through the cascade.
    public init(problem: Problem) throws {
        let count = Compositions.count(parts: problem.d, sum: problem.S)
        guard let total = count.exactly(UInt64.self) else {
            throw CoreError.badInput(
                "n = \(problem.n), m = \(problem.m) has \(count) compositions, more than a single level can enumerate (2^64 − 1); use the cascade (autoconv cascade) for large d")
        }
        self.init(problem: problem, range: RankRange(0, total))
    }

    public init(problem: Problem, range: RankRange) {
        self.problem = problem
        self.range = range
    }
}

extension Problem {
    /// The table that ranks and unranks this problem's compositions in 64 bits, the one every
    /// engine walks its rank ranges with (so all engines refuse the same jobs).
    public func rankingTable() throws -> BinomialTable<UInt64> {
        guard let table = BinomialTable<UInt64>(compositionsOf: d, sum: S) else {
            throw CoreError.failure("binomial table for d = \(d), S = \(S) overflows 64 bits")
        }
        return table
    }
}

/// One batch of cascade parents to expand: every child of every parent is classified at the
/// child level with the counting convention of method.md §3 (asymmetry first, then any
/// window, else a survivor).
public struct ChildJob: Sendable {
    /// The child level (d twice the parents' d, the same m, rule and windows).
    public let problem: Problem
    public let cutoffs: ProveCutoffs
    public let deltas: DeltaRange
    /// Parents, each with problem.d / 2 parts summing to problem.S / 2.
    public let parents: [[Int]]
    /// A piece of one parent: when set, `parents` holds one parent and only its children with
    /// index (in `ChildTree` addressing) in this range are classified. The counts then cover
    /// those children alone, and `parents`, `patterns` and `patternsPruned` stay 0: whether a
    /// pattern lost every child is known only once every piece is done, so whoever split the
    /// parent accounts it (`ChildCounts.addParent`). nil: every child of every parent.
    public let indices: Range<UInt128>?

    /// Whether the engine also collects `ChildSearchStats` (`ChildCounts.stats`); counts and
    /// survivors are the same either way.
    public var collectStats = false

    public init(problem: Problem, cutoffs: ProveCutoffs, deltas: DeltaRange, parents: [[Int]],
                indices: Range<UInt128>? = nil) {
        self.problem = problem
        self.cutoffs = cutoffs
        self.deltas = deltas
        self.parents = parents
        self.indices = indices
    }

    /// Every parent's child tree; a parent of the wrong size, or with 2^128 children or more,
    /// or `indices` on more than one parent or beyond its children, is an error.
    public func trees() throws -> [ChildTree] {
        let trees = try parents.map { parent in
            guard 2 * parent.count == problem.d, let tree = ChildTree(parent: parent, deltas: deltas) else {
                throw CoreError.failure("parent \(parent) has no child tree at d = \(problem.d) (wrong size, or 2^128 children or more)")
            }
            return tree
        }
        if let indices {
            guard trees.count == 1, indices.upperBound <= trees[0].count else {
                throw CoreError.failure("a child-index range \(indices) needs one parent with that many children (got \(trees.count) parents)")
            }
        }
        return trees
    }

    /// The child-index range of parent `p` that this job classifies.
    public func span(of tree: ChildTree) -> Range<UInt128> { indices ?? 0..<tree.count }
}

/// Counts of one child batch. Every child is counted once: as each parent's children are
/// disjoint from every other parent's (`Children`), `children` counts distinct children too.
public struct ChildCounts: Hashable, Sendable {
    public var parents: UInt128 = 0
    /// Patterns with no negative pair sum, summed over parents.
    public var patterns: UInt128 = 0
    /// Patterns all of whose children were pruned.
    public var patternsPruned: UInt128 = 0
    public var children: UInt128 = 0
    public var asymmetryPruned: UInt128 = 0
    public var testPruned: UInt128 = 0
    public var survivors: UInt128 = 0
    /// The search's counters when the job asked for them (`ChildJob.collectStats`), else nil.
    /// Diagnostics, not counts: they depend on how the engine cut the work.
    public var stats: ChildSearchStats?

    public init() {}

    /// Accounts one whole parent once every child of it is classified: the parent, its
    /// patterns, and those of its patterns none of whose children is among `survivors` (every
    /// surviving child of the parent, in any order).
    public mutating func addParent(_ tree: ChildTree, survivors: [[Int]]) {
        let surviving = Set(survivors.map { child in
            guard let pattern = ChildTree.pattern(of: child, parent: tree.parent, deltas: tree.deltas) else {
                preconditionFailure("survivor \(child) is no child of parent \(tree.parent)")
            }
            return pattern
        })
        parents += 1
        patterns += tree.patternCount
        patternsPruned += tree.patternCount - UInt128(surviving.count)
    }

    public mutating func merge(_ other: ChildCounts) {
        if let more = other.stats {
            if stats == nil { stats = more } else { stats!.merge(more) }
        }
        parents += other.parents
        patterns += other.patterns
        patternsPruned += other.patternsPruned
        children += other.children
        asymmetryPruned += other.asymmetryPruned
        testPruned += other.testPruned
        survivors += other.survivors
    }
}
