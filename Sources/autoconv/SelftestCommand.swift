import ArgumentParser
import AutoconvCertificates
import AutoconvCore
import AutoconvEngines
import AutoconvOpenCL

/// `autoconv selftest` (primesieve's `--test`): the known answers of values.json through every
/// engine of this machine, ending with one verdict line.
struct SelftestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Check known answers (values.json) on the CPU engine and every OpenCL device; exit 0 when all agree.",
        discussion: """
            On an OpenCL device each problem's kernels first pass their own self-test, as before any job. A machine without an \
            OpenCL runtime or device tests the CPU engine only and says so. Exit 1 when any answer differs.
            """)

    @Option(help: "CPU threads (default: all cores).")
    var threads: Int?

    @Flag(help: "Test the CPU engine only.")
    var cpuOnly = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let threads, threads < 1 { throw CoreError.badInput("threads must be at least 1 (got \(threads))") }
    }

    func run() throws {
        var results: [KnownAnswerResult] = []
        var engines: [String] = []
        func record(_ result: KnownAnswerResult) {
            results.append(result)
            if !output.json {
                Terminal.out((result.mismatch == nil ? "ok      " : "FAILED  ") + "\(result.engine)  \(result.check)"
                             + (result.mismatch.map { "  (\($0))" } ?? ""))
            }
        }
        for (name, made) in try makeEngines() {
            engines.append(name)
            switch made {
            case .success(let engine): KnownAnswers.check(engine, report: record)
            case .failure(let error): record(KnownAnswerResult(engine: name, check: "kernel self-test", mismatch: "\(error)"))
            }
        }
        let failed = results.filter { $0.mismatch != nil }
        let verdict = failed.isEmpty
            ? "selftest PASSED: \(results.count) known answers on \(engines.count) engine\(engines.count == 1 ? "" : "s")"
            : "selftest FAILED: \(failed.count) of \(results.count) known answers differ"
        if output.json {
            Terminal.out(JSON.object([
                ("schema_version", .int(JSON.schemaVersion)), ("command", .string("selftest")),
                ("engines", .array(engines.map(JSON.string))),
                ("checks", .array(results.map { result in
                    .object([("engine", .string(result.engine)), ("check", .string(result.check)),
                             ("passed", .bool(result.mismatch == nil)), ("mismatch", result.mismatch.map(JSON.string) ?? .null)])
                })),
                ("passed", .bool(failed.isEmpty)), ("verdict", .string(verdict)),
            ]).rendered())
        } else {
            Terminal.out(verdict)
        }
        if !failed.isEmpty { throw NotVerified() }
    }

    /// The CPU engine, then one engine per OpenCL device, each after its kernel self-test: a
    /// device that fails it (or cannot be opened) is a failed check, and the others still run.
    private func makeEngines() throws -> [(name: String, engine: Result<Engine, Error>)] {
        let threads = threads ?? Terminal.processorCount
        let cpu = try Engines.make(backend: .cpu, threads: threads)
        var engines: [(name: String, engine: Result<Engine, Error>)] = [("\(cpu.name): \(cpu.deviceDescription)", .success(cpu))]
        guard !cpuOnly else { return engines }
        let devices: [OpenCLDevice]
        do {
            devices = try OpenCLDevices.all()
        } catch {
            Terminal.err("autoconv: no OpenCL devices (\(error)); testing the CPU engine only")
            return engines
        }
        var configuration = OpenCLConfiguration()
        configuration.log = { Terminal.err($0) }
        for device in devices {
            engines.append(("opencl: \(device.summary)", Result {
                try Engines.make(backend: .opencl, devices: ["\(device.index)"], threads: threads,
                                 configuration: configuration, note: { Terminal.err("autoconv: " + $0) })
            }))
        }
        return engines
    }
}
