import AutoconvCore

/// The independent checker of a cascade run directory (`autoconv verify RUN_DIR`).
///
/// It reads the parameters from the directory's sealed manifest and state, then re-checks every
/// finished level with `PlainCompositions`, `PlainChildren` and `PlainClassifier` (method.md §3
/// and §5, none of the engines' code), streaming the sorted survivor files and binary-searching
/// them. It takes none of the state's counts on trust:
///
/// - the certificate (`CascadeCertificateFile`), last: every result file listed, none added, each
///   with its SHA-256;
/// - shards (`CascadeShardRecords`): a level computed in shards has all of them, done, each
///   covering its part, and its ledger is theirs joined;
/// - coverage (`CascadeCoverage`), always in full: the level's ledger tiles all of its ranks or
///   parents, its children are the exact number of relaxed children of those parents, its
///   survivors are the file's records from each range, and its sums are the state's counts;
/// - level 0: the plain survivors of all compositions at (n0, m) are exactly the file's records
///   (exhaustive up to `exhaustiveLimit` compositions, else `sample` random ranks checked both
///   ways: survivor ⇔ listed);
/// - level L ≥ 1, (a): every record's parent (recovered from its prefix parities) is a record of
///   level L−1 — always for every record — and the record is a plain survivor (every record up
///   to `exhaustiveLimit` records, else `sample` random ones);
/// - level L ≥ 1, (b): for a parent, the plain-surviving children are exactly its children in
///   level L's file (all children enumerated when at most `parentChildLimit`, else `sample`
///   random ones checked survivor ⇒ listed). All parents are checked when they have at most
///   `exhaustiveLimit` children together and each is small; else up to `sample` random parents,
///   until their enumerated children pass `exhaustiveLimit`.
///
/// The verdict (`CheckVerdict`): `verified` when every check was exhaustive, the family is
/// relaxed and the last level's file is empty (the state saying `proven`); `spotChecked` when
/// the same holds as far as sampled; `notProven` for a consistent run whose final level still
/// has survivors; `notVerified` for anything else — an unsound family, an unfinished run, or a
/// damaged, missing, inconsistent or edited file.
public struct CascadeVerifier {
    /// What was checked at one level.
    public struct LevelReport: Equatable, Sendable {
        public var level: Int
        public var d: Int
        /// Records in the level's file.
        public var records: UInt64 = 0
        /// Level 0: compositions in the space. Level ≥ 1: parents (records of level L−1).
        public var space: UInt64 = 0
        /// Level 0: compositions classified. Level ≥ 1: parents whose children were checked.
        public var spaceChecked: UInt64 = 0
        /// Records classified (each record's parent is always checked).
        public var recordsClassified: UInt64 = 0
        /// Children classified, over all checked parents (level ≥ 1).
        public var childrenClassified: UInt64 = 0
        /// Checked parents whose children were sampled rather than enumerated.
        public var parentsSampled: UInt64 = 0
        /// Ledger entries whose coverage and counts were recounted (all of them).
        public var ledgerEntries: Int = 0
        /// Shards the level was computed in (`CascadeShardRecords`), 0 when computed whole.
        public var shards: Int = 0
        /// The sampling used at this level, empty when every check was exhaustive.
        public var sampling: [String] = []

        public var exhaustive: Bool { sampling.isEmpty }
    }

    public struct Report: Sendable {
        public var verdict: CheckVerdict
        public var n0 = 0, m = 0
        public var target = "", rule = "", maxWindow = "", family = ""
        /// The kernel hash the run's certificate records (empty until it is checked).
        public var kernelHash = ""
        public var levels: [LevelReport] = []

        /// Whether every check of every level was exhaustive.
        public var exhaustive: Bool { !levels.isEmpty && levels.allSatisfy(\.exhaustive) }
    }

    /// Compositions, records or children classified exhaustively at one level at most.
    public static let exhaustiveLimit: UInt64 = 5_000_000
    /// A parent with more children than this has its children sampled.
    public static let parentChildLimit: UInt64 = 200_000

