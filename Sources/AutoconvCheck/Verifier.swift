import AutoconvCertificates
import AutoconvCore
import FoundationEssentials

/// The independent checker of prove certificates (`autoconv verify`).
///
/// It trusts nothing the producer computed: it recounts the space, checks that the ranges tile
/// it, checks every file's SHA-256 and header, checks that every listed survivor lies in its
/// range (in rank order) and really survives, and then re-enumerates ranges one composition at
/// a time with `PlainCompositions` and `PlainClassifier` — no subtree skipping, no kernels, none
/// of the engines' code — comparing counts and survivor lists exactly.
///
/// With `sample` set below the number of ranges, only that many ranges chosen at random are
/// re-enumerated; every other check still covers the whole certificate. The verdict
/// (`CheckVerdict`) says exactly that much: `verified` only when every range was re-enumerated
/// and no composition survives, `spotChecked` when a sample was, `notProven` for a consistent
/// certificate with survivors, `notVerified` for anything inconsistent or unreadable.
public struct Verifier {
    /// Why a certificate was rejected, in one line.
    struct Rejection: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    /// What a check found, and how much of the certificate it covered.
    public struct Report: Sendable {
        public internal(set) var verdict: CheckVerdict = .notVerified(reason: "not checked")
        /// The manifest, once it could be read.
        public internal(set) var manifest: CertificateManifest?
        /// N = C(S+d−1, d−1), once it was recomputed and matched the manifest.
        public internal(set) var totalCompositions: UInt64?
        public internal(set) var rangesTotal = 0
        /// Ranges re-enumerated composition by composition, and the compositions in them.
        public internal(set) var rangesChecked = 0
        public internal(set) var compositionsChecked: UInt64 = 0
        /// Whether every range was (to be) re-enumerated; false once a sample is drawn.
        public internal(set) var exhaustive: Bool
    }

    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Checks the certificate, reporting what it checked through `log`, and returns the verdict
    /// with what was covered. `progress` sees the ranks re-enumerated so far and their total.
    /// Nothing logged states a bound: only the verdict `verified` does.
    public func verify(sample: Int? = nil, seed: UInt64 = 0,
                       log: (String) -> Void = { _ in }, progress: ((_ done: UInt64, _ total: UInt64) -> Void)? = nil) -> Report {
        var report = Report(exhaustive: true)
        do {
            report.verdict = try check(sample: sample, seed: seed, log: log, progress: progress, report: &report)
        } catch {
            report.verdict = .notVerified(reason: "\(error)")
        }
        return report
    }

    private func check(sample: Int?, seed: UInt64, log: (String) -> Void, progress: ((UInt64, UInt64) -> Void)?,
                       report: inout Report) throws -> CheckVerdict {
        let manifest: CertificateManifest
        do {
            manifest = try CertificateManifest.read(directory: directory)
        } catch {
            throw Rejection(reason: "\(error)")
        }
        report.manifest = manifest
        let classifier = try parameters(manifest)
        let total = try spaceSize(manifest)
        report.totalCompositions = total
        let ranges = try tiling(manifest, total: total)
        report.rangesTotal = ranges.count
        try totals(manifest, ranges)
        log("certificate: prove n=\(manifest.n) m=\(manifest.m) rule=\(manifest.rule) max-window=\(manifest.maxWindow) target=\(manifest.target), \(ranges.count) ranges, \(total) compositions, made by autoconv \(manifest.version)")

        var listed: [[[Int]]] = []
        for (record, range) in zip(manifest.ranges, ranges) {
            listed.append(try survivorFile(record, range: range, manifest: manifest, classifier: classifier))
        }
        log("files: \(ranges.count) digests and headers match; all \(manifest.survivors) listed survivors lie in their ranges and survive")

        var chosen = Array(ranges.indices)
        if let sample, sample < ranges.count {
            var generator = SplitMix64(seed: seed)
            chosen.shuffle(using: &generator)
            chosen = Array(chosen.prefix(sample)).sorted()
            report.exhaustive = false
            log("re-enumerating \(sample) of \(ranges.count) ranges chosen at random (seed \(seed))")
        } else {
            log("re-enumerating all \(ranges.count) ranges")
        }
        let work = chosen.reduce(UInt64(0)) { $0 + ranges[$1].count }
        for index in chosen {
            try recount(manifest.ranges[index], range: ranges[index], listed: listed[index], manifest: manifest, classifier: classifier)
            report.rangesChecked += 1
            report.compositionsChecked += ranges[index].count
            progress?(report.compositionsChecked, work)
        }
        if manifest.survivors > 0 { return .notProven(survivors: String(manifest.survivors)) }
        guard report.exhaustive else {
            return .spotChecked(sampled: "re-enumerated \(chosen.count) of \(ranges.count) ranges (\(work) of \(total) compositions, seed \(seed)); every digest, count and listed survivor checked")
        }
        return .verified(target: manifest.target)
    }

