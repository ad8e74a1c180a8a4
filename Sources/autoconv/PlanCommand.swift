import ArgumentParser
import AutoconvCascade
import AutoconvCertificates
import AutoconvCore
import AutoconvEngines
import AutoconvPlan

/// `autoconv plan`: which start (n, m) proves the target soonest, by `AutoconvPlan.Planner`.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Estimate, per start (n, m), the cascade that proves C >= target, and rank the starts.",
        discussion: """
            Level 0 of each start is run exactly (prove mode); each deeper level is estimated by \
            expanding a seeded sample of its parents in full, stratified by child count, and scaled \
            to all parents (estimates and intervals of children, survivors and seconds). A start is \
            dropped once its estimate passes --budget. Output: the starts ranked (proven at level 0 \
            first, then the fastest expected proof, then those not within budget) and the \
            `autoconv cascade` command to run. Exit 0: some start fits the budget; 1: none does; 2: bad input.
            """)

    @Option(help: "Target c_t, as an exact decimal (1.1) or fraction (11/10).")
    var target: String

    @OptionGroup var plan: PlanOptions

    func run() throws {
        let value = try TargetParser.parse(target)
        let request = try plan.request(target: value)
        let engine = try plan.makeEngine()
        let stopwatch = Stopwatch()
        let plans = try request.run(engine: engine)
        let recommended = plans.first { $0.withinBudget }
        if plan.output.json {
            Terminal.out(JSON.object([
                ("schema_version", .int(JSON.schemaVersion)), ("command", .string("plan")),
                ("target", .string(value.description)),
            ] + request.fields(engine: engine) + [
                ("candidates", .array(plans.map { PlanOptions.candidateJSON($0) })),
                ("recommended", recommended.map { .object(PlanOptions.recommendedFields($0, command: request.command($0, target: PlanOptions.trim(target)))) } ?? .null),
                ("elapsed_seconds", .double(stopwatch.seconds)),
            ]).rendered())
        } else {
            var text = "autoconv plan  target=\(value) \(request.summary) backend=\(engine.name): \(engine.deviceDescription)\n"
            text += PlanOptions.table(plans)
            if let recommended {
                text += "\nrecommended: \(request.command(recommended, target: PlanOptions.trim(target)))"
            } else {
                text += "\nno start is estimated to prove \(value) within \(format(request.settings.budgetSeconds, 1)) s"
            }
            Terminal.out(text)
        }
        if recommended == nil { throw NotProven() }
    }
}

/// What `plan` and `reach` share: the candidate starts, the budget, the sampling and the engine.
struct PlanOptions: ParsableArguments {
    /// `--m auto`: the grid resolutions tried by default.
    static let autoM = [10, 15, 20, 25, 30, 40]

    @Option(help: "Level-0 n values to try, comma-separated (default 1,2,3, those the limits allow).")
    var n: String = "1,2,3"

    @Option(help: "m values to try, comma-separated, or auto (= 10,15,20,25,30,40).")
    var m: String = "auto"

    @Option(name: .customLong("max-d"), help: "The d of the last level (default: as deep as d ≤ 64 and S ≤ 46340 allow).")
    var maxD: Int?

    @Option(help: "Time budget of the proof run: seconds, or with a unit: 90s, 10m, 1h (default 10m).")
    var budget: String = "10m"

    @Option(help: "Seed of the planner's samples (default 1); the same seed gives the same samples.")
    var seed: UInt64 = 1

    @Option(help: "Parents expanded per level to estimate it (default 32).")
    var sample: Int = 32

    @OptionGroup var rules: RuleOptions

