import AutoconvCore

/// Thrown when a stop was requested (SIGINT/SIGTERM): the run directory holds the last finished
/// batch, and `autoconv cascade --resume` continues from there with identical final counts.
public struct CascadeInterrupted: Error, Equatable {
    public let directory: String
    /// The shard that was interrupted, for a shard process.
    public var shard: Shard? = nil

    /// The command that continues the interrupted work.
    public var resumeCommand: String { "autoconv cascade --resume \(directory)" + (shard.map { " --shard \($0)" } ?? "") }
}

/// The outcome of a cascade that ran to its end.
public struct CascadeOutcome: Sendable {
    public let levels: [LevelSummary]
    public let proven: Bool
    /// d of the level with no survivors, if proven.
    public let provenAtD: Int?
    /// The last level's survivor file.
    public let lastLevelFile: String
    /// Stopped after a level by `stopAfterLevel` while the run goes on (neither proven nor at
    /// its final level): no verdict.
    public let paused: Bool
}

/// What the driver reports while it works (on the thread that called `run`).
public enum CascadeEvent {
    case levelStarted(level: Int, d: Int, parents: UInt64)
    case progress(level: Int, done: UInt64, total: UInt64, children: UInt128, seconds: Double)
    case levelFinished(LevelSummary)
}

/// The sound multi-level cascade (method.md §5), driven level by level, batch by batch.
///
/// **Scheme: oriented survivors, Δ ∈ {0, 1}.** Level 0 is `prove` at (n0, m) and keeps every
/// survivor with its orientation (reverses included); each further level expands every survivor
/// of the level before with the relaxed family and keeps every surviving child, again with its
/// orientation. No canonicalisation happens anywhere, so the single family Δ ∈ {0, 1} covers
/// every function (the fine rounding of f is a child of its coarse rounding). `canonical_survivors`
/// only reports how many survivors are distinct up to reversal.
///
/// **Counting.** A child has one parent (`Children`), and parents are distinct, so the children
/// of a level are distinct and `children` counts them once; `survivors` are distinct too, and
/// the sort/unique between levels checks that invariant.
///
/// **Batches and checkpoints.** A level is worked in batches (rank ranges at level 0, runs of
/// parents after), sized to take about `checkpointSeconds`. After each batch its survivors are
/// a sorted run on disk and the state (position, counts, runs) is replaced atomically. When
/// `stop` returns true, the batch in flight is abandoned and `CascadeInterrupted` is thrown.
public final class Cascade {
    public let directory: RunDirectory
    let engine: Engine
    let stop: StopCheck
    let events: (CascadeEvent) -> Void
    public var checkpointSeconds: Double = 2
    /// Memory for buffered survivors before they are spilled as a sorted run.
    public var sortMemory = 256 << 20
    /// Whether child levels collect `ChildSearchStats` (`cascade --stats`).
    public var collectStats = false
    /// The kernel hash a finished run's certificate records (`RunCertificate`).
    public var kernelHash = "none"
    /// Stop once the level in progress is finished (`cascade --one-level`), with the next one
    /// opened: how a Slurm pipeline runs one level per job.
    public var stopAfterLevel = false
    /// The child search's counters by level, for the batches this process ran (a resumed run
    /// counts only what it ran after resuming); empty unless `collectStats`.
    public private(set) var stats: [Int: ChildSearchStats] = [:]
    private var problems: [Problem] { directory.problems }
    private let clock = ContinuousClock()

    public init(directory: RunDirectory, engine: Engine,
                stop: @escaping StopCheck, events: @escaping (CascadeEvent) -> Void) throws {
        self.directory = directory
        self.engine = engine
        self.stop = stop
        self.events = events
    }

    var parameters: CascadeParameters { directory.parameters }

