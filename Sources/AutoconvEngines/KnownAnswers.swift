import AutoconvCore

/// Known answers from `values.json` (../shared/reference: two independent exhaustive
/// enumerators agree on them), embedded so that `autoconv selftest` runs from any folder.
/// `KnownAnswersTests` checks every entry against the file, so the two cannot drift apart.
/// The set is small on purpose: every case runs in well under a second on one CPU core, and on
/// an OpenCL device the kernel builds dominate.
public enum KnownAnswers {
    /// b_{n,m}: the smallest test value over all compositions (`bound`'s `min_test`).
    public struct MinTest: Sendable, CustomStringConvertible {
        public let n: Int, m: Int
        public let windows: WindowSet
        public let value: Fraction

        public var description: String { "bound n=\(n) m=\(m) max-window=\(windows.rawValue)" }
    }

    /// Prove-mode counts (every composition, reverses included; asymmetry first).
    public struct ProveCase: Sendable, CustomStringConvertible {
        public let n: Int, m: Int
        public let target: Fraction
        public let rule: Rule
        public let windows: WindowSet
        public let asymmetryPruned: UInt64, testPruned: UInt64, survivors: UInt64

        public var description: String {
            "prove n=\(n) m=\(m) target=\(target) rule=\(rule.rawValue) max-window=\(windows.rawValue)"
        }
    }

    public static let minTests: [MinTest] = [
        MinTest(n: 2, m: 10, windows: .d, value: Fraction(3517, 3200)),
        MinTest(n: 2, m: 10, windows: .twoD, value: Fraction(3551, 3200)),
        MinTest(n: 3, m: 3, windows: .d, value: Fraction(127, 108)),
        MinTest(n: 3, m: 3, windows: .twoD, value: Fraction(85, 72)),
    ]

    public static let proveCases: [ProveCase] = [
        ProveCase(n: 2, m: 10, target: Fraction(1), rule: .flat, windows: .d,
                  asymmetryPruned: 33902, testPruned: 51757, survivors: 6222),
        ProveCase(n: 2, m: 10, target: Fraction(1), rule: .refined, windows: .d,
                  asymmetryPruned: 33902, testPruned: 57317, survivors: 662),
        ProveCase(n: 2, m: 20, target: Fraction(105, 100), rule: .refined, windows: .d,
                  asymmetryPruned: 251636, testPruned: 456468, survivors: 457),
    ]
}

/// One known answer checked on one engine.
public struct KnownAnswerResult: Sendable {
    public let engine: String
    public let check: String
    /// nil when the engine gave the known answer; else what it gave instead.
    public let mismatch: String?

    public init(engine: String, check: String, mismatch: String?) {
        self.engine = engine
        self.check = check
        self.mismatch = mismatch
    }
}

extension KnownAnswers {
    /// Runs every known answer on `engine`, in order; an engine that throws fails that check
    /// (with the error), and the others still run.
    public static func check(_ engine: Engine, report: (KnownAnswerResult) -> Void) {
        let name = "\(engine.name): \(engine.deviceDescription)"
        func run(_ check: CustomStringConvertible, _ body: () throws -> String?) {
            let mismatch: String?
            do { mismatch = try body() } catch { mismatch = "error: \(error)" }
            report(KnownAnswerResult(engine: name, check: check.description, mismatch: mismatch))
        }
        for known in minTests {
            run(known) {
                let problem = try Problem(n: known.n, m: known.m, rule: .refined, windows: known.windows)
                let result = try engine.bound(try Job(problem: problem), progress: nil)
                guard let min = result.minTest else { return "no minimum" }
                // The minimiser must really have the value it is reported with.
                let recomputed = Evaluator(problem: problem).testValue(min.composition)
                if min.value != known.value || recomputed != known.value {
                    return "min_test \(min.value) (its minimiser evaluates to \(recomputed)), known \(known.value)"
                }
                return nil
            }
        }
        for known in proveCases {
            run(known) {
                let problem = try Problem(n: known.n, m: known.m, rule: known.rule, windows: known.windows)
                let counts = try engine.prove(try Job(problem: problem), cutoffs: ProveCutoffs(problem: problem, target: known.target),
                                              survivors: nil, progress: nil)
                let got = (counts.asymmetryPruned, counts.testPruned, counts.survivors)
                let want = (known.asymmetryPruned, known.testPruned, known.survivors)
                return got == want ? nil : "asym/test/survivors \(got.0)/\(got.1)/\(got.2), known \(want.0)/\(want.1)/\(want.2)"
            }
        }
    }
}
