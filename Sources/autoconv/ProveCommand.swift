import ArgumentParser
import AutoconvCore

struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Prove C >= target at this level: exit 0 when no composition survives, 1 otherwise (method.md §3).")

    @OptionGroup var options: RunOptions

    @Option(help: "Target c_t, as an exact decimal (1.28) or fraction (32/25).")
    var target: String

    @Option(help: "Write the survivors to this binary file (see SurvivorFormat).")
    var survivors: String?

    @Option(help: "Print the K survivors with the smallest test values.")
    var show: Int = 0

    func run() throws {
        let problem = try options.problem()
        let targetValue = try TargetParser.parse(target)
        guard show >= 0 else { throw CoreError.badInput("show must be at least 0 (got \(show))") }
        let job = try Job(problem: problem)
        let backend = try options.makeBackend()
        let writer = try survivors.map {
            try SurvivorWriter(path: $0, header: .init(problem: problem, target: targetValue, level: 0))
        }
        let evaluator = Evaluator(problem: problem)
        var smallest = SmallestSurvivors(limit: show, evaluator: evaluator)
        let wantsSurvivors = writer != nil || show > 0
        let watch = Stopwatch()
        let progress = ProgressReporter(total: job.range.count, label: "prove")
        let counts: ProveCounts
        do {
            counts = try backend.prove(
                job, cutoffs: ProveCutoffs(problem: problem, target: targetValue),
                survivors: wantsSurvivors ? { batch in
                    try writer?.append(batch)
                    smallest.add(batch)
                } : nil,
                progress: progress.update)
            try writer?.finish()
        } catch {
            writer?.discard()
            throw error
        }
        progress.finish()
        let seconds = watch.seconds
        let rate = Double(job.range.count) / max(seconds, 1e-9)
        let proven = counts.survivors == 0
        if options.json {
            var fields = options.header(command: "prove", problem: problem, backend: backend, compositions: job.range.count)
            fields += [
                ("target", .string(targetValue.description)),
                ("asym_pruned", .uint(counts.asymmetryPruned)),
                ("test_pruned", .uint(counts.testPruned)),
                ("survivors", .uint(counts.survivors)),
                ("canonical_survivors", .uint(counts.canonicalSurvivors)),
                ("proven", .bool(proven)),
                ("elapsed_seconds", .double(seconds)),
                ("rate", .double(rate)),
            ]
            if let path = survivors { fields.append(("survivors_file", .string(path))) }
            if show > 0 {
                fields.append(("smallest_survivors", .array(smallest.sorted.map { entry in
                    .object([("composition", JSON.ints(entry.composition)), ("test", .string(entry.test.description))])
                })))
            }
            Terminal.out(JSON.object(fields).rendered())
        } else {
            var text = """
                autoconv prove  n=\(problem.n) m=\(problem.m) d=\(problem.d) S=\(problem.S) rule=\(problem.rule.rawValue) max-window=\(problem.windows.rawValue) target=\(targetValue)
                backend         \(backend.name): \(backend.deviceDescription)
                compositions    \(job.range.count)
                asym_pruned     \(counts.asymmetryPruned)
                test_pruned     \(counts.testPruned)
                survivors       \(counts.survivors)  (canonical \(counts.canonicalSurvivors))
                elapsed         \(format(seconds, 3)) s  (\(scientific(rate)) compositions/s)
                """
            for entry in smallest.sorted {
                text += "\nsurvivor        c = \(entry.composition)  test = \(entry.test) ≈ \(format(entry.test.doubleValue, 6))"
            }
            text += proven ? "\nPROVEN: C >= \(targetValue)" : "\nNOT PROVEN at this level: \(counts.survivors) survivors"
            Terminal.out(text)
        }
        if !proven { throw NotProven() }
    }
}

/// The K survivors with the smallest test values (ties: smaller rank), kept in bounded memory.
struct SmallestSurvivors {
    struct Entry {
        let test: Fraction
        let rank: UInt64
        let composition: [Int]
    }

    let limit: Int
    let evaluator: Evaluator
    private(set) var sorted: [Entry] = []

    init(limit: Int, evaluator: Evaluator) {
        self.limit = limit
        self.evaluator = evaluator
    }

    mutating func add(_ batch: [Survivor]) {
        guard limit > 0 else { return }
        for survivor in batch {
            let entry = Entry(test: evaluator.testValue(survivor.composition), rank: survivor.rank, composition: survivor.composition)
            if sorted.count == limit, let last = sorted.last, !(entry.test < last.test) { continue }
            let index = sorted.firstIndex { entry.test < $0.test } ?? sorted.count
            sorted.insert(entry, at: index)
            if sorted.count > limit { sorted.removeLast() }
        }
    }
}
