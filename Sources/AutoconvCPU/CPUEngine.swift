import AutoconvCore

/// The pure-Swift engine: the reference for every other engine, on all cores of the CPU.
///
/// Single levels: a job's rank range is cut into chunks of at most `chunkSize` ranks (and at
/// least four per thread), each searched by `RangeSearch` with a visitor (`BoundVisitor`
/// minimises, `ProveVisitor` counts). Cascade children: work units are (parent, child-index
/// range) pairs in the addressing of `ChildTree`, a parent being split into several ranges only
/// when a batch has too few parents to keep every thread busy; each thread searches its units
/// with one `ChildSearch`. Both run on one `WorkerPool` and merge in unit order, so results and
/// survivor order never depend on scheduling.
public struct CPUEngine: Engine, Sendable {
    public let threads: Int
    /// Ranks per chunk at most; small enough for steady progress, large enough to amortise
    /// the unranking of each chunk's start.
    public var chunkSize: UInt64 = 1 << 22
    /// `ChildSearch.splitQuadratics`; off only in the tests that show it changes no count and no survivor.
    var splitQuadratics = true

    public init(threads: Int) {
        precondition(threads >= 1)
        self.threads = threads
    }

    public var name: String { "cpu" }
    public var deviceDescription: String { "CPU (\(threads) thread\(threads == 1 ? "" : "s"))" }

    private var pool: WorkerPool { WorkerPool(threads: threads) }

    // MARK: Single level

    public func bound(_ job: Job, progress: ProgressHandler?) throws -> BoundPartial {
        let problem = job.problem
        let evaluator = Evaluator(problem: problem)
        let shared = SharedBest()
        let partials = try searchChunks(job, progress: progress) { search in
            let visitor = BoundVisitor(problem: problem, evaluator: evaluator, shared: shared)
            search(visitor)
            return visitor.result
        }
        return partials.reduce(into: BoundPartial()) { $0.merge($1) }
    }

    public func prove(_ job: Job, cutoffs: ProveCutoffs, survivors: SurvivorHandler?, progress: ProgressHandler?) throws -> ProveCounts {
        let base = cutoffs.windows.byWindow(job.problem.windowList)
        let collect = survivors != nil
        let results = try searchChunks(job, progress: progress) { search in
            let visitor = ProveVisitor(cutoffs: cutoffs, base: base, collectSurvivors: collect)
            search(visitor)
            return (visitor.counts, visitor.survivors)
        }
        var counts = ProveCounts()
        for (chunkCounts, batch) in results {
            counts.merge(chunkCounts)
            if let survivors, !batch.isEmpty { try survivors(batch) }
        }
        return counts
    }

    /// Runs `work` on every chunk of the job's range and returns the results in chunk order.
    /// `work` receives a function that runs the search of its chunk with a given visitor.
    private func searchChunks<R: Sendable>(
        _ job: Job, progress: ProgressHandler?,
        work: @escaping @Sendable (_ search: (SearchVisitor) -> Void) -> R
    ) throws -> [R] {
        let problem = job.problem
        let table = try problem.rankingTable()
        let terms = WindowTerms(problem: problem)
        let pieces = Int(min((job.range.count + chunkSize - 1) / chunkSize + UInt64(4 * threads), 1 << 20))
        let chunks = job.range.split(into: pieces).filter { $0.count > 0 }
        return try pool.run(count: chunks.count, weight: { chunks[$0].count }, progress: progress) {
            { index in
                let chunk = chunks[index]
                return work { visitor in
                    RangeSearch(problem: problem, terms: terms, table: table,
                                lo: chunk.lower, hi: chunk.upper, visitor: visitor).run()
                }
            }
        }
    }

    // MARK: Cascade children

    public func expand(_ job: ChildJob, survivors: (_ batch: [[Int]]) throws -> Void,
                       stop: @escaping StopCheck, progress: ((_ parentsDone: Int) -> Void)?) throws -> ChildCounts {
        let trees = try job.trees()
        let pieces = max(1, (8 * threads + trees.count - 1) / max(trees.count, 1))
        var units: [(parent: Int, lo: UInt128, hi: UInt128)] = []
        for (p, tree) in trees.enumerated() {
            for part in job.span(of: tree).split(into: min(pieces, 1 << 16)) { units.append((p, part.lowerBound, part.upperBound)) }
        }
        let terms = WindowTerms(problem: job.problem)
        let frozenUnits = units
        let parentCount = max(trees.count, 1), unitCount = max(units.count, 1)
        let quadratics = splitQuadratics
        func search<Stats: ChildStatsMode>(_: Stats.Type) throws -> [ChildSearchResult] {
            try pool.run(count: frozenUnits.count, stop: stop,
                         progress: { finished in progress?(Int(finished) * parentCount / unitCount) }) {
                let search = ChildSearch<Stats>(problem: job.problem, terms: terms, cutoffs: job.cutoffs, deltas: job.deltas,
                                                splitQuadratics: quadratics)
                return { index in
                    let unit = frozenUnits[index]
                    return search.run(trees[unit.parent], lo: unit.lo, hi: unit.hi)
                }
            }
        }
        let results = job.collectStats ? try search(WithChildStats.self) : try search(NoChildStats.self)

        var counts = ChildCounts()
        var u = 0
        for (p, tree) in trees.enumerated() {
            var patternsSurviving = Set<UInt64>()
            var batch: [[Int]] = []
            while u < units.count && units[u].parent == p {
                counts.merge(results[u].counts)
                patternsSurviving.formUnion(results[u].survivingPatterns)
                batch += results[u].survivors
                u += 1
            }
            // A piece of a parent leaves its patterns to whoever split it (`ChildJob.indices`).
            if job.indices == nil {
                let patterns = tree.patternCount
                counts.parents += 1
                counts.patterns += patterns
                counts.patternsPruned += patterns - UInt128(patternsSurviving.count)
            }
            if !batch.isEmpty { try survivors(batch) }
        }
        return counts
    }
}
