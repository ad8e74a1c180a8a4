import ArgumentParser
import AutoconvCore
import AutoconvCascade
import AutoconvCertificates

struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Prove C >= target at this level: exit 0 when no composition survives, 1 otherwise (method.md §3).",
        discussion: "With --shard, the counts are a partial result (no verdict, exit 0 once the shard has finished); `autoconv merge` joins the shards and gives the verdict.")

    @OptionGroup var options: RunOptions

    @OptionGroup var shard: ShardOptions

    @Option(help: "Target c_t, as an exact decimal (1.28) or fraction (32/25).")
    var target: String

    @Option(help: "Write the survivors to this binary file (see SurvivorFormat).")
    var survivors: String?

    @Option(help: ArgumentHelp(
        "Write a certificate into this folder: a manifest and one survivor file per rank range.",
        discussion: "Check it independently with `autoconv verify DIR`; a shard's certificate covers its shard, `autoconv merge --certificate` joins them."))
    var certificate: String?

    @Option(help: "Print the K survivors with the smallest test values.")
    var show: Int = 0

    func run() throws {
        let problem = try options.problem()
        let targetValue = try TargetParser.parse(target)
        guard show >= 0 else { throw CoreError.badInput("show must be at least 0 (got \(show))") }
        let sharded = try shard.job(for: problem)
        let job = sharded.job
        let backend = try options.makeEngine()
        let writer = try survivors.map {
            try SurvivorWriter(path: $0, header: .init(problem: problem, target: targetValue, level: 0))
        }
        let certificateWriter = try certificate.map {
            try CertificateWriter(
                directory: $0, problem: problem, target: targetValue, totalCompositions: sharded.total,
                provenance: .init(version: BuildInfo.version, kernelHash: BuildInfo.kernelHash,
                                  backend: backend.name, device: backend.deviceDescription))
        }
        let evaluator = Evaluator(problem: problem)
        var smallest = SmallestSurvivors(limit: show, evaluator: evaluator)
        let wantsSurvivors = writer != nil || show > 0
        let watch = Stopwatch()
        let progress = ProgressReporter(total: job.range.count, label: "prove")
        let counts: ProveCounts
        do {
            let cutoffs = ProveCutoffs(problem: problem, target: targetValue)
            let handler: SurvivorHandler? = wantsSurvivors ? { batch in
                try writer?.append(batch)
                smallest.add(batch)
            } : nil
            if let certificateWriter {
                counts = try certificateWriter.prove(job, backend: backend, cutoffs: cutoffs, survivors: handler, progress: progress.update)
            } else {
                counts = try backend.prove(job, cutoffs: cutoffs, survivors: handler, progress: progress.update)
            }
            try writer?.finish()
        } catch {
            writer?.discard()
            throw error
        }
        progress.finish()
        let seconds = watch.seconds
        let rate = Double(job.range.count) / max(seconds, 1e-9)
        if options.json {
            var fields = ResultFields.header(command: "prove", problem: problem, backend: backend.name,
                                             device: backend.deviceDescription, compositions: String(job.range.count))
            fields += ResultFields.devices(backend)
            fields += sharded.fields()
            fields += Self.resultFields(counts, target: targetValue, partial: sharded.isPartial, seconds: seconds, rate: rate)
            if let path = survivors { fields.append(("survivors_file", .string(path))) }
            if let writer = certificateWriter { fields.append(("certificate", .string(writer.directory))) }
            if show > 0 { fields += Self.smallestFields(smallest) }
            Terminal.out(JSON.object(fields).rendered())
        } else {
            Terminal.out(Self.text(counts, problem: problem, target: targetValue, backend: "\(backend.name): \(backend.deviceDescription)",
                                   sharded: sharded, seconds: seconds, rate: rate, smallest: smallest))
        }
        // A shard that finished has done its part, survivors or not: only merge decides.
        if !sharded.isPartial, counts.survivors > 0 { throw NotProven() }
    }

    /// The counts' JSON fields (shared with `merge`, so merged files print exactly the same).
    /// A partial result has no `proven`: its counts prove nothing on their own.
    static func resultFields(_ counts: ProveCounts, target: Fraction, partial: Bool, seconds: Double, rate: Double) -> [(String, JSON)] {
        [
            ("target", .string(target.description)),
            ("asym_pruned", .count(counts.asymmetryPruned)),
            ("test_pruned", .count(counts.testPruned)),
            ("survivors", .count(counts.survivors)),
            ("canonical_survivors", .count(counts.canonicalSurvivors)),
        ] + (partial ? [] : [("proven", .bool(counts.survivors == 0))]) + [
            ("elapsed_seconds", .double(seconds)),
            ("rate", .double(rate)),
        ]
    }

    /// `show` and `smallest_survivors`; each entry keeps its rank so that `merge` can pick the
    /// K smallest over all shards with the same tie-break.
    static func smallestFields(_ smallest: SmallestSurvivors) -> [(String, JSON)] {
        [
            ("show", .int(Int64(smallest.limit))),
            ("smallest_survivors", .array(smallest.sorted.map { entry in
                .object([("composition", JSON.ints(entry.composition)), ("test", .string(entry.test.description)),
                         ("corrected_test", .string(entry.correctedTest.description)), ("rank", .count(entry.rank))])
            })),
        ]
    }

    /// The plain-text report (shared with `merge`). Only a whole-space result ends with a verdict.
    static func text(_ counts: ProveCounts, problem: Problem, target: Fraction, backend: String, sharded: ShardedJob,
                     seconds: Double, rate: Double, smallest: SmallestSurvivors) -> String {
        var text = """
            autoconv prove  n=\(problem.n) m=\(problem.m) d=\(problem.d) S=\(problem.S) rule=\(problem.rule.rawValue) max-window=\(problem.windows.rawValue) target=\(target)\(sharded.shard.map { " shard=\($0)" } ?? "")
            backend         \(backend)
            compositions    \(sharded.job.range.count)
            asym_pruned     \(counts.asymmetryPruned)
            test_pruned     \(counts.testPruned)
            survivors       \(counts.survivors)  (canonical \(counts.canonicalSurvivors))
            elapsed         \(format(seconds, 3)) s  (\(scientific(rate)) compositions/s)
            """
        for entry in smallest.sorted { text += "\nsurvivor        " + entry.text(problem.rule, target: target) }
        if sharded.isPartial {
            text += "\n" + sharded.partialNote("`autoconv merge` of every shard's --json result gives the verdict")
        } else {
            text += counts.survivors == 0 ? "\nPROVEN: C >= \(target)" : "\nNOT PROVEN at this level: \(counts.survivors) survivors"
        }
        return text
    }
}

extension SmallestSurvivors.Entry {
    /// "c = […]  test = …  refined-corrected test = … ≤ target t": the raw test value and the
    /// value that was compared with the target, so a reader sees how close it came.
    func text(_ rule: Rule, target: Fraction) -> String {
        "c = \(composition)  test = \(test) ≈ \(format(test.doubleValue, 6))  "
            + "\(rule.rawValue)-corrected test = \(correctedTest) ≈ \(format(correctedTest.doubleValue, 6)) ≤ target \(target)"
    }
}
