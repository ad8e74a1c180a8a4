#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoconvCore

/// A run directory's side of level sharding (`ShardPlan`, `ShardDirectory`).
extension RunDirectory {
    /// What a shard of `level` must belong to: SHA-256 of the run's parameters (all but its
    /// final level, which `extend` may deepen), the level, its space, and the shape and checksum
    /// of the survivor file its parents come from. A plan or shard with another identity was
    /// made for another run, level or parent file.
    func shardIdentity(_ level: Int) throws -> String {
        var lines = parameters.manifestLines.filter { $0.0 != "final-level" }.map { "\($0.0) \($0.1)" }
        lines += ["level \(level)", "space \(space(of: level))"]
        if level > 0 {
            let parents = try SurvivorReader.shape(of: levelFile(level - 1))
            lines.append("parents \(parents.count) \(parents.bytes) \(parents.checksum)")
        }
        return SHA256.hex(Array(lines.joined(separator: "\n").utf8))
    }

    /// Whether shards have started on the level in progress (and none of it was run whole), so
    /// that the next run of the level merges them.
    public var levelInProgressIsSharded: Bool { (try? shardPlan()) != nil }

    /// The shard plan of the level in progress, if shard processes have started on it and
    /// nothing of it was run whole (then the level is merged from its shards).
    func shardPlan() throws -> ShardPlan? {
        guard state.outcome == .running, state.position == 0 else { return nil }
        return try ShardPlan.read(run: path, level: state.level)
    }

    /// Takes the finished shards of the level in progress as its batches, as if this process had
    /// run them: every shard of the plan must be present and done, nothing else named as a
    /// shard of the level may be there, and each shard is checked (`ShardDirectory`). Their
    /// ledger entries are appended to the level's ledger in order (they tile the level), their
    /// survivor files are linked in as the level's sorted runs, and the state saved; then
    /// `Cascade.finishLevel` merges the runs into the level's file exactly as for a level run
    /// whole, so the result is byte-identical. A crash before the save leaves ledger lines and
    /// links that the next open cuts and removes; the shards' own files are untouched.
    func adoptShards(_ plan: ShardPlan) throws {
        let level = state.level
        precondition(!isShared && state.position == 0 && state.runs.isEmpty && plan.level == level)
        let planFile = ShardPlan.path(in: path, level: level)
        let identity = try shardIdentity(level)
        guard plan.identity == identity, plan.space == space(of: level) else {
            throw CoreError.badInput("shard plan '\(planFile)' belongs to another run or level")
        }
        let shards = try (0..<plan.count).map { try Shard(index: $0, count: plan.count) }
        let names = Set(shards.map { ShardDirectory.name(level: level, shard: $0) })
        for name in AtomicFile.list(path).sorted() where name.hasPrefix("level-\(level).shard-") && !names.contains(name) {
            throw CoreError.badInput("'\(path)/\(name)' is not one of the \(plan.count) shards of level \(level) that '\(planFile)' names: remove it")
        }
        var progress = LevelProgress(position: 0, current: LevelSummary(level: level, d: problems[level].d), runs: [], nextRun: plan.count)
        var missing: [String] = []
        var finished: [ShardDirectory] = []
        for shard in shards {
            if let done = try ShardDirectory.finished(shard, of: self, plan: plan) { finished.append(done) } else { missing.append("\(shard)") }
        }
        guard missing.isEmpty else {
            throw CoreError.badInput("level \(level) of '\(path)' is split into \(plan.count) shards and shards \(missing.joined(separator: ", ")) are missing or unfinished: run cascade --resume \(path) --shard r/\(plan.count) for each")
        }
        for shard in finished {
            for entry in shard.ledger!.entries { try ledger!.append(entry) }
            guard let total = progress.current.counts.adding(shard.summary.counts) else {
                throw CoreError.failure("level \(level): the shards' counts overflow 128 bits")
            }
            progress.current.counts = total
            progress.current.seconds += shard.summary.seconds
            let run = "\(runPrefix(level))-\(shard.shard.index).surv"
            AtomicFile.remove(path + "/" + run)
            guard link(shard.survivorFile, path + "/" + run) == 0 else {
                throw CoreError.failure("cannot link '\(shard.survivorFile)' to '\(path)/\(run)': \(String(cString: strerror(errno)))")
            }
            progress.runs.append(run)
        }
        progress.position = space(of: level)
        self.progress = progress
        try saveProgress()
    }

    /// Deletes the survivor files and runs kept in the shard directories of a finished level
    /// (the level's own file holds them all); their `state` and `ledger` stay.
    func removeShardSurvivors(_ level: Int) {
        for name in AtomicFile.list(path) where name.hasPrefix("level-\(level).shard-") && AtomicFile.isDirectory(path + "/" + name, followingLinks: false) {
            for file in AtomicFile.list(path + "/" + name) where file.hasSuffix(".surv") {
                AtomicFile.remove(path + "/" + name + "/" + file)
            }
        }
    }
}
