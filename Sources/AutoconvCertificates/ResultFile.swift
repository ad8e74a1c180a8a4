import AutoconvCore
import FoundationEssentials

/// A result file as `merge` reads it: the `--json` output of `bound` or `prove`, a shard's
/// (`"partial": true`) or a whole run's, decoded with `JSONDecoder` into typed values.
///
/// Nothing in it is used until checked: `read` refuses what does not decode (malformed or too
/// deeply nested JSON, missing keys, wrong types, counts that are not decimal strings), and the
/// checks below refuse what does not agree with itself — its problem with its d, S and total
/// (`problem`), its range with its shard, size and `partial` and its counts with its range
/// (`checkRange`), every listed composition with its rank, range and value (`boundPartial`,
/// `survivors`). Each refusal is one `badInput` line naming the file. What merge cannot check is
/// whether a consistent file tells the truth (a minimum replaced by another composition's, say):
/// only a certificate and `verify` make a prove result checkable.
struct ResultFile {
    var path = ""
    let schemaVersion: Int
    let command: String
    let n: Int, m: Int, d: Int, S: Int
    let rule: String, maxWindow: String
    let backend: String, device: String
    let compositions: UInt64
    let shard: String?
    let partial: Bool
    let lower: UInt64, upper: UInt64
    let totalCompositions: UInt64
    let version: String, kernelHash: String
    let elapsedSeconds: Double
    /// prove only.
    let target: String?
    let counts: ProveCounts?
    let show: Int?
    let smallestSurvivors: [Listed]
    let certificate: String?
    /// bound only: min test(c) and min cert(c), as written.
    let minTest: Listed?
    let minCertified: Listed?

    /// A composition listed with its rank (and, for a minimum, its value as written).
    struct Listed: Decodable {
        let composition: [Int]
        let rank: UInt64
        let value: String?

        enum CodingKeys: String, CodingKey { case composition, rank }

        init(composition: [Int], rank: UInt64, value: String?) {
            self.composition = composition
            self.rank = rank
            self.value = value
        }

        /// A `smallest_survivors` entry; its `test` is recomputed, not read.
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(composition: try c.decode([Int].self, forKey: .composition),
                      rank: try c.decode(DecimalCount.self, forKey: .rank).value, value: nil)
        }
    }

    var range: RankRange { RankRange(lower, upper) }

    /// Reads and decodes `path`; `badInput` naming the file when it cannot.
    static func read(_ path: String) throws -> ResultFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CoreError.badInput("cannot read shard result '\(path)'")
        }
        do {
            var file = try JSONDecoder().decode(ResultFile.self, from: data)
            file.path = path
            return file
        } catch {
            throw CoreError.badInput("\(path) is not a complete result file (was it written by autoconv --json?): \(CertificateManifest.describe(error))")
        }
    }

    /// The fields that must be equal in every file of one merge, with their values as text.
    var agreeing: [(String, String)] {
        [
            ("schema_version", "\(schemaVersion)"), ("command", command), ("n", "\(n)"), ("m", "\(m)"), ("d", "\(d)"),
            ("S", "\(S)"), ("rule", rule), ("max_window", maxWindow), ("target", target ?? "absent"),
            ("show", show.map(String.init) ?? "absent"), ("total_compositions", "\(totalCompositions)"),
            ("version", version), ("kernel_hash", kernelHash),
        ]
    }

    func bad(_ why: String) -> CoreError { .badInput("\(path): \(why)") }
}

// MARK: Checks