    @OptionGroup var engine: EngineOptions

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard sample >= 1 else { throw CoreError.badInput("sample must be at least 1 (got \(sample))") }
        _ = try PlanOptions.seconds(budget)
        _ = try PlanOptions.list(n, name: "n")
        if m != "auto" { _ = try PlanOptions.list(m, name: "m") }
    }

    func makeEngine() throws -> Engine { try engine.makeEngine() }

    func request(target: Fraction) throws -> PlanRequest {
        let ns = try PlanOptions.list(n, name: "n")
        let ms = m == "auto" ? PlanOptions.autoM : try PlanOptions.list(m, name: "m")
        let starts = ns.flatMap { n in ms.map { (n: n, m: $0) } }.filter { Planner.finalLevel(n: $0.n, m: $0.m, maxD: maxD) != nil }
        guard !starts.isEmpty else {
            throw CoreError.badInput("no start (n, m) from --n \(n) --m \(m)\(maxD.map { " reaches d = \($0)" } ?? "") within d ≤ \(Problem.maxD) and S ≤ \(Problem.maxS)")
        }
        var runOptions: [String] = []
        if let backend = engine.backend { runOptions += ["--backend", backend.rawValue] }
        if let device = engine.opencl.device { runOptions += ["--device", device] }
        if let threads = engine.threads { runOptions += ["--threads", "\(threads)"] }
        return PlanRequest(
            settings: PlanSettings(target: target, rule: rules.resolvedRule, windows: rules.resolvedWindows, budgetSeconds: try PlanOptions.seconds(budget),
                                   samplesPerLevel: sample, seed: seed, maxD: maxD),
            starts: starts, runOptions: runOptions)
    }

    /// "600", "90s", "10m", "1.5h" → seconds; must be positive and finite.
    static func seconds(_ text: String) throws -> Double {
        let trimmed = PlanOptions.trim(text)
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        var number = Substring(trimmed), scale = 1.0
        if let last = trimmed.last, let unit = units[last] { number = trimmed.dropLast(); scale = unit }
        let digits = number.allSatisfy { $0 == "." || ("0"..."9").contains($0) }
        guard digits, let value = Double(number), value.isFinite, value > 0 else {
            throw CoreError.badInput("budget '\(text)' is not a positive duration: use seconds (600) or 90s, 10m, 1h")
        }
        return value * scale
    }

    static func trim(_ text: String) -> String {
        String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    static func list(_ text: String, name: String) throws -> [Int] {
        let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Int(PlanOptions.trim(String($0))) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw CoreError.badInput("--\(name) '\(text)' is not a comma-separated list of positive integers")
        }
        return values.map { $0! }
    }

    // MARK: Output

    static func estimateJSON(_ e: Estimate) -> JSON { .decimal(e.decimal) }

    static func interval(_ e: Estimate) -> JSON { .array([.double(e.low), e.high.isFinite ? .double(e.high) : .null]) }

    static func candidateJSON(_ p: CandidatePlan) -> JSON {
        let (low, high) = p.interval
        return .object([
            ("n", .int(Int64(p.n))), ("m", .int(Int64(p.m))), ("outcome", .string(p.outcome.rawValue)),
            ("estimated_seconds", .double(p.estimatedSeconds)), ("interval", .array([.double(low), high.isFinite ? .double(high) : .null])),
            ("within_budget", .bool(p.withinBudget)), ("proven_at_d", p.provenAtD.map { .int(Int64($0)) } ?? .null),
            ("planning_seconds", .double(p.planningSeconds)),
            ("levels", .array(p.levels.map { level in
                .object([
                    ("level", .int(Int64(level.level))), ("d", .int(Int64(level.d))), ("exact", .bool(level.exact)),
                    ("complete", .bool(level.complete)),
                    ("sampled", .int(Int64(level.sampled))),
                    ("parents", estimateJSON(level.parents)), ("estimated_children", estimateJSON(level.children)),
                    ("estimated_survivors", estimateJSON(level.survivors)),
                    ("survivors_interval", .array([.decimal(Estimate.measured(level.survivors.low).decimal),
                                                   .decimal(Estimate.measured(level.survivors.high).decimal)])),
                    ("estimated_seconds", .double(level.seconds.value)), ("interval", interval(level.seconds)),
                ])
            })),
        ])
    }

    static func recommendedFields(_ p: CandidatePlan, command: String) -> [(String, JSON)] {
        [("n", .int(Int64(p.n))), ("m", .int(Int64(p.m))), ("estimated_seconds", .double(p.estimatedSeconds)),
         ("proven_at_d", p.provenAtD.map { .int(Int64($0)) } ?? .null), ("command", .string(command))]
    }

    static func table(_ plans: [CandidatePlan]) -> String {
        var lines = ["rank  n  m    outcome                   est. s    interval (s)         levels: d parents → survivors"]
        for (i, p) in plans.enumerated() {
            let (low, high) = p.interval
            let levels = p.levels.map { "d=\($0.d) \(short($0.parents)) → " + ($0.complete ? short($0.survivors) : "? (stopped: over budget)") }.joined(separator: "; ")
            lines.append(pad("\(i + 1)", 4) + "  " + pad("\(p.n)", 2) + " " + pad("\(p.m)", 4) + " " + pad(p.outcome.rawValue, 24)
                         + "  " + pad(format(p.estimatedSeconds, 1), 8) + "  " + pad("[\(format(low, 1)), \(format(high, 1))]", 19) + "  " + levels)
        }
        return lines.joined(separator: "\n")
    }

    static func short(_ e: Estimate) -> String {
        if let exact = e.exact, exact < 1_000_000 { return "\(exact)" }
        return e.exact != nil || e.value >= 1_000_000 ? scientific(e.value) : "~" + e.decimal
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}

