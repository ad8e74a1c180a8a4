import ArgumentParser
import AutoconvCascade
import AutoconvCertificates
import AutoconvCore

/// `autoconv bench-children FILE` (hidden): the children of every parent in a survivor file, one
/// `expand` of the chosen engine, timed; for scripts/deep-bench.sh. Nothing is written: the
/// survivors are only counted and hashed (SHA-256 over their parts in order, each part as 4
/// little-endian bytes), so two builds can be compared child for child.
struct BenchChildrenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-children",
        abstract: "Time the expansion of a survivor file's parents into their children (benchmark).",
        shouldDisplay: false)

    @Argument(help: "A level's survivor file (level-K.surv of a cascade run directory).")
    var file: String

    @Option(help: "Children: relaxed (default) or exact.")
    var children: ChildFamily = .relaxed

    @Option(help: "Time this many expansions (default 1).")
    var repeats: Int = 1

    @Flag(help: "Also collect the child search's counters (ChildSearchStats).")
    var stats = false

    @Option(help: "Only the K parents with the smallest test value (ties: file order), kept in file order.")
    var smallest: Int?

    @Option(help: "Only every N-th parent of the file (the first, the (N+1)-th, …), before --smallest.")
    var stride: Int?

    @Option(help: "Target for the children instead of the file's (a benchmark may expand any parents).")
    var target: String?

    @Option(help: "Write the survivors (of the first expansion) here, as the next level's survivor file.")
    var output: String?

    @OptionGroup var engine: EngineOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        guard repeats >= 1 else { throw CoreError.badInput("repeats must be at least 1 (got \(repeats))") }
        let reader = try SurvivorReader(path: file)
        var parents: [[Int]] = []
        while let parent = try reader.next() { parents.append(parent) }
        let parentProblem = reader.header.problem
        if let stride {
            guard stride >= 1 else { throw CoreError.badInput("stride must be at least 1 (got \(stride))") }
            parents = Swift.stride(from: 0, to: parents.count, by: stride).map { parents[$0] }
        }
        if let smallest {
            guard smallest >= 1 else { throw CoreError.badInput("smallest must be at least 1 (got \(smallest))") }
            let evaluator = Evaluator(problem: parentProblem)
            let values = parents.map { evaluator.testValue($0) }
            let keep = Set(parents.indices.sorted { (values[$0], $0) < (values[$1], $1) }.prefix(smallest))
            parents = parents.indices.filter { keep.contains($0) }.map { parents[$0] }
        }
        let problem = try parentProblem.nextLevel()
        let goal = try target.map(TargetParser.parse) ?? reader.header.target
        let cutoffs = ProveCutoffs(problem: problem, target: goal)
        var job = ChildJob(problem: problem, cutoffs: cutoffs, deltas: children.deltas, parents: parents)
        job.collectStats = stats
        let backend = try engine.makeEngine()
        var seconds: [Double] = []
        var counts = ChildCounts()
        var hash = SHA256(), survivors = 0
        var kept: [[Int]] = []
        for round in 0..<repeats {
            var digest = SHA256(), found = 0
            let watch = Stopwatch()
            counts = try backend.expand(job, survivors: { batch in
                for child in batch {
                    found += 1
                    if round == 0 && output != nil { kept.append(child) }
                    for part in child { digest.update((0..<4).map { UInt8(truncatingIfNeeded: part >> (8 * $0)) }) }
                }
            }, stop: { false }, progress: nil)
            seconds.append(watch.seconds)
            if round == 0 { hash = digest; survivors = found }
        }
        let digest = hash.hexDigest()
        if let output {
            // A level file is sorted and free of duplicates (SurvivorSorter's order).
            let writer = try SurvivorWriter(path: output, header: SurvivorFormat.Header(
                problem: problem, target: goal, level: reader.header.level + 1))
            for child in Set(kept).sorted(by: { $0.lexicographicallyPrecedes($1) }) { try writer.append(child) }
            try writer.finish()
        }
        if json {
            var fields: [(String, JSON)] = [
                ("schema_version", .int(JSON.schemaVersion)), ("command", .string("bench-children")),
                ("file", .string(file)), ("d", .int(Int64(problem.d))), ("m", .int(Int64(problem.m))),
                ("target", .string(goal.description)), ("backend", .string(backend.name)),
                ("device", .string(backend.deviceDescription)),
                ("parents", .count(counts.parents)), ("patterns", .count(counts.patterns)),
                ("patterns_pruned", .count(counts.patternsPruned)), ("children", .count(counts.children)),
                ("asym_pruned", .count(counts.asymmetryPruned)), ("test_pruned", .count(counts.testPruned)),
                ("survivors", .count(counts.survivors)), ("survivors_sha256", .string(digest)),
                ("seconds", .array(seconds.map { .double($0) })),
            ]
            if let s = counts.stats { fields.append(("stats", StatsJSON.object(s))) }
            Terminal.out(JSON.object(fields).rendered())
        } else {
            Terminal.out("bench-children d=\(problem.d) parents \(counts.parents) children \(counts.children) asym_pruned \(counts.asymmetryPruned) test_pruned \(counts.testPruned) survivors \(survivors) sha256 \(digest)")
            Terminal.out("seconds " + seconds.map { format($0, 3) }.joined(separator: " "))
            if let s = counts.stats { Terminal.out(StatsJSON.text(s, title: "stats")) }
        }
    }
}
