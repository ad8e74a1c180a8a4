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

    /// Splits into at most `pieces` contiguous ranges of near-equal size, in order:
    /// piece r is [lower + ⌊N·r/P⌋, lower + ⌊N·(r+1)/P⌋).
    public func split(into pieces: Int) -> [RankRange] {
        let p = UInt64(max(1, min(UInt64(pieces), max(count, 1))))
        return (0..<p).map { r in
            RankRange(lower + UInt64(UInt128(count) * UInt128(r) / UInt128(p)),
                      lower + UInt64(UInt128(count) * UInt128(r + 1) / UInt128(p)))
        }
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

/// Called now and then from the thread that started the run, with the ranks finished so far.
public typealias ProgressHandler = (_ done: UInt64) -> Void
/// Receives survivors in rank order, batch by batch, from the thread that started the run.
public typealias SurvivorHandler = (_ batch: [Survivor]) throws -> Void

/// One way to run single-level jobs. Every backend must give identical results for the same
/// job: the same minima and minimisers, counts and survivors.
public protocol Backend {
    /// `cpu` or `opencl`: what the JSON `backend` field says.
    var name: String { get }
    /// What actually ran, e.g. "2 CPU threads" or an OpenCL device name.
    var deviceDescription: String { get }
    func bound(_ job: Job, progress: ProgressHandler?) throws -> BoundPartial
    func prove(_ job: Job, cutoffs: ProveCutoffs, survivors: SurvivorHandler?, progress: ProgressHandler?) throws -> ProveCounts
}