    public let directory: String
    let exhaustiveLimit: UInt64
    let parentChildLimit: UInt64

    public init(directory: String) {
        self.init(directory: directory, exhaustiveLimit: Self.exhaustiveLimit, parentChildLimit: Self.parentChildLimit)
    }

    /// With other limits, so that tests can make small runs sample.
    init(directory: String, exhaustiveLimit: UInt64, parentChildLimit: UInt64) {
        self.directory = directory
        self.exhaustiveLimit = exhaustiveLimit
        self.parentChildLimit = parentChildLimit
    }

    /// Whether `directory` holds a cascade run rather than a prove certificate.
    public static func isRunDirectory(_ directory: String) -> Bool {
        CascadeRunFiles.isRunDirectory(directory)
    }

    /// Checks the run. `sample` (default 1000) is the size of every random sample taken where a
    /// check is too large to be exhaustive; `log` sees one line per step. Every defect, a file
    /// that cannot be read included, ends in the report's verdict.
    ///
    /// With `part` r/M, only part r of each expensive re-derivation is done (ranks or parents, and
    /// records, in the pieces `RankRange.piece` gives; its exhaustive limits apply to the piece),
    /// while every cheap check (files, ledgers, coverage, certificate) is done whole; the verdict is
    /// then `partChecked`, and `merge` joins the M parts (`CascadeVerifyParts`).
    public func verify(sample: Int = 1000, seed: UInt64 = 0, part: Shard? = nil, log: (String) -> Void = { _ in }) -> Report {
        var report = Report(verdict: .notVerified(reason: "not checked"))
        do {
            try check(&report, sample: sample, seed: seed, part: part, log: log)
        } catch let rejection as Verifier.Rejection {
            report.verdict = .notVerified(reason: rejection.reason)
        } catch {
            report.verdict = .notVerified(reason: "\(error)")
        }
        return report
    }

    /// Part `part`'s share of `n` things, all of them without a part.
    static func share(_ n: UInt64, _ part: Shard?) -> Range<UInt64> {
        let piece = RankRange(0, n).piece(part?.index ?? 0, of: part?.count ?? 1)
        return piece.lower..<piece.upper
    }

