#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoconvCore

/// One shard of a level, `RUN/level-L.shard-r-of-M`: where `cascade --resume RUN --shard r/M`
/// works the ranks or parents [first, end) of the level in progress, next to the other shards.
///
///     lock            held (flock) by the process working on this shard
///     state           sealed `ShardState`: its place in the run, position, counts, runs, ledger mark
///     ledger          one line per finished batch, in the level's absolute indices (`Ledger`)
///     run-N.surv      sorted runs of its survivors so far
///     survivors.surv  once done: its distinct survivors, sorted, with the level's header
///
/// A shard killed at any moment resumes from its last batch, as a run directory does. Once
/// done, the process that merges the level (`RunDirectory.adoptShards`) checks every shard and
/// takes their ledgers and survivor files as the level's batches; the `state` and `ledger` of
/// every shard stay in the run as the record of who computed what, which `verify` checks.
public final class ShardDirectory: LevelBook {
    public let path: String
    let run: RunDirectory
    let plan: ShardPlan
    public let shard: Shard
    var state: ShardState
    var ledger: Ledger?
    private let lock: RunLock?

    static func name(level: Int, shard: Shard) -> String { "level-\(level).shard-\(shard.index)-of-\(shard.count)" }
    static let stateHeader = "autoconv-cascade-shard 1"

    var level: Int { plan.level }
    var runsDirectory: String { path }
    var runsPrefix: String { "run" }
    var header: SurvivorFormat.Header { run.survivorHeader(plan.level) }
    var first: UInt64 { state.first }
    var end: UInt64 { state.end }
    var progress: LevelProgress {
        get { state.progress }
        set { state.progress = newValue }
    }
    var survivorFile: String { path + "/survivors.surv" }
    public var isDone: Bool { state.done }
    /// The shard's counts and seconds so far (all of them once done).
    public var summary: LevelSummary { state.progress.current }
    public var range: Range<UInt64> { state.first..<state.end }

    /// For a shard process: shard `shard` of the level in progress of `run` (opened with
    /// `RunDirectory(sharingWithShards:)`), created or resumed, and locked. The level must not
    /// have been started whole, and its plan, written by the first shard, must have M shards.
    public convenience init(run: RunDirectory, shard: Shard) throws {
        precondition(run.isShared)
        let s = run.state
        guard s.outcome == .running else {
            throw CoreError.badInput("run directory '\(run.path)' has ended (\(s.outcome.rawValue) at level \(s.level)): there is no level to shard")
        }
        guard s.position == 0, s.runs.isEmpty else {
            throw CoreError.badInput("level \(s.level) of '\(run.path)' was started whole (\(s.position) of \(run.space(of: s.level)) done): finish it with cascade --resume \(run.path)")
        }
        let wanted = ShardPlan(identity: try run.shardIdentity(s.level), level: s.level, count: shard.count, space: run.space(of: s.level))
        let plan = try ShardPlan.establish(wanted, in: run.path)
        guard plan.identity == wanted.identity, plan.level == wanted.level, plan.space == wanted.space else {
            throw CoreError.badInput("shard plan '\(ShardPlan.path(in: run.path, level: s.level))' belongs to another run or level")
        }
        guard plan.count == shard.count else {
            throw CoreError.badInput("level \(s.level) of '\(run.path)' is split into \(plan.count) shards ('\(ShardPlan.path(in: run.path, level: s.level))'), not \(shard.count): use --shard r/\(plan.count)")
        }
        let path = run.path + "/" + ShardDirectory.name(level: s.level, shard: shard)
        try ShardDirectory.makeDirectory(path)
        let lock = try RunLock(directory: path)
        let range = plan.range(shard.index)
        if AtomicFile.exists(path + "/state") {
            try self.init(path: path, run: run, plan: plan, shard: shard, lock: lock, resuming: true)
        } else {
            // A ledger left by a process killed before its first state is stale: replaced.
            _ = try Ledger.create(path: path + "/ledger", level: plan.level)
            let fresh = ShardState(identity: plan.identity, level: plan.level, shard: shard, first: range.lowerBound, end: range.upperBound,
                                   d: run.problems[plan.level].d)
            try AtomicFile.write(fresh.text, to: path + "/state")
            try self.init(path: path, run: run, plan: plan, shard: shard, lock: lock, resuming: true)
        }
        removeStrayFiles()
    }

