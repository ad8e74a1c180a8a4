import AutoconvCore

/// How far a level (or one shard of it) has got at its last checkpoint.
struct LevelProgress: Equatable {
    /// Ranks (level 0) or parents (level ≥ 1) done, as an absolute index into the level.
    var position: UInt64
    /// The counts and seconds of [first, position).
    var current: LevelSummary
    /// Sorted runs holding the survivors so far, by name within the book's directory.
    var runs: [String]
    var nextRun: Int
}

/// Where `Cascade` works a level batch by batch and checkpoints it: the run directory itself for
/// a level run whole (`RunDirectory`), or a shard's own directory for the part [first, end) of a
/// level that `cascade --resume RUN --shard r/M` runs (`ShardDirectory`). Both keep the same
/// three things per batch: a sorted run of its survivors, a ledger entry, and a sealed state.
protocol LevelBook: AnyObject {
    var level: Int { get }
    /// The directory of the sorted runs, their name prefix, and the header they carry.
    var runsDirectory: String { get }
    var runsPrefix: String { get }
    var header: SurvivorFormat.Header { get }
    /// The ranks or parents [first, end) of the level this book covers.
    var first: UInt64 { get }
    var end: UInt64 { get }
    var progress: LevelProgress { get set }
    var ledger: Ledger? { get }
    /// Saves `progress` together with the ledger's mark, atomically.
    func saveProgress() throws
}

extension LevelBook {
    func sorter(memoryLimit: Int) -> SurvivorSorter {
        SurvivorSorter(directory: runsDirectory, prefix: runsPrefix, header: header, memoryLimit: memoryLimit,
                       runs: progress.runs.map { runsDirectory + "/" + $0 }, nextRun: progress.nextRun)
    }

    /// Makes the batch of ranks or parents `range` durable once `sorter` holds its survivors as
    /// runs on disk: its ledger entry, then the state that counts it.
    func record(_ counts: ChildCounts, range: Range<UInt64>, seconds: Double, sorter: SurvivorSorter) throws {
        guard let ledger, let total = progress.current.counts.adding(counts) else {
            throw CoreError.failure("level \(level): no ledger, or its counts overflow 128 bits")
        }
        try ledger.append(Ledger.Entry(first: range.lowerBound, end: range.upperBound, counts: counts))
        progress.current.counts = total
        progress.current.seconds += seconds
        progress.position = range.upperBound
        progress.runs = sorter.runs.map { String($0.split(separator: "/").last!) }
        progress.nextRun = sorter.nextRun
        try saveProgress()
        removeUnlistedRuns()
    }

    /// Runs merged away by `SurvivorSorter.flush` are deleted only once the state stops listing them.
    func removeUnlistedRuns() {
        let listed = Set(progress.runs)
        for name in AtomicFile.list(runsDirectory)
        where name.hasPrefix(runsPrefix + "-") && name.hasSuffix(".surv") && !listed.contains(name) {
            AtomicFile.remove(runsDirectory + "/" + name)
        }
    }
}