    private func check(_ report: inout Report, sample: Int, seed: UInt64, part: Shard?, log: (String) -> Void) throws {
        let files = try CascadeRunFiles.read(directory: directory)
        (report.n0, report.m, report.target) = (files.n0, files.m, files.target)
        (report.rule, report.maxWindow, report.family) = (files.rule, files.maxWindow, files.family)
        let (p, q) = try parameters(files)
        log("cascade run: n0=\(files.n0) m=\(files.m) target=\(files.target) rule=\(files.rule) max-window=\(files.maxWindow) children=\(files.family) levels 0…\(files.finalLevel), \(files.finished.count) finished levels")
        guard files.family == "relaxed" else {
            throw Verifier.Rejection(reason: "children '\(files.family)' is not the sound relaxed family (method.md §5): not a proof")
        }
        guard !files.finished.isEmpty else { throw Verifier.Rejection(reason: "no level is finished") }
        // Each part draws its own samples.
        var generator = SplitMix64(seed: part.map { seed &+ UInt64($0.index) &* 0x9E37_79B9_7F4A_7C15 } ?? seed)
        var previous: SortedSurvivorFile?
        for (index, summary) in files.finished.enumerated() {
            let n = files.n0 << index
            guard summary.level == index, summary.d == 2 * n else {
                throw Verifier.Rejection(reason: "the state's finished levels are not 0, 1, … with d = 2·n0·2^level")
            }
            let classifier = PlainClassifier(n: n, m: files.m, refined: files.rule == "refined",
                                             maxLength: files.maxWindow == "d" ? 2 * n : 4 * n, targetNumerator: p, targetDenominator: q)
            let file = try SortedSurvivorFile(path: "\(directory)/level-\(index).surv")
            guard file.header.problem.n == n, file.header.problem.m == files.m, file.header.problem.rule.rawValue == files.rule,
                  file.header.problem.windows.rawValue == files.maxWindow, file.header.level == index,
                  Verifier.reduced(file.header.target.numerator, file.header.target.denominator) == Verifier.reduced(p, q) else {
                throw Verifier.Rejection(reason: "'\(file.path)' names other parameters than the run's manifest")
            }
            guard UInt128(file.count) == summary.counts.survivors else {
                throw Verifier.Rejection(reason: "'\(file.path)' lists \(file.count) survivors, the state says \(summary.counts.survivors)")
            }
            let levelLedger = try ledger(index, files)
            let space = try previous?.count ?? compositions(classifier)
            var coverage = try CascadeCoverage(ledger: levelLedger, level: index, space: space)
            var level = LevelReport(level: index, d: 2 * n)
            level.shards = try CascadeShardRecords.check(directory: directory, level: index, space: space, ledger: levelLedger)
            level.records = file.count
            level.ledgerEntries = coverage.ledger.entries.count
            if let previous {
                try checkChildLevel(file, parents: previous, classifier: classifier, sample: sample, generator: &generator,
                                    report: &level, coverage: &coverage, part: part)
            } else {
                try checkFirstLevel(file, classifier: classifier, sample: sample, generator: &generator, report: &level, part: part)
                try countFirstLevelSurvivors(file, classifier: classifier, coverage: &coverage)
            }
            try coverage.compare(claimed: summary.counts)
            log("level \(index) (d = \(2 * n)): \(file.count) survivors checked" + (level.exhaustive ? " exhaustively" : "; sampled: " + level.sampling.joined(separator: "; ")) + "; \(level.ledgerEntries) ledger entries cover every \(index == 0 ? "rank" : "parent")"
                + (level.shards > 0 ? ", from \(level.shards) shards whose records agree" : ""))
            report.levels.append(level)
            previous = file
        }
        if files.outcome != "running" {
            report.kernelHash = try CascadeCertificateFile.check(directory: directory, files: files)
            log("certificate: every result file matches its SHA-256 (kernel hash \(report.kernelHash))")
        }
        let sampled = report.levels.filter { !$0.exhaustive }.map { "level \($0.level): " + $0.sampling.joined(separator: ", ") }
            .joined(separator: "; ")
        guard let part else {
            report.verdict = try Self.verdict(files, sampled: sampled.isEmpty ? "" : sampled + " (seed \(seed))", log: log)
            return
        }
        // The outcome must still be consistent, but a part says nothing of what follows from it.
        _ = try Self.verdict(files, sampled: sampled, log: { _ in })
        log("part \(part): every check of this part passed")
        report.verdict = .partChecked(part: part.description, sampled: sampled)
    }

    /// The verdict on a finished run whose every check passed, `sampled` saying what was only
    /// sampled (empty when everything was exhaustive).
    static func verdict(_ files: CascadeRunFiles, sampled: String, log: (String) -> Void) throws -> CheckVerdict {
        let last = files.finished.last!
        switch files.outcome {
        case "proven":
            guard last.counts.survivors == 0 else {
                throw Verifier.Rejection(reason: "the state's outcome is 'proven', but \(last.counts.survivors) survivors remain at d = \(last.d)")
            }
            if sampled.isEmpty {
                log("result: no composition survives at d = \(last.d), so C >= \(files.target) (method.md §5)")
                return .verified(target: files.target)
            }
            // Sampled: no bound may be stated, only what was checked.
            log("result: the last level (d = \(last.d)) is empty, and every sampled check agreed")
            return .spotChecked(sampled: sampled)
        case "not-proven":
            guard files.finished.count == files.finalLevel + 1, last.counts.survivors > 0 else {
                throw Verifier.Rejection(reason: "the state's outcome is 'not-proven' at level \(last.level), which is not the final level \(files.finalLevel) with survivors")
            }
            log("result: \(last.counts.survivors) survivors remain at the final level (d = \(last.d))")
            return .notProven(survivors: "\(last.counts.survivors)")
        default:
            throw Verifier.Rejection(reason: "the run is unfinished (level \(files.level) at position \(files.position)), so it proves nothing yet")
        }
    }

