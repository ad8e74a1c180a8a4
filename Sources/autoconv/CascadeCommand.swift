import ArgumentParser
import AutoconvCascade
import AutoconvCertificates
import AutoconvCore
import AutoconvEngines
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ChildFamily: ExpressibleByArgument {}

struct CascadeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cascade",
        abstract: "Prove C >= target by the sound multi-level cascade (method.md §5).",
        discussion: """
            Level 0 is `prove` at (n, m); each further level doubles d and expands every survivor \
            into its relaxed children (Δ ∈ {0,1}, oriented survivors). Exit 0: proven (no survivors \
            at some level); 1: survivors remain at the last level, or --children exact (never a \
            proof); 2: bad input, or a run directory that is damaged, inconsistent or in use by \
            another process; 4: --one-level finished a level and the run goes on; 75: interrupted by \
            SIGINT/SIGTERM, resume with --resume RUN_DIR (which keeps the run's backend, device and \
            threads unless they are given again).

            A level can be spread over processes or cluster nodes: `--resume RUN --shard r/M` runs \
            shard r of M of the level in progress in RUN/level-L.shard-r-of-M (exit 0 when done, a \
            partial result); `--resume RUN` then merges the level from its shards, byte for byte the \
            level a single process computes, and goes on (`scripts/slurm/cascade.sh` does this per level).
            """)

    @Option(help: "Level-0 n: d = 2n bins.")
    var n: Int?

    @Option(help: "Grid resolution m, the same at every level.")
    var m: Int?

    @Option(help: "Target c_t, as an exact decimal (1.28) or fraction (32/25).")
    var target: String?

    @Option(help: "Refinement levels after level 0 (default: as deep as d ≤ 64 and S ≤ 46340 allow); with --resume, a deeper final level extends the run.")
    var levels: Int?

    @Option(name: .customLong("max-d"), help: "Stop at the level with this d (instead of --levels); with --resume, a deeper d extends the run.")
    var maxD: Int?

    @OptionGroup var rules: RuleOptions

    @Option(help: "Children: relaxed (Δ ∈ {0,1}, sound) or exact (Δ ≡ 0, earlier work; NOT a proof).")
    var children: ChildFamily?

    @OptionGroup var engine: EngineOptions

    @Option(help: "Run directory for survivors and checkpoints (default: a new directory in $TMPDIR or /tmp).")
    var dir: String?

    @Option(help: "Continue the run in this directory: its parameters, and its backend, device and threads unless given again.")
    var resume: String?

    @Option(help: ArgumentHelp(
        "With --resume: run only shard r of M of the level in progress (e.g. 3/8), or 'auto': the Slurm array task.",
        discussion: "Shard r covers the level's parents (ranks at level 0) [⌊N·r/M⌋, ⌊N·(r+1)/M⌋); the first shard records M in RUN/level-L.shards. Its result is partial; --resume RUN without --shard merges the level once every shard is done."),
        transform: { try ShardRequest(parsing: $0) })
    var shard: ShardRequest?

    @Flag(name: .customLong("one-level"), help: "Finish the level in progress (merging its shards, if it has any), open the next, and stop (exit 4 while the run goes on).")
    var oneLevel = false

    @Option(help: "Print the K last-level survivors with the smallest test values when not proven.")
    var show: Int = 5

    @Option(name: .customLong("checkpoint-seconds"), help: "Aim for a checkpoint about this often (default 2).")
    var checkpointSeconds: Double?

    @Option(name: .customLong("sort-memory"), help: "MiB of survivors held in memory before a sorted run is spilled to disk (default 256).")
    var sortMemory: Int?

    @Flag(help: "Choose --n and --m with `autoconv plan` (the recommended start for --target within --budget).")
    var plan = false

    @Option(help: "With --plan: the time budget, as for `autoconv plan` (default 10m).")
    var budget: String?

    @Option(help: "With --plan: the planner's seed (default 1).")
    var seed: UInt64?

    @Option(name: .customLong("plan-n"), help: "With --plan: the n values to try (default 1,2,3).")
    var planN: String?

    @Option(name: .customLong("plan-m"), help: "With --plan: the m values to try, or auto (default).")
    var planM: String?

    @Flag(help: "Count what the child search does (nodes, cuts, sweeps per level and depth): in each level's JSON as \"stats\", or on stderr.")
    var stats = false

    @OptionGroup var output: OutputOptions

    /// One JSON object on stdout, also when interrupted.
    var json: Bool { output.json }

    static let binaryVersion = "autoconv \(Autoconv.configuration.version) (cascade format 2)"

    func validate() throws {
        guard show >= 0 else { throw CoreError.badInput("show must be at least 0 (got \(show))") }
    }

    func run() throws {
        // Before any directory exists, so that a signal never ends the process with a
        // directory half made: it is seen at the first batch, and the run stops resumable.
        InterruptSignal.install()
        if let shard {
            guard let resume else { throw CoreError.badInput("--shard runs a shard of an existing run: give --resume RUN_DIR (create the run first, e.g. with --one-level)") }
            try runShard(shard, of: resume)
        } else if let resume {
            try resumeRun(resume)
        } else {
            try newRun()
        }
    }

    /// Everything is validated, and the backend chosen, before a directory is created; a
    /// temporary directory is removed again if the run fails (but kept when it is interrupted,
    /// since it can be resumed).
    private func newRun() throws {
        let settings = given(over: CascadeSettings())
        let planned: (start: (n: Int, m: Int), engine: Engine)? = plan ? try plannedStart(settings) : nil
        let parameters = try parseParameters(start: planned?.start)
        _ = try parameters.problems()
        try settings.validate()
        let engine = try planned?.engine ?? makeEngine(settings)
        let temporary = dir == nil
        let path = try dir ?? Terminal.temporaryDirectory("autoconv-cascade")
        let directory: RunDirectory
        let outcome: (CascadeOutcome, [Int: ChildSearchStats])
        do {
            directory = try RunDirectory(path: path, parameters: parameters, binaryVersion: Self.binaryVersion)
            try directory.saveSettings(settings.pairs)
            outcome = try execute(directory, engine: engine, settings: settings)
        } catch let error where temporary && !(error is CascadeInterrupted) {
            RunDirectory.removeRun(at: path)
            throw error
        }
        try report(outcome.0, stats: outcome.1, directory: directory, engine: engine)
    }

    /// Continues a run with its own parameters and, unless given again, its own settings; a
    /// deeper `--levels` or `--max-d` extends it (a run that ended not proven goes on to the
    /// new final level, with the files a run with that limit from the start would have).
    private func resumeRun(_ path: String) throws {
        try refuseParameters()
        let directory = try RunDirectory(path: path, parameters: nil, binaryVersion: Self.binaryVersion)
        let extended = try finalLevel(of: directory.parameters.n0).map {
            try directory.extended(toFinalLevel: $0)
        }
        let stored = try CascadeSettings(stored: directory.settings, directory: path)
        let settings = given(over: stored)
        try settings.validate()
        Terminal.err("autoconv: resuming with \(settings.description)" + (settings == stored ? " (as stored in the run directory)" : " (options given now replace the stored ones)"))
        // Merging a sharded level computes nothing, and with --one-level nothing follows: such a
        // merge job needs no GPU and no OpenCL platform, whatever backend the run computes on.
        let mergeOnly = oneLevel && extended == nil && directory.levelInProgressIsSharded
        let engine = mergeOnly ? try self.engine.opencl.makeEngine(.cpu, threads: 1) : try makeEngine(settings)
        if mergeOnly { Terminal.err("autoconv: merging the shards of the level in progress (no device needed)") }
        if let extended {
            Terminal.err("autoconv: extending the run from level \(directory.parameters.finalLevel) to level \(extended.finalLevel) (d = \(try extended.problems()[extended.finalLevel].d))")
            try directory.extend(to: extended, binaryVersion: Self.binaryVersion)
        }
        if settings != stored { try directory.saveSettings(settings.pairs) }
        let outcome = try execute(directory, engine: engine, settings: settings)
        try report(outcome.0, stats: outcome.1, directory: directory, engine: engine)
    }

    func refuseParameters() throws {
        let parametersGiven = [n != nil, m != nil, target != nil, rules.given, children != nil, dir != nil, plan]
        guard !parametersGiven.contains(true) else {
            throw CoreError.badInput("--resume takes its parameters from its run directory: drop --n, --m, --target, --rule, --max-window, --children, --dir and --plan (only a deeper --levels or --max-d may be given, to extend it)")
        }
    }

    /// `base` with every run setting given on the command line in its place.
    func given(over base: CascadeSettings) -> CascadeSettings {
        var settings = base
        let opencl = engine.opencl
        if let backend = engine.backend {
            settings.backend = backend
            // A stored device belongs to the stored backend.
            if opencl.device == nil { settings.device = nil }
        }
        if let device = opencl.device { settings.device = device }
        if let threads = engine.threads { settings.threads = threads }
        if let size = opencl.workGroupSize { settings.workGroupSize = size }
        if let size = opencl.batchSize { settings.batchSize = size }
        if let checkpointSeconds { settings.checkpointSeconds = checkpointSeconds }
        if let sortMemory { settings.sortMemory = sortMemory }
        return settings
    }

    func makeEngine(_ settings: CascadeSettings) throws -> Engine {
        var options = engine.opencl
        options.device = settings.device
        options.workGroupSize = settings.workGroupSize
        options.batchSize = settings.batchSize
        return try options.makeEngine(settings.backend, threads: settings.threads ?? Terminal.processorCount)
    }

    /// Runs the cascade to its end. Interrupted, it prints (with --json) what is finished and
    /// how to resume, then rethrows for exit 75.
    private func execute(_ directory: RunDirectory, engine: Engine, settings: CascadeSettings) throws -> (CascadeOutcome, [Int: ChildSearchStats]) {
        let parameters = directory.parameters
        if !parameters.family.isSound {
            Terminal.err("autoconv: WARNING: --children exact uses exact pair sums only (Δ ≡ 0); this is NOT a proof (method.md §6)")
        }
        Terminal.err("cascade run directory: \(directory.path)")
        let progress = CascadeProgress()
        let cascade = try Cascade(directory: directory, engine: engine,
                                  stop: { InterruptSignal.isRaised }, events: progress.handle)
        cascade.checkpointSeconds = settings.checkpointSeconds
        cascade.kernelHash = BuildInfo.kernelHash
        cascade.sortMemory = settings.sortMemory << 20
        cascade.collectStats = stats
        cascade.stopAfterLevel = oneLevel
        do {
            let outcome = try cascade.run()
            progress.finish()
            return (outcome, cascade.stats)
        } catch let interrupted as CascadeInterrupted {
            progress.finish()
            if json {
                var fields = summaryFields(directory, levels: directory.finishedLevels, stats: cascade.stats, engine: engine)
                fields += [("interrupted", .bool(true)), ("proven", .bool(false)), ("proven_at_d", .null),
                           ("resume_command", .string("autoconv cascade --resume \(directory.path)"))]
                Terminal.out(JSON.object(fields).rendered())
            }
            throw interrupted
        }
    }

    /// Prints the result; throws `NotProven` (exit 1) unless a sound run proved its target.
    private func report(_ outcome: CascadeOutcome, stats: [Int: ChildSearchStats], directory: RunDirectory, engine: Engine) throws {
        if outcome.paused { try reportPaused(outcome, stats: stats, directory: directory, engine: engine) }
        let parameters = directory.parameters
        let problems = try parameters.problems()
        let last = outcome.levels.last!
        let smallest = outcome.proven ? [] : try smallestSurvivors(outcome.lastLevelFile, problem: problems[last.level])
        let sound = parameters.family.isSound
        // An unsound run proves nothing: its empty level is reported apart, never as `proven`.
        let proven = outcome.proven && sound
        if json {
            var fields = summaryFields(directory, levels: outcome.levels, stats: stats, engine: engine)
            fields += [
                ("interrupted", .bool(false)),
                ("proven", .bool(proven)),
                ("proven_at_d", proven ? outcome.provenAtD.map { .int(Int64($0)) } ?? .null : .null),
                ("exact_children_empty_at_d", !sound && outcome.proven ? outcome.provenAtD.map { .int(Int64($0)) } ?? .null : .null),
                ("smallest_survivors", .array(smallest.map { entry in
                    .object([("composition", JSON.ints(entry.composition)), ("test", .string(entry.test.description)),
                             ("corrected_test", .string(entry.correctedTest.description))])
                })),
            ]
            if !sound { fields.append(("warning", .string("--children exact is not a proof (coverage gap, method.md §6)"))) }
            Terminal.out(JSON.object(fields).rendered())
        } else {
            var text = """
                autoconv cascade  n=\(parameters.n0) m=\(parameters.m) rule=\(parameters.rule.rawValue) max-window=\(parameters.windows.rawValue) target=\(parameters.target) children=\(parameters.family.rawValue)
                backend           \(engine.name): \(engine.deviceDescription)
                run directory     \(directory.path)
                """
            for level in outcome.levels { text += "\n" + CascadeProgress.line(level) }
            for (level, counters) in stats.sorted(by: { $0.key < $1.key }) {
                Terminal.err(StatsJSON.text(counters, title: "stats, level \(level) (d = \(2 * counters.pairs))"))
            }
            for entry in smallest { text += "\nsurvivor  " + entry.text(parameters.rule, target: parameters.target) }
            if !sound {
                text += "\nNOT A PROOF: --children exact drops children that real functions round to (method.md §6)"
                text += outcome.proven ? "; no exact-pair-sum survivors at d = \(outcome.provenAtD!)" : "; survivors remain"
            } else if outcome.proven {
                text += "\nPROVEN: C >= \(parameters.target) (no survivors at d = \(outcome.provenAtD!))"
            } else {
                text += "\nNOT PROVEN: \(last.survivors) survivors remain at d = \(last.d)"
            }
            Terminal.out(text)
        }
        if !proven { throw NotProven() }
    }

    /// `--one-level` stopped after a level and the run goes on: its levels so far, no verdict;
    /// throws `Paused` (exit 4).
    private func reportPaused(_ outcome: CascadeOutcome, stats: [Int: ChildSearchStats], directory: RunDirectory, engine: Engine) throws {
        let next = outcome.levels.count
        let continueCommand = "autoconv cascade --resume \(directory.path)"
        if json {
            var fields = summaryFields(directory, levels: outcome.levels, stats: stats, engine: engine)
            fields += [("interrupted", .bool(false)), ("paused", .bool(true)), ("next_level", .int(Int64(next))),
                       ("proven", .bool(false)), ("proven_at_d", .null), ("continue_command", .string(continueCommand))]
            Terminal.out(JSON.object(fields).rendered())
        } else {
            var text = "autoconv cascade  run directory \(directory.path)"
            for level in outcome.levels { text += "\n" + CascadeProgress.line(level) }
            text += "\nlevel \(next - 1) finished; the run goes on at level \(next): \(continueCommand) [--shard r/M]"
            Terminal.out(text)
        }
        throw Paused()
    }

    /// The JSON fields of a finished or interrupted run, up to its outcome.
    private func summaryFields(_ directory: RunDirectory, levels: [LevelSummary], stats: [Int: ChildSearchStats],
                               engine: Engine) -> [(String, JSON)] {
        let parameters = directory.parameters
        // Validated when the run was created or opened.
        let first = try! parameters.problems()[0]
        let compositions = Compositions.count(parts: first.d, sum: first.S)
        return ResultFields.header(command: "cascade", problem: first, backend: engine.name, device: engine.deviceDescription,
                                   compositions: compositions.description) + ResultFields.devices(engine) + [
            ("version", .string(BuildInfo.version)),
            ("kernel_hash", .string(BuildInfo.kernelHash)),
            ("target", .string(parameters.target.description)),
            ("children", .string(parameters.family.rawValue)),
            ("sound", .bool(parameters.family.isSound)),
            ("final_level", .int(Int64(parameters.finalLevel))),
            ("levels", .array(levels.map { levelJSON($0, stats: stats[$0.level]) })),
            ("elapsed_seconds", .double(levels.reduce(0) { $0 + $1.seconds })),
            ("run_dir", .string(directory.path)),
        ]
    }

    /// `--plan`: the recommended start of `autoconv plan` for this target and budget, and the
    /// engine it was planned on (the run uses it too).
    private func plannedStart(_ settings: CascadeSettings) throws -> (start: (n: Int, m: Int), engine: Engine) {
        guard n == nil, m == nil else { throw CoreError.badInput("--plan chooses --n and --m itself: drop them (or drop --plan)") }
        guard let target else { throw CoreError.badInput("--plan needs --target") }
        guard children ?? .relaxed == .relaxed else { throw CoreError.badInput("--plan plans sound runs only: drop --children exact") }
        let value = try TargetParser.parse(target)
        try settings.validate()
        var options = try PlanOptions.parse([])
        options.n = planN ?? options.n
        options.m = planM ?? options.m
        options.budget = budget ?? options.budget
        options.seed = seed ?? options.seed
        options.rules = rules
        guard levels == nil else { throw CoreError.badInput("--plan takes --max-d, not --levels (the levels depend on the planned n)") }
        options.maxD = maxD
        try options.validate()
        let request = try options.request(target: value)
        let engine = try makeEngine(settings)
        let plans = try request.run(engine: engine)
        guard let best = plans.first, best.withinBudget else {
            throw CoreError.badInput("--plan: no start is estimated to prove \(value) within \(format(request.settings.budgetSeconds, 1)) s (see autoconv plan --target \(target))")
        }
        Terminal.err("cascade --plan: n=\(best.n) m=\(best.m), estimated \(format(best.estimatedSeconds, 1)) s (\(best.outcome.rawValue))")
        return ((best.n, best.m), engine)
    }

    private func parseParameters(start: (n: Int, m: Int)? = nil) throws -> CascadeParameters {
        if !plan, budget != nil || seed != nil || planN != nil || planM != nil {
            throw CoreError.badInput("--budget, --seed, --plan-n and --plan-m go with --plan")
        }
        guard let n = start?.n ?? n, let m = start?.m ?? m, let target else {
            throw CoreError.badInput("cascade needs --n, --m and --target (or --resume RUN_DIR)")
        }
        guard n >= 1 else { throw CoreError.badInput("n must be at least 1 (got \(n))") }
        guard m >= 1 else { throw CoreError.badInput("m must be at least 1 (got \(m))") }
        let value = try TargetParser.parse(target)
        return CascadeParameters(n0: n, m: m, target: value, rule: rules.resolvedRule, windows: rules.resolvedWindows,
                                 family: children ?? .relaxed,
                                 finalLevel: try finalLevel(of: n) ?? CascadeParameters.deepestLevel(n0: n, m: m))
    }

    /// The final level that `--levels` or `--max-d` asks for, nil when neither is given.
    private func finalLevel(of n: Int) throws -> Int? {
        switch (levels, maxD) {
        case (.some, .some): throw CoreError.badInput("give --levels or --max-d, not both")
        case (.some(let k), nil):
            guard k >= 0 else { throw CoreError.badInput("levels must be at least 0 (got \(k))") }
            return k
        case (nil, .some(let d)): return try CascadeParameters.level(forMaxD: d, n0: n)
        case (nil, nil): return nil
        }
    }

    private func smallestSurvivors(_ path: String, problem: Problem) throws -> [SmallestSurvivors.Entry] {
        var smallest = SmallestSurvivors(limit: show, evaluator: Evaluator(problem: problem))
        guard show > 0 else { return [] }
        let reader = try SurvivorReader(path: path)
        var index: UInt64 = 0
        while let child = try reader.next() {
            smallest.add([Survivor(rank: index, composition: child)])
            index += 1
        }
        return smallest.sorted
    }

    /// A level's JSON; with `--stats`, its child levels also carry "stats" (docs/json.md).
    func levelJSON(_ level: LevelSummary, stats: ChildSearchStats?) -> JSON {
        var fields: [(String, JSON)] = [
            ("level", .int(Int64(level.level))), ("d", .int(Int64(level.d))),
            ("parents", .count(level.parents)), ("patterns", .count(level.patterns)),
            ("patterns_pruned", .count(level.patternsPruned)), ("children", .count(level.children)),
            ("asym_pruned", .count(level.asymmetryPruned)), ("test_pruned", .count(level.testPruned)),
            ("survivors", .count(level.survivors)), ("canonical_survivors", .count(level.canonicalSurvivors)),
            ("elapsed_seconds", .double(level.seconds)),
            ("rate", .double(Double(level.children) / max(level.seconds, 1e-9))),
            ("file_bytes", .count(level.fileBytes)),
        ]
        if let stats { fields.append(("stats", StatsJSON.object(stats))) }
        return .object(fields)
    }
}