    // MARK: Whole-certificate checks

    private func parameters(_ m: CertificateManifest) throws -> PlainClassifier {
        guard m.format == CertificateManifest.formatName, m.formatVersion == CertificateManifest.formatVersion else {
            throw Rejection(reason: "unsupported certificate format '\(m.format)' version \(m.formatVersion)")
        }
        guard m.command == "prove" else { throw Rejection(reason: "not a prove certificate (command '\(m.command)')") }
        guard m.n >= 1, m.n <= 32, m.m >= 1, m.m <= 46_340, m.d == 2 * m.n, m.S == 4 * m.n * m.m, m.S <= 46_340 else {
            throw Rejection(reason: "inconsistent parameters n = \(m.n), m = \(m.m), d = \(m.d), S = \(m.S)")
        }
        guard m.rule == "flat" || m.rule == "refined" else { throw Rejection(reason: "unknown rule '\(m.rule)'") }
        guard m.maxWindow == "d" || m.maxWindow == "2d" else { throw Rejection(reason: "unknown window set '\(m.maxWindow)'") }
        guard let (p, q) = Self.fraction(m.target), p > 0, p < 2 * q, p <= 1_000_000_000_000, q <= 1_000_000_000_000 else {
            throw Rejection(reason: "target '\(m.target)' is not a fraction in (0, 2)")
        }
        return PlainClassifier(n: m.n, m: m.m, refined: m.rule == "refined", maxLength: m.maxWindow == "d" ? m.d : 2 * m.d,
                               targetNumerator: p, targetDenominator: q)
    }

    private func spaceSize(_ m: CertificateManifest) throws -> UInt64 {
        guard let count = PlainCompositions.count(parts: m.d, sum: m.S), count <= UInt128(UInt64.max) else {
            throw Rejection(reason: "n = \(m.n), m = \(m.m) has more compositions than a single level covers")
        }
        guard String(count) == m.totalCompositions else {
            throw Rejection(reason: "total_compositions \(m.totalCompositions) is wrong: C(S+d−1, d−1) = \(count)")
        }
        return UInt64(count)
    }

    /// The ranges, in order, tiling [0, total) exactly.
    private func tiling(_ m: CertificateManifest, total: UInt64) throws -> [(lower: UInt64, upper: UInt64, count: UInt64)] {
        var ranges: [(lower: UInt64, upper: UInt64, count: UInt64)] = []
        var next: UInt64 = 0
        for record in m.ranges {
            guard let lower = UInt64(record.lower), let upper = UInt64(record.upper), lower <= upper, upper <= total else {
                throw Rejection(reason: "malformed range [\(record.lower), \(record.upper))")
            }
            if lower > next { throw Rejection(reason: "ranks [\(next), \(lower)) are not covered by any range") }
            if lower < next { throw Rejection(reason: "range [\(lower), \(upper)) overlaps the range before it") }
            ranges.append((lower, upper, upper - lower))
            next = upper
        }
        guard next == total else { throw Rejection(reason: "ranks [\(next), \(total)) are not covered by any range") }
        return ranges
    }

    /// Each range's counts add up to its size, and the totals are their sums (in 128 bits, so
    /// that no edited count can wrap around).
    private func totals(_ m: CertificateManifest, _ ranges: [(lower: UInt64, upper: UInt64, count: UInt64)]) throws {
        var sums: [UInt128] = [0, 0, 0, 0]
        for (r, range) in zip(m.ranges, ranges) {
            let counts = [r.asymPruned, r.testPruned, r.survivors, r.canonicalSurvivors].map { UInt128($0) }
            guard counts[0] + counts[1] + counts[2] == UInt128(range.count), counts[3] <= counts[2] else {
                throw Rejection(reason: "range [\(range.lower), \(range.upper)): its counts do not add up to its size")
            }
            for i in sums.indices { sums[i] += counts[i] }
        }
        guard sums == [m.asymPruned, m.testPruned, m.survivors, m.canonicalSurvivors].map({ UInt128($0) }) else {
            throw Rejection(reason: "the totals are not the sums of the ranges' counts")
        }
        guard m.proven == (m.survivors == 0) else { throw Rejection(reason: "'proven' contradicts the survivor count") }
    }

    // MARK: Per-range checks

