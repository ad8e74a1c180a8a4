import ArgumentParser
import AutoconvCascade
import AutoconvCertificates
import AutoconvCore
import AutoconvEngines
import AutoconvPlan
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `autoconv reach`: the largest target whose planned proof fits the budget, then that proof.
struct ReachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reach",
        abstract: "Find the largest target (in steps of 1/1000) whose planned cascade fits --budget, and prove it.",
        discussion: """
            Tries \(ReachCommand.lowest)/1000 and 1, gallops up from 1 in steps of 16, 32, 64, … \
            thousandths (targets far above the reachable one are the slowest to plan), then bisects \
            on targets k/1000 below \(ReachCommand.highest)/1000 (C ≤ 1.5029 is known) with `plan`'s \
            estimator (each target asks only whether some start fits; the target found is planned on every start), then runs the recommended cascade. "C >= t" is printed, and the \
            exit status is 0, only when that cascade proved t; if it did not, the next lower target that \
            fitted is tried once, and otherwise no bound is reported (exit 1). The run directory is kept \
            (`autoconv verify RUN_DIR` re-checks it).
            """)

    static let lowest = 500
    static let highest = 1503

    @OptionGroup var plan: PlanOptions

    @Option(help: "Run directory of the proof (default: a new directory in $TMPDIR or /tmp).")
    var dir: String?

    struct Step {
        let thousandths: Int
        let best: CandidatePlan?
        var fits: Bool { best?.withinBudget == true }
    }

    static func decimal(_ thousandths: Int) -> String {
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }

    func run() throws {
        InterruptSignal.install()
        let base = try plan.request(target: Fraction(1))
        let engine = try plan.makeEngine()
        let stopwatch = Stopwatch()
        var steps: [Step] = []
        var lastFit: (n: Int, m: Int)?
        // Bisection asks only whether some start fits (the last one that did is tried first).
        func probe(_ k: Int) throws -> Step {
            let plans = try base.with(target: Fraction(Int64(k), 1000), first: lastFit).run(engine: engine, firstFit: true)
            let step = Step(thousandths: k, best: plans.first)
            if step.fits { lastFit = (step.best!.n, step.best!.m) }
            Terminal.err("reach: \(ReachCommand.decimal(k)) " + (step.fits
                ? "fits: n=\(step.best!.n) m=\(step.best!.m), estimated \(format(step.best!.estimatedSeconds, 1)) s"
                : "does not fit the budget"))
            steps.append(step)
            return step
        }
        let fitted = try ReachSearch.fitting(low: ReachCommand.lowest, high: ReachCommand.highest) { try probe($0).fits }
        var fitting = fitted.compactMap { k in steps.last { $0.thousandths == k } }
        // The target found: every start planned, and the fastest one run.
        if let top = fitting.last {
            let plans = try base.with(target: Fraction(Int64(top.thousandths), 1000)).run(engine: engine)
            if let best = plans.first, best.withinBudget { fitting[fitting.count - 1] = Step(thousandths: top.thousandths, best: best) }
        }
        let planningSeconds = stopwatch.seconds
        // The best fitting target, then once the next lower one, if the first is not proven.
        var attempts: [(step: Step, outcome: CascadeOutcome, directory: String)] = []
        for step in fitting.sorted(by: { $0.thousandths > $1.thousandths }).prefix(2) {
            let outcome = try prove(step, engine: engine, keep: attempts.isEmpty ? dir : nil)
            attempts.append((step, outcome.0, outcome.1))
            if outcome.0.proven { break }
            Terminal.err("reach: the cascade did NOT prove \(ReachCommand.decimal(step.thousandths)) (the estimate was wrong)")
        }
        let proven = attempts.last.flatMap { $0.outcome.proven ? $0 : nil }
        if plan.output.json {
            Terminal.out(JSON.object([
                ("schema_version", .int(JSON.schemaVersion)), ("command", .string("reach")),
            ] + base.fields(engine: engine) + [
                ("bisection", .array(steps.map { step in
                    .object([("target", .string(Fraction(Int64(step.thousandths), 1000).description)),
                             ("fits", .bool(step.fits)),
                             ("n", step.fits ? .int(Int64(step.best!.n)) : .null), ("m", step.fits ? .int(Int64(step.best!.m)) : .null),
                             ("estimated_seconds", step.best.map { .double($0.estimatedSeconds) } ?? .null)])
                })),
                ("attempts", .array(attempts.map { attempt in
                    .object([("target", .string(Fraction(Int64(attempt.step.thousandths), 1000).description)),
                             ("n", .int(Int64(attempt.step.best!.n))), ("m", .int(Int64(attempt.step.best!.m))),
                             ("estimated_seconds", .double(attempt.step.best!.estimatedSeconds)),
                             ("proven", .bool(attempt.outcome.proven)),
                             ("proven_at_d", attempt.outcome.provenAtD.map { .int(Int64($0)) } ?? .null),
                             ("run_dir", .string(attempt.directory)),
                             ("levels", .array(attempt.outcome.levels.map(ReachCommand.levelJSON)))])
                })),
                ("proven", .bool(proven != nil)),
                ("bound", proven.map { .string(Fraction(Int64($0.step.thousandths), 1000).description) } ?? .null),
                ("planning_seconds", .double(planningSeconds)),
                ("elapsed_seconds", .double(stopwatch.seconds)),
            ]).rendered())
        } else {
            var text = "autoconv reach  \(base.summary) backend=\(engine.name): \(engine.deviceDescription)\n"
            text += "bisection: " + steps.map { "\(ReachCommand.decimal($0.thousandths)) \($0.fits ? "fits" : "no")" }.joined(separator: ", ")
            text += "\nplanning \(format(planningSeconds, 1)) s"
            for attempt in attempts {
                let best = attempt.step.best!
                text += "\ncascade n=\(best.n) m=\(best.m) target=\(ReachCommand.decimal(attempt.step.thousandths)) (estimated \(format(best.estimatedSeconds, 1)) s), run directory \(attempt.directory)"
                for level in attempt.outcome.levels { text += "\n" + CascadeProgress.line(level) }
            }
            if let proven {
                text += "\nPROVEN: C >= \(ReachCommand.decimal(proven.step.thousandths)) (no survivors at d = \(proven.outcome.provenAtD!))"
            } else {
                text += fitting.isEmpty ? "\nNOT PROVEN: no target from \(ReachCommand.decimal(ReachCommand.lowest)) up is estimated to fit the budget"
                    : "\nNOT PROVEN: the cascades run did not prove their targets; no bound"
            }
            Terminal.out(text)
        }
        if proven == nil { throw NotProven() }
    }

    /// Runs the cascade of a fitting step's start in a new run directory (kept).
    private func prove(_ step: Step, engine: Engine, keep: String?) throws -> (CascadeOutcome, String) {
        let best = step.best!
        let parameters = CascadeParameters(n0: best.n, m: best.m, target: Fraction(Int64(step.thousandths), 1000),
                                           rule: plan.rules.resolvedRule, windows: plan.rules.resolvedWindows, family: .relaxed, finalLevel: best.finalLevel)
        let path = try keep ?? Terminal.temporaryDirectory("autoconv-reach")
        let directory = try RunDirectory(path: path, parameters: parameters, binaryVersion: CascadeCommand.binaryVersion)
        var settings = CascadeSettings()
        settings.backend = plan.engine.backend ?? .cpu
        settings.device = plan.engine.opencl.device
        settings.threads = plan.engine.threads
        try directory.saveSettings(settings.pairs)
        Terminal.err("reach: proving \(ReachCommand.decimal(step.thousandths)) from n=\(best.n) m=\(best.m) in \(path)")
        let progress = CascadeProgress()
        let cascade = try Cascade(directory: directory, engine: engine, stop: { InterruptSignal.isRaised }, events: progress.handle)
        cascade.kernelHash = BuildInfo.kernelHash
        let outcome = try cascade.run()
        progress.finish()
        return (outcome, path)
    }

    static func levelJSON(_ level: LevelSummary) -> JSON {
        .object([("level", .int(Int64(level.level))), ("d", .int(Int64(level.d))), ("parents", .count(level.parents)),
                 ("children", .count(level.children)), ("survivors", .count(level.survivors)),
                 ("elapsed_seconds", .double(level.seconds))])
    }
}
