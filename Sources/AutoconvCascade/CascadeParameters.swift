import AutoconvCore

/// What defines a cascade run: two runs with equal parameters give identical counts.
public struct CascadeParameters: Equatable, Sendable {
    public let n0: Int
    public let m: Int
    public let target: Fraction
    public let rule: Rule
    public let windows: WindowSet
    public let family: ChildFamily
    /// The last level: levels 0 … finalLevel, with d = 2·n0·2^level.
    public let finalLevel: Int

    public init(n0: Int, m: Int, target: Fraction, rule: Rule, windows: WindowSet, family: ChildFamily, finalLevel: Int) {
        self.n0 = n0
        self.m = m
        self.target = target
        self.rule = rule
        self.windows = windows
        self.family = family
        self.finalLevel = finalLevel
    }

    /// The problem of every level, validated up front: a level past `Problem.maxD` or
    /// `Problem.maxS` is a one-line `badInput` naming it.
    public func problems() throws -> [Problem] {
        guard finalLevel >= 0 else { throw CoreError.badInput("levels must be at least 0 (got \(finalLevel))") }
        var problems: [Problem] = []
        var n = n0
        for level in 0...finalLevel {
            do {
                problems.append(try Problem(n: n, m: m, rule: rule, windows: windows))
            } catch CoreError.badInput(let message) {
                throw CoreError.badInput("cascade level \(level) (d = \(2 * n)): \(message)")
            }
            n *= 2
        }
        return problems
    }

    /// The deepest level that stays within `Problem.maxD` and `Problem.maxS` (the default limit).
    public static func deepestLevel(n0: Int, m: Int) -> Int {
        var level = 0, n = n0
        while 2 * (2 * n) <= Problem.maxD && 4 * (2 * n) * m <= Problem.maxS {
            level += 1
            n *= 2
        }
        return level
    }

    /// The level whose d is `maxD`, or a `badInput` if no level has that d.
    public static func level(forMaxD maxD: Int, n0: Int) throws -> Int {
        var level = 0, d = 2 * n0
        while d < maxD && d <= Problem.maxD {
            level += 1
            d *= 2
        }
        guard d == maxD else {
            throw CoreError.badInput("max-d \(maxD) is not 2·n·2^k for n = \(n0) (the levels have d = \(2 * n0), \(4 * n0), \(8 * n0), …)")
        }
        return level
    }

    /// Key/value lines for the run directory's manifest (see `RunDirectory`).
    var manifestLines: [(String, String)] {
        [("n0", "\(n0)"), ("m", "\(m)"), ("target", target.description), ("rule", rule.rawValue),
         ("max-window", windows.rawValue), ("children", family.rawValue), ("final-level", "\(finalLevel)")]
    }

    init?(manifest: [String: String]) {
        guard let n0 = manifest["n0"].flatMap({ Int($0) }), let m = manifest["m"].flatMap({ Int($0) }),
              let target = manifest["target"].flatMap({ try? TargetParser.parse($0) }),
              let rule = manifest["rule"].flatMap({ Rule(rawValue: $0) }),
              let windows = manifest["max-window"].flatMap({ WindowSet(rawValue: $0) }),
              let family = manifest["children"].flatMap({ ChildFamily(rawValue: $0) }),
              let finalLevel = manifest["final-level"].flatMap({ Int($0) }) else { return nil }
        self.init(n0: n0, m: m, target: target, rule: rule, windows: windows, family: family, finalLevel: finalLevel)
    }
}

/// The report of one finished level (method.md §3 counting convention, per child).
@dynamicMemberLookup
public struct LevelSummary: Equatable, Sendable {
    public var level: Int
    public var d: Int
    /// The level's counts, summed over its batches. At level 0, which enumerates every
    /// composition, `parents`, `patterns` and `patternsPruned` stay 0 and `children` counts
    /// compositions. Every child has one parent, so children and survivors (kept with their
    /// orientation) are distinct.
    public var counts = ChildCounts()
    /// Distinct survivors up to reversal.
    public var canonicalSurvivors: UInt128 = 0
    /// Wall-clock seconds over all sessions that worked on the level.
    public var seconds: Double = 0
    /// Size of the level's survivor file.
    public var fileBytes: UInt64 = 0

    public init(level: Int, d: Int) {
        self.level = level
        self.d = d
    }

    /// The fields of `counts` read and write as the summary's own: `summary.survivors` is
    /// `summary.counts.survivors`.
    public subscript<Value>(dynamicMember field: WritableKeyPath<ChildCounts, Value>) -> Value {
        get { counts[keyPath: field] }
        set { counts[keyPath: field] = newValue }
    }

    /// The run directory's state line (`RunDirectory`): this order is the on-disk format.
    var fields: [String] {
        ["\(level)", "\(d)", "\(counts.parents)", "\(counts.patterns)", "\(counts.patternsPruned)", "\(counts.children)",
         "\(counts.asymmetryPruned)", "\(counts.testPruned)", "\(counts.survivors)", "\(canonicalSurvivors)", "\(seconds)",
         "\(fileBytes)"]
    }

    init?(fields: [Substring]) {
        guard fields.count == 12, let level = Int(fields[0]), let d = Int(fields[1]) else { return nil }
        self.init(level: level, d: d)
        var big: [UInt128] = []
        for f in fields[2...9] {
            guard let v = UInt128(f) else { return nil }
            big.append(v)
        }
        (counts.parents, counts.patterns, counts.patternsPruned, counts.children) = (big[0], big[1], big[2], big[3])
        (counts.asymmetryPruned, counts.testPruned, counts.survivors, canonicalSurvivors) = (big[4], big[5], big[6], big[7])
        guard let seconds = Double(fields[10]), let bytes = UInt64(fields[11]) else { return nil }
        self.seconds = seconds
        fileBytes = bytes
    }
}