extension ResultFile {
    /// The problem the file names, checked against its own d, S and total.
    func problem() throws -> Problem {
        guard schemaVersion == JSON.schemaVersion else { throw bad("unsupported schema_version \(schemaVersion)") }
        guard let rule = Rule(rawValue: rule), let windows = WindowSet(rawValue: maxWindow) else {
            throw bad("unknown rule '\(self.rule)' or max_window '\(maxWindow)'")
        }
        let problem: Problem
        do {
            problem = try Problem(n: n, m: m, rule: rule, windows: windows)
        } catch {
            throw bad("\(error)")
        }
        guard d == problem.d, S == problem.S, totalCompositions == (try? Job(problem: problem))?.range.count else {
            throw bad("d = \(d), S = \(S) and total_compositions = \(totalCompositions) do not belong to n = \(n), m = \(m)")
        }
        return problem
    }

    /// Checks that the range is the one the shard names, the size and `partial` match it, and
    /// (prove) the counts add up to it.
    func checkRange() throws {
        guard lower <= upper, upper <= totalCompositions, compositions == upper - lower else {
            throw bad("range [\(lower), \(upper)) does not hold its \(compositions) compositions of \(totalCompositions)")
        }
        let whole = RankRange(0, totalCompositions)
        let named = try shard.map { text -> RankRange in
            guard let shard = try? Shard(parsing: text) else { throw bad("shard '\(text)' is not r/M") }
            return shard.range(of: whole)
        } ?? whole
        guard named == range, partial == (range != whole) else {
            throw bad("shard \(shard ?? "null"), partial \(partial) and range \(range) do not agree")
        }
        if let counts {
            // Sums in 128 bits: an edited file must not trap the merge.
            let sum = UInt128(counts.asymmetryPruned) + UInt128(counts.testPruned) + UInt128(counts.survivors)
            guard sum == UInt128(range.count), counts.canonicalSurvivors <= counts.survivors else {
                throw bad("the counts do not add up to the size of its range \(range)")
            }
        }
    }

    /// The target as an exact fraction, written in its reduced form.
    func targetValue() throws -> Fraction {
        guard let target, let value = try? TargetParser.parse(target), value.description == target else {
            throw bad("target '\(target ?? "absent")' is not a reduced fraction")
        }
        return value
    }

    /// The bound minima, each checked: a canonical composition of this problem, at its rank,
    /// inside the range, with exactly the value written.
    func boundPartial(_ problem: Problem) throws -> BoundPartial {
        let evaluator = Evaluator(problem: problem)
        func checked(_ listed: Listed?, _ value: ([Int]) -> Fraction) throws -> Minimum? {
            guard let listed else { return nil }
            try check(listed, problem)
            let exact = value(listed.composition)
            guard Compositions.isCanonical(listed.composition), exact.description == listed.value else {
                throw bad("minimum \(listed.value ?? "") at \(listed.composition) is not that composition's value (\(exact))")
            }
            return Minimum(value: exact, rank: listed.rank, composition: listed.composition)
        }
        return BoundPartial(minTest: try checked(minTest, evaluator.testValue),
                            minCertified: try checked(minCertified, evaluator.certifiedValue))
    }

    /// The listed smallest survivors: as many as `show` asks for and the range has, each a
    /// survivor at its rank inside the range.
    func survivors(_ problem: Problem, cutoffs: ProveCutoffs) throws -> [Survivor] {
        let expected = min(UInt64(max(0, show ?? 0)), counts?.survivors ?? 0)
        guard UInt64(smallestSurvivors.count) == expected else {
            throw bad("smallest_survivors lists \(smallestSurvivors.count) survivors, not the \(expected) that show and survivors ask for")
        }
        let evaluator = Evaluator(problem: problem)
        return try smallestSurvivors.map { listed in
            try check(listed, problem)
            guard evaluator.verdict(listed.composition, cutoffs: cutoffs) == .survivor else {
                throw bad("listed survivor \(listed.composition) does not survive")
            }
            return Survivor(rank: listed.rank, composition: listed.composition)
        }
    }

