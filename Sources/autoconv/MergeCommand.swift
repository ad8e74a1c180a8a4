import ArgumentParser
import AutoconvCore
import AutoconvVerify
import FoundationEssentials

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join shard results (the --json output of bound or prove with --shard) into what the unsharded run prints.",
        discussion: """
            The files may come from different shard counts (3/8 beside 6/16 and 7/16) as long as their ranges tile \
            the whole space. Refuses, with exit 2, a missing, duplicated or overlapping shard, and shards of \
            different parameters, targets, binary versions or kernels. Like prove, a merged prove result exits 1 \
            when survivors remain.
            """)

    @Argument(help: "Shard result files.")
    var files: [String]

    @Flag(help: "Print one JSON object on stdout, with the keys of the unsharded run.")
    var json = false

    @Option(help: "Also join the shards' certificates (prove --certificate) into this folder.")
    var certificate: String?

    func run() throws {
        guard !files.isEmpty else { throw CoreError.badInput("no shard result files given") }
        let shards = try files.map(ShardResult.init(path:)).sorted { ($0.lower, $0.upper) < ($1.lower, $1.upper) }
        try checkAgreement(shards)
        let total = try checkTiling(shards)
        let first = shards[0]
        let problem = try first.problem()
        let seconds = try shards.reduce(0) { $0 + (try $1.number("elapsed_seconds")) }
        let rate = Double(total) / max(seconds, 1e-9)
        let backend = distinct(try shards.map { try $0.string("backend") })
        let device = distinct(try shards.map { try $0.string("device") })
        var object = first.object
            .setting("compositions", .string(String(total)))
            .setting("backend", .string(backend)).setting("device", .string(device))
            .removing("survivors_file").removing("certificate")
        let whole = ShardedJob(job: Job(problem: problem, range: RankRange(0, total)), shard: nil, total: total)
        for (key, value) in whole.rangeFields { object = object.setting(key, value) }

        switch try first.string("command") {
        case "bound":
            guard certificate == nil else { throw CoreError.badInput("--certificate needs prove results; bound writes no certificates") }
            var result = BoundPartial()
            for shard in shards {
                result.merge(BoundPartial(minTest: try shard.minimum(""), minCertified: try shard.minimum("certified_")))
            }
            for (key, value) in BoundCommand.resultFields(result, problem: problem, seconds: seconds, rate: rate) {
                object = object.setting(key, value)
            }
            Terminal.out(json ? object.rendered()
                : BoundCommand.text(result, problem: problem, backend: "\(backend): \(device)", shard: nil,
                                    compositions: total, seconds: seconds, rate: rate))
        case "prove":
            guard let target = Fraction(parsing: try first.string("target")) else { throw first.bad("target") }
            var counts = ProveCounts()
            for shard in shards { counts.merge(try shard.counts()) }
            for (key, value) in ProveCommand.resultFields(counts, target: target, seconds: seconds, rate: rate) {
                object = object.setting(key, value)
            }
            let smallest = try mergedSmallest(shards, problem: problem)
            if first.object["show"] != nil {
                for (key, value) in ProveCommand.smallestFields(smallest) { object = object.setting(key, value) }
            }
            if let certificate {
                let folders = try shards.map { shard in
                    guard let folder = shard.object["certificate"]?.string else {
                        throw CoreError.badInput("\(shard.path): no certificate (run prove with --certificate DIR)")
                    }
                    return folder
                }
                _ = try CertificateMerger.merge(folders, into: certificate)
                object = object.setting("certificate", .string(certificate))
            }
            Terminal.out(json ? object.rendered()
                : ProveCommand.text(counts, problem: problem, target: target, backend: "\(backend): \(device)", shard: nil,
                                    compositions: total, seconds: seconds, rate: rate, smallest: smallest))
            if counts.survivors > 0 { throw NotProven() }
        case let command:
            throw CoreError.badInput("\(first.path): cannot merge '\(command)' results (only bound and prove)")
        }
    }

    /// Keys whose values must be the same in every shard.
    static let agreeingKeys = [
        "schema_version", "command", "n", "m", "d", "S", "rule", "max_window", "target", "show",
        "total_compositions", "version", "kernel_hash",
    ]

    private func checkAgreement(_ shards: [ShardResult]) throws {
        let first = shards[0]
        for shard in shards.dropFirst() {
            for key in Self.agreeingKeys {
                let a = first.object[key]?.rendered() ?? "absent", b = shard.object[key]?.rendered() ?? "absent"
                guard a == b else {
                    throw CoreError.badInput("\(shard.path) has \(key) = \(b) but \(first.path) has \(key) = \(a): shards of different runs cannot be merged")
                }
            }
        }
    }

    /// Checks that the (sorted) shards tile [0, N) and returns N.
    private func checkTiling(_ shards: [ShardResult]) throws -> UInt64 {
        let total = try shards[0].uint("total_compositions")
        var next: UInt64 = 0
        var previous: ShardResult?
        for shard in shards {
            if let previous, shard.lower == previous.lower, shard.upper == previous.upper {
                throw CoreError.badInput("\(shard.path) duplicates \(previous.path): both cover ranks [\(shard.lower), \(shard.upper))")
            }
            if shard.lower > next {
                throw CoreError.badInput("missing shard: no file covers ranks [\(next), \(shard.lower)) of \(total)")
            }
            if shard.lower < next, let previous {
                throw CoreError.badInput("\(shard.path) (ranks [\(shard.lower), \(shard.upper))) overlaps \(previous.path) (ranks [\(previous.lower), \(previous.upper)))")
            }
            next = shard.upper
            previous = shard
        }
        guard next == total else { throw CoreError.badInput("missing shard: no file covers ranks [\(next), \(total))") }
        return total
    }

    /// The K smallest survivors over all shards: every shard listed its own K smallest, so the
    /// union holds the overall K smallest; adding them in rank order reproduces the tie-break.
    private func mergedSmallest(_ shards: [ShardResult], problem: Problem) throws -> SmallestSurvivors {
        let limit = Int(try shards[0].object["show"].map { _ in try shards[0].uint("show") } ?? 0)
        var smallest = SmallestSurvivors(limit: limit, evaluator: Evaluator(problem: problem))
        var candidates: [Survivor] = []
        for shard in shards {
            for entry in shard.object["smallest_survivors"]?.array ?? [] {
                guard let rank = entry["rank"]?.uint64, let composition = entry["composition"]?.ints else {
                    throw shard.bad("smallest_survivors")
                }
                candidates.append(Survivor(rank: rank, composition: composition))
            }
        }
        smallest.add(candidates.sorted { $0.rank < $1.rank })
        return smallest
    }

    private func distinct(_ values: [String]) -> String {
        var seen: [String] = []
        for v in values where !seen.contains(v) { seen.append(v) }
        return seen.joined(separator: "; ")
    }
}