    /// Reads, hashes and decodes one survivor file; checks its header and that its records are
    /// increasing, inside the range, and survivors. Returns the records.
    private func survivorFile(_ record: CertificateManifest.RangeRecord, range: (lower: UInt64, upper: UInt64, count: UInt64),
                              manifest m: CertificateManifest, classifier: PlainClassifier) throws -> [[Int]] {
        let label = "range [\(range.lower), \(range.upper))"
        guard !record.file.isEmpty, !record.file.contains("/"), record.file != ".", record.file != ".." else {
            throw Rejection(reason: "\(label): file name '\(record.file)' is not a plain name inside the certificate")
        }
        guard let data = FileManager.default.contents(atPath: directory + "/" + record.file) else {
            throw Rejection(reason: "\(label): survivor file '\(record.file)' is missing")
        }
        let bytes = [UInt8](data)
        guard SHA256.hex(bytes) == record.sha256.lowercased() else {
            throw Rejection(reason: "\(label): SHA-256 of '\(record.file)' does not match the manifest")
        }
        let header: SurvivorFormat.Header, survivors: [[Int]]
        do {
            (header, survivors) = try SurvivorFormat.decode(bytes)
        } catch {
            throw Rejection(reason: "\(label): \(error)")
        }
        let (p, q) = Self.fraction(m.target)!
        guard header.problem.n == m.n, header.problem.m == m.m, header.problem.rule.rawValue == m.rule,
              header.problem.windows.rawValue == m.maxWindow, header.level == 0,
              Self.reduced(p, q) == Self.reduced(header.target.numerator, header.target.denominator) else {
            throw Rejection(reason: "\(label): the header of '\(record.file)' names other parameters than the manifest")
        }
        guard UInt64(survivors.count) == record.survivors else {
            throw Rejection(reason: "\(label): '\(record.file)' lists \(survivors.count) survivors, the manifest says \(record.survivors)")
        }
        if let first = survivors.first, let last = survivors.last {
            let lowest = PlainCompositions.unrank(range.lower, parts: m.d, sum: m.S)!
            let highest = PlainCompositions.unrank(range.upper - 1, parts: m.d, sum: m.S)!
            guard !PlainCompositions.precedes(first, lowest), !PlainCompositions.precedes(highest, last) else {
                throw Rejection(reason: "\(label): '\(record.file)' lists a composition outside the range")
            }
        }
        for (a, b) in zip(survivors, survivors.dropFirst()) where !PlainCompositions.precedes(a, b) {
            throw Rejection(reason: "\(label): '\(record.file)' is not in strictly increasing rank order at \(b)")
        }
        for c in survivors where classifier.classify(c) != .survivor {
            throw Rejection(reason: "\(label): listed composition \(c) is not a survivor")
        }
        let canonical = survivors.filter(Self.isCanonical).count
        guard UInt64(canonical) == record.canonicalSurvivors else {
            throw Rejection(reason: "\(label): \(canonical) listed survivors are canonical, the manifest says \(record.canonicalSurvivors)")
        }
        return survivors
    }

    /// Re-enumerates the range composition by composition and compares everything.
    private func recount(_ record: CertificateManifest.RangeRecord, range: (lower: UInt64, upper: UInt64, count: UInt64),
                         listed: [[Int]], manifest m: CertificateManifest, classifier: PlainClassifier) throws {
        let label = "range [\(range.lower), \(range.upper))"
        var counts: [Verdict: UInt64] = [.asymmetryPruned: 0, .testPruned: 0, .survivor: 0]
        var next = 0   // index into `listed` of the next survivor expected
        if range.count > 0 {
            var c = PlainCompositions.unrank(range.lower, parts: m.d, sum: m.S)!
            for step in 0..<range.count {
                if step > 0 { _ = PlainCompositions.advance(&c) }
                let verdict = classifier.classify(c)
                counts[verdict]! += 1
                if verdict == .survivor {
                    guard next < listed.count, listed[next] == c else {
                        throw Rejection(reason: "\(label): survivor \(c) is missing from '\(record.file)'")
                    }
                    next += 1
                }
            }
        }
        let found = (counts[.asymmetryPruned]!, counts[.testPruned]!, counts[.survivor]!)
        guard found == (record.asymPruned, record.testPruned, record.survivors) else {
            throw Rejection(reason: "\(label): recomputed counts asym_pruned \(found.0), test_pruned \(found.1), survivors \(found.2) differ from the manifest's \(record.asymPruned), \(record.testPruned), \(record.survivors)")
        }
    }

    // MARK: Small helpers, kept here so the checker depends on nothing it checks

    /// `p/q` or `p` with q > 0.
    static func fraction(_ text: String) -> (Int64, Int64)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let p = Int64(parts[0]) else { return nil }
        let q = parts.count == 2 ? Int64(parts[1]) : 1
        guard let q, q > 0 else { return nil }
        return (p, q)
    }

    static func reduced(_ p: Int64, _ q: Int64) -> [Int64] {
        var (a, b) = (p.magnitude, q.magnitude)
        while b != 0 { (a, b) = (b, a % b) }
        return [p / Int64(a), q / Int64(a)]
    }

    /// c ≤ reverse(c) lexicographically.
    static func isCanonical(_ c: [Int]) -> Bool {
        !c.reversed().lexicographicallyPrecedes(c)
    }
}