    /// Level `index`'s ledger, which must be the one the state counted.
    private func ledger(_ index: Int, _ files: CascadeRunFiles) throws -> CascadeLedgerFile {
        guard index < files.ledgers.count, files.ledgers[index].level == index else {
            throw Verifier.Rejection(reason: "the state has no ledger line for level \(index)")
        }
        let ledger = try CascadeLedgerFile.read(path: "\(directory)/level-\(index).ledger", level: index)
        guard ledger.entries.count == files.ledgers[index].entries, ledger.link == files.ledgers[index].link else {
            throw Verifier.Rejection(reason: "ledger '\(ledger.path)' has \(ledger.entries.count) entries, not the \(files.ledgers[index].entries) the state counted, or other ones")
        }
        return ledger
    }

    // MARK: Parameters

    private func parameters(_ files: CascadeRunFiles) throws -> (Int64, Int64) {
        guard files.n0 >= 1, files.m >= 1, files.m <= 46_340, files.finalLevel >= 0, files.finalLevel <= 6,
              2 * (files.n0 << files.finalLevel) <= 64, 4 * (files.n0 << files.finalLevel) * files.m <= 46_340 else {
            throw Verifier.Rejection(reason: "inconsistent parameters n0 = \(files.n0), m = \(files.m), final level \(files.finalLevel)")
        }
        guard files.rule == "flat" || files.rule == "refined" else { throw Verifier.Rejection(reason: "unknown rule '\(files.rule)'") }
        guard files.maxWindow == "d" || files.maxWindow == "2d" else {
            throw Verifier.Rejection(reason: "unknown window set '\(files.maxWindow)'")
        }
        guard files.finished.count <= files.finalLevel + 1 else {
            throw Verifier.Rejection(reason: "the state lists more levels than the manifest allows")
        }
        guard let (p, q) = Verifier.fraction(files.target), p > 0, p < 2 * q, p <= 1_000_000_000_000, q <= 1_000_000_000_000 else {
            throw Verifier.Rejection(reason: "target '\(files.target)' is not a fraction in (0, 2)")
        }
        return (p, q)
    }

    /// The number of compositions at level 0.
    private func compositions(_ classifier: PlainClassifier) throws -> UInt64 {
        guard let total = PlainCompositions.count(parts: classifier.d, sum: classifier.S), total <= UInt128(UInt64.max) else {
            throw Verifier.Rejection(reason: "level 0 (d = \(classifier.d), S = \(classifier.S)) has more compositions than a single level covers")
        }
        return UInt64(total)
    }

    // MARK: Level 0

    private func checkFirstLevel(_ file: SortedSurvivorFile, classifier: PlainClassifier, sample: Int,
                                 generator: inout SplitMix64, report: inout LevelReport, part: Shard?) throws {
        let (d, S) = (classifier.d, classifier.S)
        report.space = try compositions(classifier)
        let ranks = Self.share(report.space, part)
        if UInt64(ranks.count) <= exhaustiveLimit {
            // Both orders are lexicographic, so the plain survivors of the ranks and the file's
            // records from the ranks' first composition on merge in one pass.
            try file.forEach { _, _ in }   // checks sums and order once
            guard !ranks.isEmpty else { return }
            var c = PlainCompositions.unrank(ranks.lowerBound, parts: d, sum: S)!
            var fileIndex = try file.lowerBound(of: c)
            var matched: UInt64 = 0
            func nextListed() throws -> [Int]? {
                guard fileIndex < file.count else { return nil }
                fileIndex += 1
                return try file.record(at: fileIndex - 1)
            }
            var pending = try nextListed()
            for rank in ranks {
                if classifier.classify(c) == .survivor {
                    guard let r = pending, r == c else {
                        if let r = pending, r.lexicographicallyPrecedes(c) {
                            throw Verifier.Rejection(reason: "level 0 lists \(r), which is not a plain survivor")
                        }
                        throw Verifier.Rejection(reason: "level 0 survivor \(c) is missing from '\(file.path)'")
                    }
                    pending = try nextListed()
                    matched += 1
                }
                report.spaceChecked += 1
                if rank + 1 < ranks.upperBound { _ = PlainCompositions.advance(&c) }
            }
            // A record left before the next part's first composition is no plain survivor.
            if let r = pending, ranks.upperBound == report.space
                || r.lexicographicallyPrecedes(PlainCompositions.unrank(ranks.upperBound, parts: d, sum: S)!) {
                throw Verifier.Rejection(reason: "level 0 lists \(r), which is not a plain survivor")
            }
            report.recordsClassified = matched
            return
        }
        var noTally: [[Int]: UInt64] = [:]
        try checkRecords(file, classifier: classifier, sample: sample, generator: &generator, report: &report,
                         parents: nil, tally: &noTally, part: part) { _ in }
        for _ in 0..<(ranks.isEmpty ? 0 : sample) {
            let rank = UInt64.random(in: ranks, using: &generator)
            let c = PlainCompositions.unrank(rank, parts: d, sum: S)!
            let survives = classifier.classify(c) == .survivor
            guard survives == (try file.contains(c)) else {
                throw Verifier.Rejection(reason: survives ? "level 0 survivor \(c) (rank \(rank)) is missing from '\(file.path)'"
                                                          : "level 0 lists \(c) (rank \(rank)), which is not a plain survivor")
            }
            report.spaceChecked += 1
        }
        report.sampling.append("\(sample) of \(ranks.count) compositions at random ranks")
    }

