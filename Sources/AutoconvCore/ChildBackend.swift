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

    public init(problem: Problem, cutoffs: ProveCutoffs, deltas: DeltaRange, parents: [[Int]]) {
        self.problem = problem
        self.cutoffs = cutoffs
        self.deltas = deltas
        self.parents = parents
    }

    /// Every parent's child tree; a parent of the wrong size, or with 2^128 children or more,
    /// is an error.
    public func trees() throws -> [ChildTree] {
        try parents.map { parent in
            guard 2 * parent.count == problem.d, let tree = ChildTree(parent: parent, deltas: deltas) else {
                throw CoreError.failure("parent \(parent) has no child tree at d = \(problem.d) (wrong size, or 2^128 children or more)")
            }
            return tree
        }
    }
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

    public init() {}

    public mutating func merge(_ other: ChildCounts) {
        parents += other.parents
        patterns += other.patterns
        patternsPruned += other.patternsPruned
        children += other.children
        asymmetryPruned += other.asymmetryPruned
        testPruned += other.testPruned
        survivors += other.survivors
    }
}

/// Returns true once the run should stop early (a signal arrived); polled between units of work.
public typealias StopCheck = @Sendable () -> Bool

/// Thrown by a child backend that stopped early because its `StopCheck` said so; the batch's
/// partial results are discarded and the batch is redone on resume.
public struct BatchStopped: Error, Equatable {
    public init() {}
}

/// Something that expands cascade parents. Every implementation must give identical counts and
/// the same survivor set for the same job.
public protocol ChildBackend {
    var name: String { get }
    var deviceDescription: String { get }
    /// Classifies every child of `job.parents`. Survivors are handed over parent by parent, in
    /// parent order, on the calling thread; `progress` receives the number of parents finished.
    /// Throws `BatchStopped` when `stop` returned true before the batch was complete.
    func expand(_ job: ChildJob, survivors: (_ batch: [[Int]]) throws -> Void,
                stop: @escaping StopCheck, progress: ((_ parentsDone: Int) -> Void)?) throws -> ChildCounts
}