    /// Runs the cascade to its end (or, with `stopAfterLevel`, to the end of the level in
    /// progress). A level whose shards have been run (`runShard`) is merged from them.
    public func run() throws -> CascadeOutcome {
        precondition(!directory.isShared, "a run opened for shards only runs shards")
        if directory.state.outcome != .running, let last = directory.state.finished.last {
            // A finished run reports again; its last survivor file must still be intact.
            _ = try SurvivorReader(path: directory.levelFile(last.level))
        }
        while directory.state.outcome == .running {
            let level = directory.state.level
            if let plan = try directory.shardPlan() { try directory.adoptShards(plan) }
            try work(directory)
            try finishLevel(level)
            if stopAfterLevel { break }
        }
        if directory.state.outcome != .running && !AtomicFile.exists(directory.path + "/" + RunCertificate.name) {
            try RunCertificate.write(directory, kernelHash: kernelHash)
        }
        let levels = directory.state.finished
        let proven = directory.state.outcome == .proven
        return CascadeOutcome(levels: levels, proven: proven, provenAtD: proven ? levels.last?.d : nil,
                              lastLevelFile: directory.levelFile(levels.count - 1),
                              paused: directory.state.outcome == .running)
    }

    /// Runs shard `shard` of the level in progress (`directory` opened with
    /// `RunDirectory(sharingWithShards:)`) to its end, or reports it again when it is done.
    /// Its result is partial: `cascade --resume` merges the level once every shard is done.
    public func runShard(_ shard: Shard) throws -> ShardDirectory {
        precondition(directory.isShared, "a shard runs beside other shards, on a run opened for them")
        let book = try ShardDirectory(run: directory, shard: shard)
        do {
            if !book.isDone {
                try work(book)
                try book.finish()
            }
        } catch var interrupted as CascadeInterrupted {
            interrupted.shard = shard
            throw interrupted
        }
        return book
    }

    private func work(_ book: LevelBook) throws {
        if book.level == 0 { try runFirstLevel(book) } else { try runChildLevel(book) }
    }

    private func cutoffs(_ level: Int) -> ProveCutoffs { ProveCutoffs(problem: problems[level], target: parameters.target) }

    /// Level 0: `prove` over rank ranges.
    private func runFirstLevel(_ book: LevelBook) throws {
        let sorter = book.sorter(memoryLimit: sortMemory)
        let cutoffs = cutoffs(0)
        var size: UInt64 = 1 << 16
        events(.levelStarted(level: 0, d: problems[0].d, parents: book.end - book.first))
        while book.progress.position < book.end {
            if stop() { throw CascadeInterrupted(directory: directory.path) }
            let lower = book.progress.position, upper = lower + min(size, book.end - lower)
            let started = clock.now
            let counts = try engine.prove(Job(problem: problems[0], range: RankRange(lower, upper)), cutoffs: cutoffs,
                                           survivors: { batch in for s in batch { try sorter.add(s.composition) } },
                                           progress: nil)
            var childCounts = ChildCounts()
            childCounts.children = UInt128(counts.total)
            childCounts.asymmetryPruned = UInt128(counts.asymmetryPruned)
            childCounts.testPruned = UInt128(counts.testPruned)
            childCounts.survivors = UInt128(counts.survivors)
            let elapsed = try checkpoint(book, sorter, counts: childCounts, range: lower..<upper, started: started)
            size = adapt(size, seconds: elapsed, minimum: 1 << 10, maximum: 1 << 32)
            reportProgress(book)
        }
    }

    /// Level ≥ 1: expand the previous level's survivors.
    private func runChildLevel(_ book: LevelBook) throws {
        let level = book.level
        let parents = try SurvivorReader(path: directory.levelFile(level - 1))
        guard parents.header == directory.survivorHeader(level - 1), parents.count >= book.end else {
            throw CoreError.badInput("survivor file '\(parents.path)' belongs to another run or level")
        }
        try parents.skip(book.progress.position)
        let sorter = book.sorter(memoryLimit: sortMemory)
        let cutoffs = cutoffs(level)
        var size: UInt64 = 4
        let (first, total) = (book.first, book.end - book.first)
        events(.levelStarted(level: level, d: problems[level].d, parents: total))
        while book.progress.position < book.end {
            if stop() { throw CascadeInterrupted(directory: directory.path) }
            var batch: [[Int]] = []
            while UInt64(batch.count) < min(size, book.end - book.progress.position), let parent = try parents.next() {
                batch.append(parent)
            }
            let started = clock.now
            let position = book.progress.position
            let before = book.progress.current
            var counts: ChildCounts
            var job = ChildJob(problem: problems[level], cutoffs: cutoffs, deltas: parameters.family.deltas, parents: batch)
            job.collectStats = collectStats
            do {
                counts = try engine.expand(
                    job,
                    survivors: { for child in $0 { try sorter.add(child) } },
                    stop: stop,
                    progress: { [self] done in
                        events(.progress(level: level, done: position - first + UInt64(done), total: total,
                                         children: before.children, seconds: before.seconds + seconds(since: started)))
                    })
            } catch is BatchStopped {
                throw CascadeInterrupted(directory: directory.path)
            }
            if let batchStats = counts.stats {
                if stats[level] == nil { stats[level] = batchStats } else { stats[level]!.merge(batchStats) }
                counts.stats = nil
            }
            let elapsed = try checkpoint(book, sorter, counts: counts, range: position..<(position + UInt64(batch.count)), started: started)
            size = adapt(size, seconds: elapsed, minimum: 1, maximum: 1 << 16)
            reportProgress(book)
        }
    }

