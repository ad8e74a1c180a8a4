import AutoconvCore

/// The self-test of a single-level program (hashcat's habit: run the real kernels on known
/// input before real work), run once per program right after its build, before any job uses it
/// (`ProgramCache`). Any difference from the CPU core stops the run.
///
/// - `evaluate`: the evaluation kernel evaluates a fixed, varied set of compositions and must
///   agree with `Evaluator` on every window sum, test value, certified value, major mass and
///   verdict.
/// - `bound` and `prove`: the bound and prove kernels themselves run, through the jobs' own
///   launch path (`RankLaunches.swift`), on fixed rank ranges (`SearchSelfTest`), and must give
///   the minima, minimisers, counts and survivors that `Evaluator` gives rank by rank.
///
/// `AUTOCONV_SELFTEST_CORRUPT` corrupts expected answers, so tests can check that a failing
/// self-test really stops a run: a value naming one self-test (`evaluate`, `bound`, `prove`, or
/// `children` for `ChildSelfTest`) corrupts that one alone, `level0` the first three, and any
/// other value but "" and "0" all four.
enum SelfTest {
    static let corruptVariable = "AUTOCONV_SELFTEST_CORRUPT"
    static let names = ["evaluate", "bound", "prove", "children"]

    /// Whether `AUTOCONV_SELFTEST_CORRUPT` corrupts the self-test named `name` (one of `names`).
    static func corrupts(_ name: String) -> Bool {
        guard let flag = OpenCLLibrary.environment(corruptVariable), !flag.isEmpty, flag != "0" else { return false }
        if flag == "level0" { return name != "children" }
        return flag == name || !names.contains(flag)
    }

    /// Every self-test of a `.search` program, prove verdicts against `cutoffs`; returns the line
    /// to log, or throws `CoreError.failure` naming the first difference.
    static func run(_ engine: OpenCLEngine, program: ProblemProgram, cutoffs: ProveCutoffs) throws -> String {
        let compositions = try evaluation(OpenCLEvaluator(program: program), cutoffs: cutoffs)
        let ranks = try SearchSelfTest.run(engine, program: program, cutoffs: cutoffs)
        return "self-test passed (\(compositions) compositions; bound and prove kernels on \(ranks) ranks)"
    }

    /// Extremes (all mass in one bin, for every bin), flat and alternating profiles, one-sided
    /// mass (asymmetry), and 48 pseudo-random compositions from a fixed seed.
    static func compositions(for problem: Problem) -> [[Int]] {
        let d = problem.d, S = problem.S, n = problem.n
        var set: [[Int]] = []
        for i in 0..<d {
            var spike = [Int](repeating: 0, count: d)
            spike[i] = S
            set.append(spike)
        }
        set.append([Int](repeating: S / d, count: d))
        set.append((0..<d).map { $0 % 2 == 0 ? 0 : 2 * S / d })
        set.append((0..<d).map { $0 % 2 == 1 ? 0 : 2 * S / d })
        set.append((0..<d).map { $0 < n ? S / n + ($0 < S % n ? 1 : 0) : 0 })
        var random = SplitMix64(seed: 0x5e1f_7e57)
        for round in 0..<48 {
            // d − 1 sorted cut points in [0, S]; every third one only uses the left half.
            let span = round % 3 == 2 ? S / 2 : S
            var cuts = (0..<(d - 1)).map { _ in Int(random.next() % UInt64(span + 1)) }.sorted()
            cuts.append(S)
            var previous = 0
            set.append(cuts.map { cut in defer { previous = cut }; return cut - previous })
        }
        return set
    }

    /// The evaluation kernel's test; returns how many compositions agreed, or throws
    /// `CoreError.failure` naming the first composition and quantity that differ.
    static func evaluation(_ evaluator: OpenCLEvaluator, cutoffs: ProveCutoffs) throws -> Int {
        let problem = evaluator.problem
        let compositions = compositions(for: problem)
        let reference = Evaluator(problem: problem)
        var expected = compositions.map { DeviceEvaluation(expectedFor: $0, evaluator: reference, cutoffs: cutoffs) }
        if corrupts("evaluate") {
            let e = expected[0]
            expected[0] = DeviceEvaluation(windowSums: [e.windowSums[0] + 1] + e.windowSums.dropFirst(), test: e.test,
                                           certified: e.certified, majorMass: e.majorMass, verdict: e.verdict)
        }
        let actual = try evaluator.evaluate(compositions, cutoffs: cutoffs)
        let windows = problem.windowList
        for (i, c) in compositions.enumerated() where actual[i] != expected[i] {
            let device = actual[i], cpu = expected[i]
            let what: String
            if let w = windows.indices.first(where: { device.windowSums[$0] != cpu.windowSums[$0] }) {
                what = "window (ℓ=\(windows[w].length), s=\(windows[w].start)) sum: device \(device.windowSums[w]), CPU \(cpu.windowSums[w])"
            } else if device.test != cpu.test {
                what = "test value: device \(device.test), CPU \(cpu.test)"
            } else if device.certified != cpu.certified {
                what = "certified value: device \(device.certified), CPU \(cpu.certified)"
            } else if device.majorMass != cpu.majorMass {
                what = "major mass: device \(device.majorMass), CPU \(cpu.majorMass)"
            } else {
                what = "verdict: device \(device.verdict), CPU \(cpu.verdict)"
            }
            throw CoreError.failure("OpenCL self-test failed on \(evaluator.device.summary): composition \(c): \(what)")
        }
        return compositions.count
    }
}