/// A plan's candidates and settings, and how it reports progress and names the command to run.
struct PlanRequest {
    let settings: PlanSettings
    let starts: [(n: Int, m: Int)]
    /// --backend, --device, --threads as given, for the cascade command.
    let runOptions: [String]

    var summary: String {
        "budget=\(format(settings.budgetSeconds, 1)) s rule=\(settings.rule.rawValue) max-window=\(settings.windows.rawValue) seed=\(settings.seed) sample=\(settings.samplesPerLevel)"
    }

    func fields(engine: Engine) -> [(String, JSON)] {
        [("budget_seconds", .double(settings.budgetSeconds)), ("rule", .string(settings.rule.rawValue)),
         ("max_window", .string(settings.windows.rawValue)), ("seed", .count(settings.seed)),
         ("sample", .int(Int64(settings.samplesPerLevel))), ("backend", .string(engine.name)),
         ("device", .string(engine.deviceDescription))]
    }

    /// The same request for another target, with `first` (if given) tried first.
    func with(target: Fraction, first: (n: Int, m: Int)? = nil) -> PlanRequest {
        var settings = self.settings
        settings.target = target
        var starts = self.starts
        if let first, let i = starts.firstIndex(where: { $0 == first }) { starts.insert(starts.remove(at: i), at: 0) }
        return PlanRequest(settings: settings, starts: starts, runOptions: runOptions)
    }

    /// The ranked plans, with progress on stderr; with `firstFit`, only the first start (in the
    /// order given) that fits, if any.
    func run(engine: Engine, firstFit: Bool = false) throws -> [CandidatePlan] {
        let planner = Planner(engine: engine, settings: settings) { event in
            switch event {
            case .candidateStarted(let n, let m):
                Terminal.status("plan \(settings.target): n=\(n) m=\(m) level 0")
            case .levelPlanned(let n, let m, let level):
                Terminal.status("plan \(settings.target): n=\(n) m=\(m) d=\(level.d) \(PlanOptions.short(level.parents)) → \(PlanOptions.short(level.survivors)), \(format(level.seconds.value, 1)) s")
            case .candidateFinished:
                break
            }
        }
        let plans = firstFit ? try planner.firstFit(starts).map { [$0] } ?? [] : try planner.plan(starts)
        Terminal.clearStatus()
        return plans
    }

    func command(_ p: CandidatePlan, target: String) -> String {
        var words = ["autoconv", "cascade", "--n", "\(p.n)", "--m", "\(p.m)", "--target", target]
        if settings.rule != .refined { words += ["--rule", settings.rule.rawValue] }
        if settings.windows != .twoD { words += ["--max-window", settings.windows.rawValue] }
        if let maxD = settings.maxD { words += ["--max-d", "\(maxD)"] }
        return (words + runOptions).joined(separator: " ")
    }
}
