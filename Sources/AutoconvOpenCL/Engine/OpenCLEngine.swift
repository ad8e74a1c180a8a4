import AutoconvCore

/// Everything one OpenCL device does, bit-identical to `CPUEngine`: find-min and prove over rank
/// ranges (Kernels/bound.cl, prove.cl, `RankLaunches.swift`) and the cascade's children
/// (Kernels/children.cl, `ChildLaunches.swift`).
///
/// The engine owns one session (a context and queue on the device) and one `ProgramCache`: the
/// kernels are built per problem with `-D` constants on first use and self-tested right then,
/// before any job uses them (`SelfTest`, `ChildSelfTest`). Every kernel runs through the one
/// `LaunchLoop`, which also reruns or splits a launch whose survivors overflow their buffer.
public final class OpenCLEngine: Engine {
    public let device: OpenCLDevice
    public let configuration: OpenCLConfiguration
    let session: OpenCLSession
    let programs: ProgramCache

    /// Indices per child launch (`Pace`, towards `childLaunchSeconds`), kept from batch to batch.
    var childLaunchSize: UInt128 = 1 << 32
    static let childLaunchSeconds = 0.5
    /// Child launches cover fewer than 2^62 indices, so launch-local indices and tallies stay in
    /// 64 bits, and at least 2^16 while pacing.
    static let maxChildLaunch: UInt128 = 1 << 62
    static let minChildLaunch: UInt128 = 1 << 16

    public init(device: OpenCLDevice, configuration: OpenCLConfiguration = OpenCLConfiguration()) throws {
        self.device = device
        self.configuration = configuration
        session = try OpenCLSession(device: device)
        programs = ProgramCache(session: session, configuration: configuration)
    }

    public var name: String { "opencl" }
    public var deviceDescription: String { device.summary }

    public func bound(_ job: Job, progress: ProgressHandler?) throws -> BoundPartial {
        // The self-test's prove verdicts need some target; 1 gives a mix of all three.
        let program = try searchProgram(job.problem, cutoffs: ProveCutoffs(problem: job.problem, target: Fraction(1)))
        var time = KernelTime()
        let result = try bound(job, on: program, time: &time, progress: progress)
        log(time, ranks: job.range.count)
        return result
    }

    public func prove(_ job: Job, cutoffs: ProveCutoffs, survivors: SurvivorHandler?, progress: ProgressHandler?) throws -> ProveCounts {
        let program = try searchProgram(job.problem, cutoffs: cutoffs)
        var time = KernelTime()
        let counts = try prove(job, cutoffs: cutoffs, on: program, time: &time, survivors: survivors, progress: progress)
        log(time, ranks: job.range.count)
        return counts
    }

    /// The bound-and-prove program of `problem`, built and self-tested (its prove verdicts
    /// against `cutoffs`) on first use.
    func searchProgram(_ problem: Problem, cutoffs: ProveCutoffs) throws -> ProblemProgram {
        try programs.program(problem, .search) { program in
            try SelfTest.run(self, program: program, cutoffs: cutoffs)
        }
    }

    /// Kernel time alone (launch to finish), apart from building and the self-test.
    private func log(_ time: KernelTime, ranks: UInt64) {
        let seconds = time.total.seconds
        let rate = seconds > 0 ? Double(ranks) / seconds : 0
        configuration.log?("opencl: kernel time \(time.total.logText) in \(time.launches) launch\(time.launches == 1 ? "" : "es") (\(Int(rate.rounded())) compositions/s)")
    }
}

/// The kernel time of a job's launches, for the log.
struct KernelTime {
    private(set) var total = Duration.zero
    private(set) var launches = 0

    mutating func add(_ launch: Duration) {
        total += launch
        launches += 1
    }
}

extension Duration {
    /// "1.234 s", for the one-line logs.
    var logText: String {
        let milliseconds = Int((seconds * 1000).rounded())
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction) s"
    }
}