    /// `listed` is a composition of S into d parts whose rank is the one written, inside the range.
    private func check(_ listed: Listed, _ problem: Problem) throws {
        let c = listed.composition
        // Parts are bounded before they are added, so no sum can overflow.
        guard c.count == problem.d, c.allSatisfy({ (0...problem.S).contains($0) }), c.reduce(0, +) == problem.S,
              Compositions.rank(c, sum: problem.S, as: UInt64.self) == listed.rank, range.contains(listed.rank) else {
            throw bad("\(c) is not the composition of rank \(listed.rank) in its range \(range)")
        }
    }
}

private extension RankRange {
    func contains(_ rank: UInt64) -> Bool { lower <= rank && rank < upper }
}

// MARK: Decoding

/// A count as `JSON.count` writes it: a decimal string of digits (counts pass 2^53, where JSON
/// numbers lose digits), below 2^64.
struct DecimalCount: Decodable {
    let value: UInt64

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), let value = UInt64(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a decimal count")
        }
        self.value = value
    }
}

extension ResultFile: Decodable {
    /// Any key by name: the minima's keys depend on `partial` and `command`.
    struct Key: CodingKey, ExpressibleByStringLiteral {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        init(stringLiteral value: String) { stringValue = value }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        func count(_ key: String) throws -> UInt64 { try c.decode(DecimalCount.self, forKey: Key(stringValue: key)).value }
        schemaVersion = try c.decode(Int.self, forKey: "schema_version")
        command = try c.decode(String.self, forKey: "command")
        (n, m, d, S) = (try c.decode(Int.self, forKey: "n"), try c.decode(Int.self, forKey: "m"),
                        try c.decode(Int.self, forKey: "d"), try c.decode(Int.self, forKey: "S"))
        rule = try c.decode(String.self, forKey: "rule")
        maxWindow = try c.decode(String.self, forKey: "max_window")
        backend = try c.decode(String.self, forKey: "backend")
        device = try c.decode(String.self, forKey: "device")
        compositions = try count("compositions")
        // Present in every result file: null for a whole run.
        shard = try c.decode(String?.self, forKey: "shard")
        partial = try c.decode(Bool.self, forKey: "partial")
        lower = try count("range_lower")
        upper = try count("range_upper")
        totalCompositions = try count("total_compositions")
        version = try c.decode(String.self, forKey: "version")
        kernelHash = try c.decode(String.self, forKey: "kernel_hash")
        elapsedSeconds = try c.decode(Double.self, forKey: "elapsed_seconds")

        switch command {
        case "prove":
            target = try c.decode(String.self, forKey: "target")
            var counts = ProveCounts()
            counts.asymmetryPruned = try count("asym_pruned")
            counts.testPruned = try count("test_pruned")
            counts.survivors = try count("survivors")
            counts.canonicalSurvivors = try count("canonical_survivors")
            self.counts = counts
            // `show` and its list come together (prove --show K with K > 0).
            show = try c.decodeIfPresent(Int.self, forKey: "show")
            smallestSurvivors = show == nil ? [] : try c.decode([Listed].self, forKey: "smallest_survivors")
            certificate = try c.decodeIfPresent(String.self, forKey: "certificate")
            (minTest, minCertified) = (nil, nil)
        case "bound":
            let keys = MinimumKeys.of(partial: partial)
            // A minimum is null when a shard holds no canonical composition, but never absent.
            func minimum(_ keys: MinimumKeys) throws -> Listed? {
                guard !(try c.decodeNil(forKey: Key(stringValue: keys.value))) else { return nil }
                return Listed(composition: try c.decode([Int].self, forKey: Key(stringValue: keys.argmin)),
                              rank: try count(keys.rank), value: try c.decode(String.self, forKey: Key(stringValue: keys.value)))
            }
            (minTest, minCertified) = (try minimum(keys.test), try minimum(keys.certified))
            (target, counts, show, smallestSurvivors, certificate) = (nil, nil, nil, [], nil)
        default:
            throw DecodingError.dataCorruptedError(forKey: "command", in: c, debugDescription: "cannot merge '\(command)' results (only bound and prove)")
        }
    }
}