    /// Counts level 0's records per ledger entry: the records are in rank order, and the records
    /// of an entry [first, end) are those from the composition of rank `first` up to (without)
    /// the next entry's first composition.
    private func countFirstLevelSurvivors(_ file: SortedSurvivorFile, classifier: PlainClassifier,
                                          coverage: inout CascadeCoverage) throws {
        let entries = coverage.ledger.entries
        let starts = entries.map { PlainCompositions.unrank($0.first, parts: classifier.d, sum: classifier.S)! }
        var j = 0
        try file.forEach { _, c in
            while j + 1 < entries.count && !c.lexicographicallyPrecedes(starts[j + 1]) { j += 1 }
            coverage.addSurvivor(at: entries[j].first)
        }
    }

    // MARK: Levels ≥ 1

    /// Streams `file` once: order and sums (in `forEach`), every record's parent listed in
    /// `parents` (when given; `onParent` sees its index), `tally` counting records per parent of
    /// interest, and the plain verdict of every record of the part, or of `sample` random ones
    /// past `exhaustiveLimit` (said in the report's sampling).
    private func checkRecords(_ file: SortedSurvivorFile, classifier: PlainClassifier, sample: Int, generator: inout SplitMix64,
                              report: inout LevelReport, parents: SortedSurvivorFile?, tally: inout [[Int]: UInt64], part: Shard?,
                              onParent: (_ index: UInt64) -> Void) throws {
        let mine = Self.share(file.count, part)
        var chosen: Set<UInt64>?
        if UInt64(mine.count) > exhaustiveLimit {
            chosen = Set(Self.randomIndices(sample, below: UInt64(mine.count), generator: &generator).map { $0 + mine.lowerBound })
        }
        var classified: UInt64 = 0
        let level = report.level
        try file.forEach { index, c in
            if let parents {
                let t = PlainChildren.parent(of: c)
                guard let parentIndex = try parents.index(of: t) else {
                    throw Verifier.Rejection(reason: "level \(level) lists \(c), whose parent \(t) is not a survivor of level \(level - 1)")
                }
                onParent(parentIndex)
                tally[t]? += 1
            }
            if mine.contains(index) && chosen?.contains(index) ?? true {
                guard classifier.classify(c) == .survivor else {
                    throw Verifier.Rejection(reason: "level \(level) lists \(c), which is not a plain survivor")
                }
                classified += 1
            }
        }
        report.recordsClassified = classified
        if classified < mine.count { report.sampling.append("\(classified) of \(mine.count) records classified") }
    }

