import AutoconvCascade
import AutoconvCertificates
import AutoconvCore

extension CascadeCommand {
    /// `--resume RUN --shard r/M`: one shard of the level in progress, beside other shard
    /// processes (the run is opened shared and never written; the shard has its own directory).
    /// Its report is partial: counts of its part of the level, never a bound or a verdict.
    func runShard(_ request: ShardRequest, of path: String) throws {
        try refuseParameters()
        guard levels == nil, maxD == nil, !oneLevel, !stats else {
            throw CoreError.badInput("--shard runs one shard of the level in progress: drop --levels, --max-d, --one-level and --stats (extend the run with --resume alone first)")
        }
        let shard = try request.resolved()
        let directory = try RunDirectory(sharingWithShards: path, binaryVersion: Self.binaryVersion)
        let settings = given(over: try CascadeSettings(stored: directory.settings, directory: path))
        try settings.validate()
        let engine = try makeEngine(settings)
        Terminal.err("cascade run directory: \(directory.path) (shard \(shard), \(settings.description))")
        let progress = CascadeProgress()
        let cascade = try Cascade(directory: directory, engine: engine, stop: { InterruptSignal.isRaised }, events: progress.handle)
        cascade.checkpointSeconds = settings.checkpointSeconds
        cascade.sortMemory = settings.sortMemory << 20
        let book: ShardDirectory
        do {
            book = try cascade.runShard(shard)
            progress.finish()
        } catch let interrupted as CascadeInterrupted {
            progress.finish()
            if json {
                Terminal.out(JSON.object([("command", .string("cascade")), ("shard", .string(shard.description)), ("partial", .bool(true)),
                                          ("interrupted", .bool(true)), ("run_dir", .string(directory.path)),
                                          ("resume_command", .string(interrupted.resumeCommand))]).rendered())
            }
            throw interrupted
        }
        let s = book.summary, range = book.range
        let merge = "autoconv cascade --resume \(directory.path)"
        if json {
            var fields: [(String, JSON)] = [("command", .string("cascade")), ("shard", .string(shard.description)), ("partial", .bool(true)),
                                            ("interrupted", .bool(false)), ("level", .int(Int64(s.level))), ("d", .int(Int64(s.d))),
                                            ("range_first", .count(range.lowerBound)), ("range_end", .count(range.upperBound)),
                                            ("shard_dir", .string(book.path))]
            fields += ResultFields.devices(engine)
            fields += [("version", .string(BuildInfo.version)), ("kernel_hash", .string(BuildInfo.kernelHash)),
                       ("level_summary", levelJSON(s, stats: nil)), ("run_dir", .string(directory.path)), ("merge_command", .string(merge))]
            Terminal.out(JSON.object(fields).rendered())
        } else {
            Terminal.out("""
                autoconv cascade shard \(shard) of level \(s.level) (d = \(s.d)): \(s.level == 0 ? "ranks" : "parents") [\(range.lowerBound), \(range.upperBound))
                backend           \(engine.name): \(engine.deviceDescription)
                shard directory   \(book.path)
                counts            parents \(s.parents)  patterns \(s.patterns)  children \(s.children)  asym_pruned \(s.asymmetryPruned)  test_pruned \(s.testPruned)  survivors \(s.survivors)  \(format(s.seconds, 2)) s
                partial result: this shard alone proves nothing; once all \(shard.count) shards are done, merge the level with \(merge)
                """)
        }
    }
}
