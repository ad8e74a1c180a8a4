import ArgumentParser
import AutoconvCascade
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
            proof); 2: bad input; 75: interrupted by SIGINT/SIGTERM, resume with --resume RUN_DIR.
            """)

    @Option(help: "Level-0 n: d = 2n bins.")
    var n: Int?

    @Option(help: "Grid resolution m, the same at every level.")
    var m: Int?

    @Option(help: "Target c_t, as an exact decimal (1.28) or fraction (32/25).")
    var target: String?

    @Option(help: "Refinement levels after level 0 (default: as deep as d ≤ 64 and S ≤ 46340 allow).")
    var levels: Int?

    @Option(name: .customLong("max-d"), help: "Stop at the level with this d (instead of --levels).")
    var maxD: Int?

    @Option(help: "Correction rule: flat or refined (default refined).")
    var rule: Rule?

    @Option(name: .customLong("max-window"), help: "Largest window length: d or 2d (default 2d).")
    var maxWindow: WindowSet?

    @Option(help: "Children: relaxed (Δ ∈ {0,1}, sound) or exact (Δ ≡ 0, earlier work; NOT a proof).")
    var children: ChildFamily?

    @Option(help: "Backend for every level: cpu, opencl, or auto (an OpenCL GPU if there is one, else cpu).")
    var backend: BackendChoice = .cpu

    @OptionGroup var opencl: DeviceOptions

    @Option(help: "CPU threads (default: all cores).")
    var threads: Int?

    @Option(help: "Run directory for survivors and checkpoints (default: a new directory under /tmp).")
    var dir: String?

    @Option(help: "Continue the run in this directory (its parameters come from it).")
    var resume: String?

    @Option(help: "Print the K last-level survivors with the smallest test values when not proven.")
    var show: Int = 5

    @Option(name: .customLong("checkpoint-seconds"), help: "Aim for a checkpoint about this often.")
    var checkpointSeconds: Double = 2

    @Option(name: .customLong("sort-memory"), help: "MiB of survivors held in memory before a sorted run is spilled to disk.")
    var sortMemory: Int = 256

    @Flag(help: "Print one JSON object on stdout; progress and logs go to stderr.")
    var json = false

    func run() throws {
        let threadCount = threads ?? Terminal.processorCount
        guard threadCount >= 1 else { throw CoreError.badInput("threads must be at least 1 (got \(threadCount))") }
        guard show >= 0 else { throw CoreError.badInput("show must be at least 0 (got \(show))") }
        guard checkpointSeconds >= 0, checkpointSeconds.isFinite else {
            throw CoreError.badInput("checkpoint-seconds must be a non-negative number")
        }
        guard sortMemory >= 1, sortMemory <= 1 << 20 else {
            throw CoreError.badInput("sort-memory must be between 1 and 1048576 MiB (got \(sortMemory))")
        }
        let binary = "autoconv \(Autoconv.configuration.version) (cascade format 1)"
        let directory: RunDirectory
        if let resume {
            let given = [n != nil, m != nil, target != nil, levels != nil, maxD != nil, rule != nil,
                         maxWindow != nil, children != nil, dir != nil]
            guard !given.contains(true) else {
                throw CoreError.badInput("--resume takes every parameter from its run directory: drop --n, --m, --target, --levels, --max-d, --rule, --max-window, --children and --dir")
            }
            directory = try RunDirectory(path: resume, parameters: nil, binaryVersion: binary)
        } else {
            let parameters = try parseParameters()
            _ = try parameters.problems()
            directory = try RunDirectory(path: try dir ?? temporaryDirectory(), parameters: parameters, binaryVersion: binary)
        }
        let parameters = directory.parameters
        let problems = try parameters.problems()
        let engine = try opencl.makeEngine(backend, threads: threadCount)
        if !parameters.family.isSound {
            Terminal.err("autoconv: WARNING: --children exact uses exact pair sums only (Δ ≡ 0); this is NOT a proof (method.md §6)")
        }
        Terminal.err("cascade run directory: \(directory.path)")
        InterruptSignal.install()
        let progress = CascadeProgress()
        let cascade = try Cascade(directory: directory, engine: engine,
                                  stop: { InterruptSignal.isRaised }, events: progress.handle)
        cascade.checkpointSeconds = checkpointSeconds
        cascade.sortMemory = sortMemory << 20
        let outcome = try cascade.run()
        progress.finish()

        let last = outcome.levels.last!
        let smallest = outcome.proven ? [] : try smallestSurvivors(outcome.lastLevelFile, problem: problems[last.level])
        let sound = parameters.family.isSound
        if json {
            var fields = header(problems[0], parameters: parameters, backend: engine.name, device: engine.deviceDescription)
            fields += [
                ("target", .string(parameters.target.description)),
                ("children", .string(parameters.family.rawValue)),
                ("sound", .bool(sound)),
                ("proven", .bool(outcome.proven)),
                ("proven_at_d", outcome.provenAtD.map { .int(Int64($0)) } ?? .null),
                ("final_level", .int(Int64(parameters.finalLevel))),
                ("levels", .array(outcome.levels.map(levelJSON))),
                ("elapsed_seconds", .double(outcome.levels.reduce(0) { $0 + $1.seconds })),
                ("run_dir", .string(directory.path)),
                ("smallest_survivors", .array(smallest.map { entry in
                    .object([("composition", JSON.ints(entry.composition)), ("test", .string(entry.test.description))])
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
            for entry in smallest {
                text += "\nsurvivor  c = \(entry.composition)  test = \(entry.test) ≈ \(format(entry.test.doubleValue, 6))"
            }
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
        if !(outcome.proven && sound) { throw NotProven() }
    }

    private func parseParameters() throws -> CascadeParameters {
        guard let n, let m, let target else {
            throw CoreError.badInput("cascade needs --n, --m and --target (or --resume RUN_DIR)")
        }
        guard n >= 1 else { throw CoreError.badInput("n must be at least 1 (got \(n))") }
        guard m >= 1 else { throw CoreError.badInput("m must be at least 1 (got \(m))") }
        let value = try TargetParser.parse(target)
        let finalLevel: Int
        switch (levels, maxD) {
        case (.some, .some): throw CoreError.badInput("give --levels or --max-d, not both")
        case (.some(let k), nil):
            guard k >= 0 else { throw CoreError.badInput("levels must be at least 0 (got \(k))") }
            finalLevel = k
        case (nil, .some(let d)): finalLevel = try CascadeParameters.level(forMaxD: d, n0: n)
        case (nil, nil): finalLevel = CascadeParameters.deepestLevel(n0: n, m: m)
        }
        return CascadeParameters(n0: n, m: m, target: value, rule: rule ?? .refined, windows: maxWindow ?? .twoD,
                                 family: children ?? .relaxed, finalLevel: finalLevel)
    }

    private func temporaryDirectory() throws -> String {
        var template = Array("/tmp/autoconv-cascade-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CoreError.failure("cannot create a run directory under /tmp: \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
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

    /// The header fields every run reports first (as `RunOptions.header`), for level 0.
    private func header(_ problem: Problem, parameters: CascadeParameters, backend: String, device: String) -> [(String, JSON)] {
        [
            ("schema_version", .int(1)),
            ("command", .string("cascade")),
            ("n", .int(Int64(problem.n))), ("m", .int(Int64(problem.m))),
            ("d", .int(Int64(problem.d))), ("S", .int(Int64(problem.S))),
            ("rule", .string(problem.rule.rawValue)),
            ("max_window", .string(problem.windows.rawValue)),
            ("backend", .string(backend)),
            ("device", .string(device)),
            ("compositions", .string(Compositions.count(parts: problem.d, sum: problem.S).description)),
        ]
    }

    private func levelJSON(_ level: LevelSummary) -> JSON {
        .object([
            ("level", .int(Int64(level.level))), ("d", .int(Int64(level.d))),
            ("parents", .count(level.parents)), ("patterns", .count(level.patterns)),
            ("patterns_pruned", .count(level.patternsPruned)), ("children", .count(level.children)),
            ("asym_pruned", .count(level.asymmetryPruned)), ("test_pruned", .count(level.testPruned)),
            ("survivors", .count(level.survivors)), ("canonical_survivors", .count(level.canonicalSurvivors)),
            ("seconds", .double(level.seconds)),
            ("children_per_second", .double(Double(level.children) / max(level.seconds, 1e-9))),
            ("file_bytes", .count(level.fileBytes)),
        ])
    }
}

/// Cascade progress on stderr: a line per level start and end, and within a level parents
/// done/total, children per second and ETA (in place on a terminal, every 10 s when piped).
final class CascadeProgress {
    private let clock = ContinuousClock()
    private var lastPrinted: ContinuousClock.Instant?
    /// The level in progress: when it started, and meters of its children and its parents (or
    /// ranks at level 0).
    private var meter: (level: Int, started: ContinuousClock.Instant, children: ProgressMeter, done: ProgressMeter)?

    func handle(_ event: CascadeEvent) {
        switch event {
        case .levelStarted(let level, let d, let parents):
            Terminal.err(level == 0 ? "level 0 (d = \(d)): \(parents) compositions" : "level \(level) (d = \(d)): \(parents) parents")
            meter = (level, clock.now, ProgressMeter(total: 0), ProgressMeter(total: parents))
        case .progress(let level, let done, let total, let children, _):
            let now = clock.now
            if meter?.level != level { meter = (level, now, ProgressMeter(total: 0), ProgressMeter(total: total)) }
            let elapsed = (now - meter!.started).seconds
            meter!.done.sample(done: done, at: elapsed)
            meter!.children.sample(done: UInt64(clamping: children), at: elapsed)
            let interval: Duration = Terminal.stderrIsTerminal ? .milliseconds(250) : .seconds(10)
            if let last = lastPrinted, now - last < interval { return }
            lastPrinted = now
            let unit = level == 0 ? "ranks" : "parents"
            Terminal.status("level \(level): \(unit) " + ProgressReporter.line(meter!.done, done: done, elapsed: elapsed, unit: unit)
                            + ", \(meter!.children.rate.map(scientific) ?? "?") children/s")
        case .levelFinished(let summary):
            Terminal.err(CascadeProgress.line(summary))
        }
    }

    func finish() { Terminal.clearStatus() }

    static func line(_ s: LevelSummary) -> String {
        "level \(s.level)  d=\(s.d)  parents \(s.parents)  patterns \(s.patterns) (all pruned: \(s.patternsPruned))  children \(s.children)  asym_pruned \(s.asymmetryPruned)  test_pruned \(s.testPruned)  survivors \(s.survivors) (canonical \(s.canonicalSurvivors))  \(format(s.seconds, 2)) s  \(scientific(Double(s.children) / max(s.seconds, 1e-9))) children/s  file \(s.fileBytes) B"
    }
}