    private func checkChildLevel(_ file: SortedSurvivorFile, parents: SortedSurvivorFile, classifier: PlainClassifier, sample: Int,
                                 generator: inout SplitMix64, report: inout LevelReport, coverage: inout CascadeCoverage, part: Shard?) throws {
        report.space = parents.count
        let mine = Self.share(parents.count, part)
        let cap: UInt64 = 1 << 40
        var totalChildren: UInt64 = 0
        var allSmall = true
        try parents.forEach { index, t in
            guard let exact = PlainChildren.count(of: t) else {
                throw Verifier.Rejection(reason: "level \(report.level - 1) lists \(t), which has 2^128 children or more")
            }
            try coverage.addChildren(exact, ofParent: index)
            guard mine.contains(index) else { return }
            let k = exact < UInt128(cap) ? UInt64(exact) : cap
            totalChildren = min(cap, totalChildren + k)
            if k > parentChildLimit { allSmall = false }
        }
        let allParents = allSmall && totalChildren <= exhaustiveLimit
        // Parents to check, in the order they are checked; their records are tallied in the
        // stream so that each one's enumerated survivors can be matched exactly.
        var order: [UInt64]
        var tally: [[Int]: UInt64] = [:]
        if allParents {
            order = Array(mine)
        } else {
            order = Self.randomIndices(sample, below: UInt64(mine.count), generator: &generator).map { $0 + mine.lowerBound }.sorted()
            order.shuffle(using: &generator)
            for i in order { tally[try parents.record(at: i)] = 0 }
        }
        try checkRecords(file, classifier: classifier, sample: sample, generator: &generator,
                         report: &report, parents: parents, tally: &tally, part: part) { coverage.addSurvivor(at: $0) }

        for i in order {
            if !allParents && report.childrenClassified >= exhaustiveLimit { break }
            let t = try parents.record(at: i)
            let k = PlainChildren.count(of: t, cappedAt: cap)
            report.spaceChecked += 1
            if k <= parentChildLimit {
                var survivors: UInt64 = 0
                var missing: [Int]?
                var failure: Error?
                PlainChildren.forEach(of: t) { u in
                    guard classifier.classify(u) == .survivor else { return }
                    survivors += 1
                    guard missing == nil, failure == nil else { return }
                    do {
                        if try !file.contains(u) { missing = u }
                    } catch {
                        failure = error
                    }
                }
                if let failure { throw failure }
                report.childrenClassified += k
                if let missing {
                    throw Verifier.Rejection(reason: "level \(report.level) survivor \(missing), a child of \(t), is missing from '\(file.path)'")
                }
                // With every record's parent checked above, the plain survivors of t lie in the file; an
                // equal count leaves no room for a listed child of t that is not one of them.
                if let listed = tally[t], listed != survivors {
                    throw Verifier.Rejection(reason: "level \(report.level) lists \(listed) children of \(t), but \(survivors) of its children survive")
                }
            } else {
                report.parentsSampled += 1
                for _ in 0..<sample {
                    let u = PlainChildren.random(of: t, using: &generator)
                    report.childrenClassified += 1
                    if classifier.classify(u) == .survivor, try !file.contains(u) {
                        throw Verifier.Rejection(reason: "level \(report.level) survivor \(u), a child of \(t), is missing from '\(file.path)'")
                    }
                }
            }
        }
        if report.spaceChecked < mine.count {
            report.sampling.append("\(report.spaceChecked) of \(mine.count) parents chosen at random (\(totalChildren == cap ? "over 2^40" : "\(totalChildren)") children in all)")
        }
        if report.parentsSampled > 0 {
            report.sampling.append("\(report.parentsSampled) parents with over \(parentChildLimit) children: \(sample) random children each (patterns left to right, then uniform splits), survivor ⇒ listed")
        }
    }

    /// `k` distinct random indices below `n` (all of them when k ≥ n).
    static func randomIndices(_ k: Int, below n: UInt64, generator: inout SplitMix64) -> Set<UInt64> {
        if UInt64(k) >= n { return Set(0..<n) }
        var chosen = Set<UInt64>()
        while chosen.count < k { chosen.insert(UInt64.random(in: 0..<n, using: &generator)) }
        return chosen
    }
}
