import ArgumentParser
import AutoconvCertificates
import AutoconvCore
import AutoconvEngines

extension Rule: ExpressibleByArgument {}
extension WindowSet: ExpressibleByArgument {}
extension BackendChoice: ExpressibleByArgument {}

/// The grid: --n, --m.
struct GridOptions: ParsableArguments {
    @Option(help: "Level n: d = 2n bins of width 1/(4n).")
    var n: Int

    @Option(help: "Grid resolution m: heights are multiples of 1/m, S = 4nm.")
    var m: Int
}

/// The rules: --rule, --max-window. Optional, so that `cascade --resume` can tell whether they
/// were given; the defaults are applied here, once.
struct RuleOptions: ParsableArguments {
    @Option(help: "Correction rule: flat (CS Lemma 3) or refined (default).")
    var rule: Rule?

    @Option(name: .customLong("max-window"), help: "Largest window length: d (older set) or 2d (all windows, default).")
    var maxWindow: WindowSet?

    var given: Bool { rule != nil || maxWindow != nil }
    var resolvedRule: Rule { rule ?? .refined }
    var resolvedWindows: WindowSet { maxWindow ?? .twoD }
}

/// How to run: --backend, the OpenCL device options, --threads; shared by every command that
/// runs an engine.
struct EngineOptions: ParsableArguments {
    @Option(help: "Backend: cpu (default), opencl, or auto (an OpenCL GPU if there is one, else cpu).")
    var backend: BackendChoice?

    @OptionGroup var opencl: DeviceOptions

    @Option(help: "CPU threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw CoreError.badInput("threads must be at least 1 (got \(threads))") }
    }

    func makeEngine() throws -> Engine {
        try opencl.makeEngine(backend ?? .cpu, threads: threads ?? Terminal.processorCount)
    }
}

/// What `bound` and `prove` share: the grid, the rules, the engine and the output.
struct RunOptions: ParsableArguments {
    @OptionGroup var grid: GridOptions
    @OptionGroup var rules: RuleOptions
    @OptionGroup var engine: EngineOptions
    @OptionGroup var output: OutputOptions

    var json: Bool { output.json }

    func problem() throws -> Problem {
        try Problem(n: grid.n, m: grid.m, rule: rules.resolvedRule, windows: rules.resolvedWindows)
    }

    func makeEngine() throws -> Engine { try engine.makeEngine() }
}

/// Where results go: `--json` and `--quiet`.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON object on stdout; progress and logs go to stderr.")
    var json = false

    @Flag(help: "No progress line on stderr (results, notes and errors still print).")
    var quiet = false

    /// Parsing the group is what turns the progress line off, for every command that has it.
    func validate() throws {
        if quiet { Terminal.quiet = true }
    }
}

/// Wall-clock timing of a run, for `elapsed_seconds` and `rate`.
struct Stopwatch {
    private let start = ContinuousClock.now

    var seconds: Double { start.duration(to: .now).seconds }
}
