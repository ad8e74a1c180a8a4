import AutoconvCore
import Dispatch
import Synchronization

/// The pure-Swift backend: the reference for every other backend.
///
/// A job's rank range is cut into many chunks, far more than threads, so that uneven pruning
/// balances out and progress moves smoothly; worker threads take chunks in order from a shared
/// counter. Results are merged by chunk index, so they do not depend on which thread ran what.
public struct CPUBackend: Backend {
    public let threads: Int
    /// Ranks per chunk at most; small enough for steady progress, large enough to amortise
    /// the unranking of each chunk's start.
    public var chunkSize: UInt64 = 1 << 22

    public init(threads: Int) {
        precondition(threads >= 1)
        self.threads = threads
    }

    public var name: String { "cpu" }
    public var deviceDescription: String { "CPU (\(threads) thread\(threads == 1 ? "" : "s"))" }

    public func bound(_ job: Job, progress: ProgressHandler?) throws -> BoundPartial {
        let problem = job.problem
        let evaluator = Evaluator(problem: problem)
        let shared = SharedBest()
        let partials = try runChunks(job, progress: progress) { search in
            let visitor = BoundVisitor(problem: problem, evaluator: evaluator, shared: shared)
            search(visitor)
            return visitor.result
        }
        return partials.reduce(into: BoundPartial()) { $0.merge($1) }
    }

    public func prove(_ job: Job, cutoffs: ProveCutoffs, survivors: SurvivorHandler?, progress: ProgressHandler?) throws -> ProveCounts {
        let windowCount = job.problem.windowList.count
        let collect = survivors != nil
        let results = try runChunks(job, progress: progress) { search in
            let visitor = ProveVisitor(cutoffs: cutoffs, windowCount: windowCount, collectSurvivors: collect)
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
    private func runChunks<R: Sendable>(
        _ job: Job, progress: ProgressHandler?,
        work: @escaping @Sendable (_ search: (SearchVisitor) -> Void) -> R
    ) throws -> [R] {
        let problem = job.problem
        guard let table = BinomialTable<UInt64>(compositionsOf: problem.d, sum: problem.S) else {
            throw CoreError.failure("binomial table for d = \(problem.d), S = \(problem.S) overflows 64 bits")
        }
        let terms = WindowTerms(problem: problem)
        let pieces = Int(min((job.range.count + chunkSize - 1) / chunkSize + UInt64(4 * threads), 1 << 20))
        let chunks = job.range.split(into: pieces).filter { $0.count > 0 }
        let next = Atomic<Int>(0)
        let done = Atomic<UInt64>(0)
        let results = Mutex<[R?]>(Array(repeating: nil, count: chunks.count))
        let group = DispatchGroup()
        for _ in 0..<min(threads, max(chunks.count, 1)) {
            DispatchQueue.global().async(group: group) {
                while true {
                    let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard index < chunks.count else { break }
                    let chunk = chunks[index]
                    let result = work { visitor in
                        RangeSearch(problem: problem, terms: terms, table: table,
                                    lo: chunk.lower, hi: chunk.upper, visitor: visitor).run()
                    }
                    results.withLock { $0[index] = result }
                    done.wrappingAdd(chunk.count, ordering: .relaxed)
                }
            }
        }
        while group.wait(timeout: .now() + .milliseconds(250)) == .timedOut {
            progress?(done.load(ordering: .relaxed))
        }
        progress?(done.load(ordering: .relaxed))
        return results.withLock { $0.map { $0! } }
    }
}
