import AutoconvCore
import COpenCL

/// What the evaluation kernel reports for one composition: the same quantities as
/// `AutoconvCore.Evaluator`, so the two can be compared field by field.
public struct DeviceEvaluation: Hashable, Sendable {
    /// WS for every window, in `Problem.windowList` order.
    public let windowSums: [Int64]
    public let test: Fraction
    public let certified: Fraction
    public let majorMass: Int
    public let verdict: Verdict

    public init(windowSums: [Int64], test: Fraction, certified: Fraction, majorMass: Int, verdict: Verdict) {
        self.windowSums = windowSums
        self.test = test
        self.certified = certified
        self.majorMass = majorMass
        self.verdict = verdict
    }

    /// The CPU core's answer for `c`: what the device must reproduce bit for bit.
    public init(expectedFor c: [Int], evaluator: Evaluator, cutoffs: ProveCutoffs) {
        self.init(windowSums: evaluator.windowSums(c), test: evaluator.testValue(c),
                  certified: evaluator.certifiedValue(c), majorMass: evaluator.majorMass(c),
                  verdict: evaluator.verdict(c, cutoffs: cutoffs))
    }
}

/// Evaluates single compositions on an OpenCL device, one work-item each.
///
/// This is the per-composition kernel of the self-test (`SelfTest`); it supports every d up
/// to `Problem.maxD`.
public final class OpenCLEvaluator {
    public let device: OpenCLDevice
    public let problem: Problem
    let program: ProblemProgram

    public init(device: OpenCLDevice, problem: Problem) throws {
        self.device = device
        self.problem = problem
        program = try ProblemProgram(session: try OpenCLSession(device: device), problem: problem,
                                     contents: .evaluation, verbose: nil)
    }

    init(program: ProblemProgram) {
        device = program.session.device
        problem = program.problem
        self.program = program
    }

    /// Evaluates `compositions` (each of d parts summing to S) with the verdicts of `cutoffs`.
    public func evaluate(_ compositions: [[Int]], cutoffs: ProveCutoffs) throws -> [DeviceEvaluation] {
        let d = problem.d, S = problem.S
        for c in compositions where c.count != d || c.contains(where: { $0 < 0 }) || c.reduce(0, +) != S {
            throw CoreError.badInput("composition \(c) does not have \(d) non-negative parts summing to S = \(S)")
        }
        guard !compositions.isEmpty else { return [] }
        let session = program.session
        let count = compositions.count
        let windows = program.windowCount
        let input = try session.buffer(holding: compositions.flatMap { $0.map(Int32.init) })
        let cuts = try session.buffer(holding: cutoffs.windows.kernelCuts)
        let sums = try session.buffer(of: Int32.self, count: count * windows)
        let results = try session.buffer(of: ac_evaluation.self, count: count)
        try program.setArguments(program.evaluateKernel, [
            .buffer(input), .u32(UInt32(count)), .buffer(cuts), .i32(Int32(clamping: cutoffs.asymmetryCutoff)),
            .buffer(sums), .buffer(results),
        ])
        let local = min(64, try program.maxWorkGroupSize(program.evaluateKernel))
        try program.run(program.evaluateKernel, global: (count + local - 1) / local * local, local: local)
        let windowSums = try session.read(sums, count: count * windows, as: Int32.self)
        let evaluations = try session.read(results, count: count, as: ac_evaluation.self)
        return try (0..<count).map { i in
            let e = evaluations[i]
            // A broken device must surface as a mismatch, never as a trap.
            guard e.test_den > 0, e.cert_den > 0, let verdict = Verdict(rawValue: Int(e.verdict)) else {
                throw CoreError.failure("OpenCL: \(device.name) returned a malformed evaluation for composition \(compositions[i])")
            }
            return DeviceEvaluation(
                windowSums: windowSums[(i * windows)..<((i + 1) * windows)].map(Int64.init),
                test: Fraction(e.test_num, e.test_den),
                certified: Fraction(e.cert_num, e.cert_den),
                majorMass: Int(e.major_mass),
                verdict: verdict)
        }
    }
}
