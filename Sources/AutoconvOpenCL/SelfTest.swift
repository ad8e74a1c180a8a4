import AutoconvCore

/// The self-test that runs before every OpenCL job (hashcat's habit): the device evaluates a
/// fixed, varied set of compositions and must agree with the CPU core on every window sum,
/// test value, certified value, major mass and verdict. Any difference stops the run.
///
/// Setting `AUTOCONV_SELFTEST_CORRUPT` to a non-empty value other than `0` corrupts one
/// expected window sum, so tests can check that a failing self-test really stops a run.
enum SelfTest {
    static let corruptVariable = "AUTOCONV_SELFTEST_CORRUPT"

    /// Whether `AUTOCONV_SELFTEST_CORRUPT` corrupts the self-test named `name` ("level0" here,
    /// "children" in `ChildSelfTest`): a value naming one self-test corrupts that one alone,
    /// any other value but "" and "0" corrupts both.
    static func corrupts(_ name: String) -> Bool {
        guard let flag = OpenCLLibrary.environment(corruptVariable), !flag.isEmpty, flag != "0" else { return false }
        return flag == name || !["level0", "children"].contains(flag)
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

    /// Runs the test; returns how many compositions agreed, or throws `CoreError.failure`
    /// naming the first composition and quantity that differ.
    @discardableResult
    static func run(_ evaluator: OpenCLEvaluator, cutoffs: ProveCutoffs) throws -> Int {
        let problem = evaluator.problem
        let compositions = compositions(for: problem)
        let reference = Evaluator(problem: problem)
        var expected = compositions.map { DeviceEvaluation(expectedFor: $0, evaluator: reference, cutoffs: cutoffs) }
        if corrupts("level0") {
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

/// A small, fixed-seed generator (Steele, Lea, Flood 2014): the self-test set is the same on
/// every run and every machine.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