    /// Makes the batch of ranks or parents `range` durable (`LevelBook.record`). Returns the
    /// batch's seconds.
    private func checkpoint(_ book: LevelBook, _ sorter: SurvivorSorter, counts: ChildCounts, range: Range<UInt64>,
                            started: ContinuousClock.Instant) throws -> Double {
        try sorter.flush()
        let elapsed = seconds(since: started)
        try book.record(counts, range: range, seconds: elapsed, sorter: sorter)
        return elapsed
    }

    private func reportProgress(_ book: LevelBook) {
        let p = book.progress
        events(.progress(level: book.level, done: p.position - book.first, total: book.end - book.first,
                         children: p.current.children, seconds: p.current.seconds))
    }

    /// Merges the level's runs into its survivor file, counts orbits, and records the summary.
    private func finishLevel(_ level: Int) throws {
        let started = clock.now
        let runs = directory.state.runs.map { directory.path + "/" + $0 }
        let header = directory.survivorHeader(level)
        let canonical = SurvivorSorter(directory: directory.path, prefix: "level-\(level).run-canonical",
                                       header: header, memoryLimit: sortMemory)
        // A level adopted from many shards has one run per shard.
        let reduced = try SurvivorSorter.reduce(runs, directory: directory.path, prefix: "level-\(level).run-reduce", header: header)
        defer { for path in reduced.made { AtomicFile.remove(path) } }
        let writer = try SurvivorWriter(path: directory.levelFile(level), header: header)
        do {
            try SurvivorSorter.merge(reduced.runs) { child in
                try writer.append(child)
                try canonical.add(Compositions.isCanonical(child) ? child : Children.reversed(child))
            }
            try writer.finish()
        } catch {
            writer.discard()
            throw error
        }
        try canonical.flush()
        var orbits: UInt128 = 0
        try SurvivorSorter.merge(canonical.runs) { _ in orbits += 1 }
        for path in canonical.runs + canonical.mergedAway { AtomicFile.remove(path) }
        var summary = directory.state.current
        guard UInt128(writer.count) == summary.survivors else {
            throw CoreError.failure("level \(level): \(summary.survivors) survivors counted but \(writer.count) distinct (a child with two parents?)")
        }
        summary.canonicalSurvivors = orbits
        summary.seconds += seconds(since: started)
        summary.fileBytes = AtomicFile.size(directory.levelFile(level))
        directory.state.finished.append(summary)
        if summary.survivors == 0 {
            directory.state.outcome = .proven
        } else if level == parameters.finalLevel {
            directory.state.outcome = .notProven
        }
        if directory.state.outcome == .running {
            // The next level's empty ledger exists before the state names it.
            directory.ledger = try Ledger.create(path: directory.ledgerFile(level + 1), level: level + 1)
            directory.state.ledgers.append(Ledger.Mark(level: level + 1))
            directory.state.level = level + 1
            directory.state.current = LevelSummary(level: level + 1, d: problems[level + 1].d)
        } else {
            directory.ledger = nil
            directory.state.current = summary
        }
        directory.state.position = 0
        directory.state.runs = []
        directory.state.nextRun = 0
        try directory.save()
        for path in runs { AtomicFile.remove(path) }
        directory.removeShardSurvivors(level)
        events(.levelFinished(summary))
    }

    private func adapt(_ size: UInt64, seconds: Double, minimum: UInt64, maximum: UInt64) -> UInt64 {
        Pace.next(size, tookSeconds: seconds, targetSeconds: checkpointSeconds, minimum: minimum, maximum: maximum)
    }

    private func seconds(since instant: ContinuousClock.Instant) -> Double { (clock.now - instant).seconds }
}
