import AutoconvCore

/// Several engines as one: every device of a machine (`--device all`, `--device 0,2`).
///
/// Each job is cut into pieces that `Dealer` deals to the members dynamically, each member on a
/// thread of its own: rank ranges for `bound` and `prove`, and for the cascade's `expand` runs
/// of whole parents or, for a parent with many children, child-index ranges of it
/// (`ChildPiece`). The answer is the one a single member gives for the whole job, byte for byte:
///
/// - minima merge with `Minimum.better` (smaller value, then smaller rank), which does not
///   depend on how the ranks were split or which piece finished first;
/// - counts are sums, and every rank or child lies in exactly one piece;
/// - survivors are released in piece order, and pieces follow rank order (`prove`) or parent
///   and child-index order (`expand`), each piece's survivors in the member's own order;
/// - a parent split into pieces is accounted (parents, patterns, patterns pruned) once all its
///   pieces are in, from its survivors (`ChildCounts.addParent`), exactly as an engine does.
public final class DeviceGroup: Engine {
    public let members: [Engine]
    /// The work each member has done through this group: ranks searched (`bound`, `prove`) and
    /// children classified (`expand`), summed over every job.
    public private(set) var work: [UInt128]
    /// Pieces per member and job: enough that a slow or busy device finishes late by a small
    /// piece at most, few enough that each piece's start (a search seeded afresh, a launch) is
    /// amortised.
    public var piecesPerMember = 16
    /// No piece is cut smaller than this many ranks or children (unless the whole job is):
    /// each piece costs a call into a member, which on OpenCL is at least one launch and its
    /// buffers, and cut too fine that overhead, not the search, is what the devices spend
    /// their time on (a cascade level of cheap parents ran several times slower on two POCL
    /// devices than on one before this floor). The cascade grows its batches until they take
    /// seconds, so its jobs soon span many pieces again.
    public var minimumPiece: UInt128 = 1 << 24

    public init(members: [Engine]) {
        precondition(!members.isEmpty)
        self.members = members
        work = Array(repeating: 0, count: members.count)
    }

    public var name: String {
        let names = members.map(\.name)
        return Set(names).count == 1 ? names[0] : names.joined(separator: "+")
    }

    public var deviceDescription: String {
        "\(members.count) devices: " + members.map(\.deviceDescription).joined(separator: "; ")
    }

    /// How many pieces a job of `size` ranks or children is cut into.
    private func pieceCount(_ size: UInt128) -> Int {
        Int(max(1, min(UInt128(members.count * piecesPerMember), size / max(1, minimumPiece))))
    }

    public func bound(_ job: Job, progress: ProgressHandler?) throws -> BoundPartial {
        let pieces = job.range.split(into: pieceCount(UInt128(job.range.count))).filter { $0.count > 0 }
        var result = BoundPartial()
        try deal(weights: pieces.map { UInt128($0.count) }, work: { engine, i, inFlight, _ in
            try engine.bound(Job(problem: job.problem, range: pieces[i]), progress: { inFlight($0) })
        }, release: { _, partial in result.merge(partial) }, progress: progress.map { report in { report(UInt64($0)) } })
        return result
    }

    public func prove(_ job: Job, cutoffs: ProveCutoffs, survivors: SurvivorHandler?, progress: ProgressHandler?) throws -> ProveCounts {
        let pieces = job.range.split(into: pieceCount(UInt128(job.range.count))).filter { $0.count > 0 }
        let collect = survivors != nil
        var counts = ProveCounts()
        try deal(weights: pieces.map { UInt128($0.count) }, work: { engine, i, inFlight, _ in
            var found: [Survivor] = []
            let counts = try engine.prove(Job(problem: job.problem, range: pieces[i]), cutoffs: cutoffs,
                                          survivors: collect ? { found += $0 } : nil, progress: { inFlight($0) })
            return (counts: counts, survivors: found)
        }, release: { _, piece in
            counts.merge(piece.counts)
            if let survivors, !piece.survivors.isEmpty { try survivors(piece.survivors) }
        }, progress: progress.map { report in { report(UInt64($0)) } })
        return counts
    }

    public func expand(_ job: ChildJob, survivors: (_ batch: [[Int]]) throws -> Void,
                       stop: @escaping StopCheck, progress: ((_ parentsDone: Int) -> Void)?) throws -> ChildCounts {
        let trees = try job.trees()
        let children = job.indices.map { $0.upperBound - $0.lowerBound }
            ?? trees.reduce(UInt128(0)) { sum, tree in sum.addingReportingOverflow(tree.count).overflow ? .max : sum + tree.count }
        let plan = ChildPiece.plan(trees, span: job.indices, pieces: pieceCount(children))
        var counts = ChildCounts()
        // The survivors of the parent whose pieces are being released, until its last piece.
        var assembling: [[Int]] = []
        var parentsDone = 0
        try deal(weights: plan.map { $0.children(trees) }, stop: stop, work: { engine, i, _, abandoned in
            let piece: ChildJob
            switch plan[i] {
            case .parents(let range):
                piece = ChildJob(problem: job.problem, cutoffs: job.cutoffs, deltas: job.deltas, parents: Array(job.parents[range]))
            case .part(let parent, let indices, _):
                piece = ChildJob(problem: job.problem, cutoffs: job.cutoffs, deltas: job.deltas,
                                 parents: [job.parents[parent]], indices: indices)
            }
            var batches: [[[Int]]] = []
            let counts = try engine.expand(piece, survivors: { batches.append($0) }, stop: abandoned, progress: nil)
            return (counts: counts, batches: batches)
        }, release: { i, output in
            counts.merge(output.counts)
            switch plan[i] {
            case .parents(let range):
                for batch in output.batches { try survivors(batch) }
                parentsDone += range.count
            case .part(let parent, _, let last):
                assembling += output.batches.joined()
                guard last else { return }
                // A group job that is itself a piece of a parent leaves the parent to its caller.
                if job.indices == nil { counts.addParent(trees[parent], survivors: assembling) }
                if !assembling.isEmpty { try survivors(assembling) }
                assembling = []
                parentsDone += 1
            }
            progress?(parentsDone)
        })
        return counts
    }

    /// `Dealer.run` over the members, adding what each did to `work`.
    private func deal<Output: Sendable>(weights: [UInt128], stop: StopCheck? = nil, work: @escaping Dealer.Work<Output>,
                                        release: (Int, Output) throws -> Void, progress: ((UInt128) -> Void)? = nil) throws {
        let done = try Dealer.run(members: members.map(MemberEngine.init), weights: weights, stop: stop,
                                  work: work, release: release, progress: progress)
        for (m, w) in done.enumerated() { self.work[m] += w }
    }
}