/// One shard's result file, parsed.
struct ShardResult {
    let path: String
    let object: JSON
    let lower: UInt64
    let upper: UInt64

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CoreError.badInput("cannot read shard result '\(path)'")
        }
        let object: JSON
        do {
            object = try JSON.parse(String(decoding: data, as: UTF8.self))
        } catch {
            throw CoreError.badInput("\(path) is not a result file: \(error)")
        }
        guard case .object = object else { throw CoreError.badInput("\(path) is not a result file: not a JSON object") }
        guard let lower = object["range_lower"]?.uint64, let upper = object["range_upper"]?.uint64, lower <= upper else {
            throw Self.incomplete(path, "range_lower")
        }
        self.path = path
        self.object = object
        self.lower = lower
        self.upper = upper
    }

    static func incomplete(_ path: String, _ key: String) -> CoreError {
        .badInput("\(path) is not a complete result file: '\(key)' is missing or malformed (was it written by autoconv --json?)")
    }

    func bad(_ key: String) -> CoreError { Self.incomplete(path, key) }

    func string(_ key: String) throws -> String {
        guard let v = object[key]?.string else { throw bad(key) }
        return v
    }

    func uint(_ key: String) throws -> UInt64 {
        guard let v = object[key]?.uint64 else { throw bad(key) }
        return v
    }

    func number(_ key: String) throws -> Double {
        guard let v = object[key]?.double else { throw bad(key) }
        return v
    }

    func problem() throws -> Problem {
        guard let n = object["n"]?.uint64.flatMap({ Int(exactly: $0) }), let m = object["m"]?.uint64.flatMap({ Int(exactly: $0) }) else {
            throw bad("n")
        }
        guard let rule = Rule(rawValue: try string("rule")) else { throw bad("rule") }
        guard let windows = WindowSet(rawValue: try string("max_window")) else { throw bad("max_window") }
        return try Problem(n: n, m: m, rule: rule, windows: windows)
    }

    func counts() throws -> ProveCounts {
        var counts = ProveCounts()
        counts.asymmetryPruned = try uint("asym_pruned")
        counts.testPruned = try uint("test_pruned")
        counts.survivors = try uint("survivors")
        counts.canonicalSurvivors = try uint("canonical_survivors")
        // Sums in 128 bits: an edited file must not trap the merge.
        let sum = UInt128(counts.asymmetryPruned) + UInt128(counts.testPruned) + UInt128(counts.survivors)
        guard sum == UInt128(upper - lower), counts.canonicalSurvivors <= counts.survivors else {
            throw CoreError.badInput("\(path): the counts do not add up to the size of its range [\(lower), \(upper))")
        }
        return counts
    }

    /// `min_test` (prefix "") or `certified_bound` (prefix "certified_") with its minimiser; nil
    /// when the shard held no canonical composition.
    func minimum(_ prefix: String) throws -> Minimum? {
        let valueKey = prefix.isEmpty ? "min_test" : "certified_bound"
        if case .null? = object[valueKey] { return nil }
        guard let value = Fraction(parsing: try string(valueKey)) else { throw bad(valueKey) }
        guard let composition = object["\(prefix)argmin"]?.ints else { throw bad("\(prefix)argmin") }
        guard let rank = object["\(prefix)argmin_rank"]?.uint64 else { throw bad("\(prefix)argmin_rank") }
        return Minimum(value: value, rank: rank, composition: composition)
    }
}