    /// For the merge, which holds the run exclusively: shard `shard` of `plan`, checked and
    /// never written; nil when it is missing or not done, a `badInput` when it is damaged.
    static func finished(_ shard: Shard, of run: RunDirectory, plan: ShardPlan) throws -> ShardDirectory? {
        let path = run.path + "/" + ShardDirectory.name(level: plan.level, shard: shard)
        guard AtomicFile.isDirectory(path), AtomicFile.exists(path + "/state") else { return nil }
        let directory = try ShardDirectory(path: path, run: run, plan: plan, shard: shard, lock: nil, resuming: false)
        return directory.state.done ? directory : nil
    }

    /// Reads and checks the shard's state against the plan, its ledger and its files.
    private init(path: String, run: RunDirectory, plan: ShardPlan, shard: Shard, lock: RunLock?, resuming: Bool) throws {
        (self.path, self.run, self.plan, self.shard, self.lock) = (path, run, plan, shard, lock)
        func bad(_ why: String) -> CoreError { .badInput("shard directory '\(path)': \(why)") }
        let bytes = try AtomicFile.readBytes(path + "/state") ?? []
        guard let state = ShardState(bytes: bytes) else { throw bad("its state is damaged (its sha256 line is missing or does not match, or a line is malformed)") }
        let range = plan.range(shard.index)
        guard state.identity == plan.identity, state.level == plan.level, state.shard == shard,
              state.first == range.lowerBound, state.end == range.upperBound else {
            throw bad("it belongs to another run, level or split (its state names shard \(state.shard) of level \(state.level), [\(state.first), \(state.end)))")
        }
        self.state = state
        let p = state.progress
        guard p.position >= state.first, p.position <= state.end, p.current.level == plan.level, p.current.counts.addsUp,
              state.mark.level == plan.level, !state.done || (p.position == state.end && p.runs.isEmpty) else {
            throw bad("its state does not add up")
        }
        let ledger = try Ledger.open(path: path + "/ledger", mark: state.mark, cutExtra: resuming)
        try ledger.check(level: plan.level, from: state.first, to: UInt128(p.position), summing: p.current.counts, bad)
        self.ledger = ledger
        var held: UInt64 = 0
        for name in state.done ? ["survivors.surv"] : p.runs {
            let number = name.hasPrefix("run-") && name.hasSuffix(".surv") ? name.dropFirst(4).dropLast(5) : ""
            guard name == "survivors.surv" || (Int(number).map { "\($0)" == number && $0 < p.nextRun } ?? false) else {
                throw bad("'\(name)' is not one of its sorted runs")
            }
            let shape = try SurvivorReader.shape(of: path + "/" + name)
            guard shape.header == run.survivorHeader(plan.level) else { throw bad("'\(name)' belongs to another run or level") }
            held += shape.count
        }
        guard UInt128(held) == p.current.survivors else {
            throw bad("its survivor files hold \(held) survivors, its state counts \(p.current.survivors)")
        }
    }

    func saveProgress() throws {
        state.mark = ledger!.mark
        try AtomicFile.write(state.text, to: path + "/state")
    }

    /// Once every batch is recorded: its runs merged into `survivors.surv`, then the state
    /// that says done (a crash between the two redoes the merge).
    func finish() throws {
        precondition(state.progress.position == state.end && !state.done)
        let runs = state.progress.runs.map { path + "/" + $0 }
        let writer = try SurvivorWriter(path: survivorFile, header: header)
        do {
            try SurvivorSorter.merge(runs) { try writer.append($0) }
            try writer.finish()
        } catch {
            writer.discard()
            throw error
        }
        guard UInt128(writer.count) == state.progress.current.survivors else {
            throw CoreError.failure("shard \(shard) of level \(level): \(state.progress.current.survivors) survivors counted but \(writer.count) distinct")
        }
        state.done = true
        state.progress.runs = []
        state.progress.nextRun = 0
        try saveProgress()
        for run in runs { AtomicFile.remove(run) }
    }

