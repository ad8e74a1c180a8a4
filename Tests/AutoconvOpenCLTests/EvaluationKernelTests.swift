import AutoconvCore
import AutoconvOpenCL
import Testing
import TestSupport

/// The per-composition kernel against `AutoconvCore.Evaluator`, field by field.
@Suite struct EvaluationKernelTests {
    /// Random compositions with zeros, spikes and near-flat profiles: d − 1 sorted cut points.
    static func randomCompositions(d: Int, S: Int, count: Int, using random: inout SeededGenerator) -> [[Int]] {
        (0..<count).map { round in
            // Every fourth composition crowds its mass into a few bins, making zeros and spikes.
            let span = round % 4 == 3 ? max(1, S / 8) : S
            var cuts = (0..<(d - 1)).map { _ in Int.random(in: 0...span, using: &random) + (round % 4 == 3 ? S - span : 0) }
            cuts.sort()
            cuts.append(S)
            var previous = 0
            return cuts.map { cut in defer { previous = cut }; return cut - previous }
        }
    }

    /// Every d from 2 to 16 (and 24, 32 for the cascade), each rule and window set in turn.
    @Test(arguments: Array(1...8) + [12, 16])
    func agreesWithEvaluator(n: Int) throws {
        let device = try testDevice()
        var random = SeededGenerator(seed: 0xe7a1 + UInt64(n))
        let rules = Rule.allCases, windowSets = WindowSet.allCases
        for variant in 0..<2 {
            let problem = try Problem(n: n, m: 3 + n % 4, rule: rules[(n + variant) % 2], windows: windowSets[(n / 2 + variant) % 2])
            try check(problem, device: device, using: &random)
        }
    }

    /// S at the 32-bit limit (46,340 = 4nm for n = 1, m = 11,585): window sums up to S² < 2^31.
    @Test(arguments: [(1, 11_585), (5, 2_317), (8, 1_448)])
    func exactAtTheLargestS(n: Int, m: Int) throws {
        var random = SeededGenerator(seed: 0x5e + UInt64(n))
        for rule in Rule.allCases {
            try check(try Problem(n: n, m: m, rule: rule, windows: .twoD), device: try testDevice(), using: &random)
        }
    }

    private func check(_ problem: Problem, device: OpenCLDevice, using random: inout SeededGenerator) throws {
        let kernel = try OpenCLEvaluator(device: device, problem: problem)
        let reference = Evaluator(problem: problem)
        let S = problem.S, d = problem.d
        var compositions = Self.randomCompositions(d: d, S: S, count: 60, using: &random)
        compositions.append([S] + [Int](repeating: 0, count: d - 1))
        compositions.append([Int](repeating: 0, count: d - 1) + [S])
        compositions.append([Int](repeating: S / d, count: d))
        // A target near the values seen, so every verdict occurs.
        let middle = reference.testValue(compositions[0])
        for target in [Fraction(1), Fraction(middle.numerator * 9, middle.denominator * 10)] {
            let cutoffs = ProveCutoffs(problem: problem, target: target)
            let device = try kernel.evaluate(compositions, cutoffs: cutoffs)
            for (i, c) in compositions.enumerated() {
                let expected = DeviceEvaluation(expectedFor: c, evaluator: reference, cutoffs: cutoffs)
                #expect(device[i] == expected, "\(problem) c = \(c) target \(target)")
            }
        }
    }
}