    /// Temporary files and runs the state does not list, left by a kill.
    private func removeStrayFiles() {
        for name in AtomicFile.list(path) where name.hasSuffix(".tmp") { AtomicFile.remove(path + "/" + name) }
        removeUnlistedRuns()
        if !state.done { AtomicFile.remove(survivorFile) }
    }

    /// Creates the shard's directory unless it exists; a file or link of that name is refused.
    private static func makeDirectory(_ path: String) throws {
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw CoreError.badInput("'\(path)' exists and is not a directory") }
            return
        }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw CoreError.badInput("cannot create shard directory '\(path)': \(String(cString: strerror(errno)))")
        }
        AtomicFile.syncDirectory(of: path)
    }
}

/// A shard's sealed `state` (see `ShardDirectory`), one "key value…" line each:
///
///     autoconv-cascade-shard 1
///     identity HEX          the plan's (`ShardPlan`)
///     level L
///     shard r M
///     range FIRST END       its ranks or parents of the level
///     outcome running|done
///     position P            absolute, FIRST ≤ P ≤ END
///     next-run N
///     runs NAME…
///     current FIELDS        its counts so far (`LevelSummary.fields`)
///     ledger L ENTRIES LINK its ledger's mark
struct ShardState: Equatable {
    var identity: String
    var level: Int
    var shard: Shard
    var first: UInt64
    var end: UInt64
    var done = false
    var progress: LevelProgress
    var mark: Ledger.Mark

    init(identity: String, level: Int, shard: Shard, first: UInt64, end: UInt64, d: Int) {
        (self.identity, self.level, self.shard, self.first, self.end) = (identity, level, shard, first, end)
        progress = LevelProgress(position: first, current: LevelSummary(level: level, d: d), runs: [], nextRun: 0)
        mark = Ledger.Mark(level: level)
    }

    var text: String {
        let lines = [ShardDirectory.stateHeader, "identity \(identity)", "level \(level)", "shard \(shard.index) \(shard.count)",
                     "range \(first) \(end)", "outcome \(done ? "done" : "running")", "position \(progress.position)",
                     "next-run \(progress.nextRun)", (["runs"] + progress.runs).joined(separator: " "),
                     "current \(progress.current.fields.joined(separator: " "))", "ledger \(mark.level) \(mark.entries) \(mark.link)"]
        return SealedText.seal(lines.joined(separator: "\n") + "\n")
    }

    /// Parses a sealed state; nil unless it is exactly as `text` writes it.
    init?(bytes: [UInt8]) {
        guard let body = SealedText.unseal(bytes) else { return nil }
        var values: [Substring: [Substring]] = [:]
        for line in body.split(separator: "\n").dropFirst() {
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            values[parts[0]] = Array(parts.dropFirst())
        }
        func one(_ key: Substring) -> Substring? { values[key].flatMap { $0.count == 1 ? $0[0] : nil } }
        guard let identity = one("identity"), let level = one("level").flatMap({ Int($0) }),
              let shardFields = values["shard"], shardFields.count == 2,
              let shard = try? Shard(index: Int(shardFields[0]) ?? -1, count: Int(shardFields[1]) ?? 0),
              let range = values["range"], range.count == 2, let first = UInt64(range[0]), let end = UInt64(range[1]),
              let outcome = one("outcome"), outcome == "done" || outcome == "running",
              let position = one("position").flatMap({ UInt64($0) }), let nextRun = one("next-run").flatMap({ Int($0) }),
              let runs = values["runs"], let current = values["current"].flatMap({ LevelSummary(fields: $0) }),
              let mark = values["ledger"].flatMap({ Ledger.Mark(fields: $0) }) else { return nil }
        self.init(identity: String(identity), level: level, shard: shard, first: first, end: end, d: current.d)
        done = outcome == "done"
        progress = LevelProgress(position: position, current: current, runs: runs.map(String.init), nextRun: nextRun)
        self.mark = mark
        guard text == String(decoding: bytes, as: UTF8.self) else { return nil }
    }
}
