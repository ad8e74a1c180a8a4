import ArgumentParser
import AutoconvCertificates
import AutoconvCore
import AutoconvEngines
import AutoconvOpenCL

/// `autoconv devices`: every OpenCL device, in the order `--device INDEX` counts them.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the OpenCL devices: index, platform, name, type, compute units, global memory, OpenCL version.")

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let devices = try OpenCLDevices.all()
        if json {
            Terminal.out(JSON.object([
                ("schema_version", .int(JSON.schemaVersion)), ("command", .string("devices")),
                ("devices", .array(devices.map { device in
                    .object([
                        ("index", .int(Int64(device.index))),
                        ("platform", .string(device.platform)),
                        ("platform_vendor", .string(device.platformVendor)),
                        ("name", .string(device.name)),
                        ("type", .string(device.kind.rawValue)),
                        ("compute_units", .int(Int64(device.computeUnits))),
                        ("global_memory_bytes", .count(device.globalMemory)),
                        ("opencl_version", .string(device.openCLVersion)),
                    ])
                })),
            ]).rendered())
            return
        }
        for device in devices {
            let gib = format(Double(device.globalMemory) / Double(1 << 30), 1)
            Terminal.out("\(device.index)  \(device.platform)  \(device.name)  \(device.kind.rawValue)  \(device.computeUnits) CU  \(gib) GiB  \(device.openCLVersion)")
        }
    }
}

/// The OpenCL side of `bound` and `prove`: which device, and how to launch.
struct DeviceOptions: ParsableArguments {
    @Option(help: "OpenCL device: an index from `autoconv devices` or part of a device, platform or vendor name, e.g. pocl (default: the first GPU, else the first device); several separated by commas (0,2,3), or all: one engine per device, work dealt to them as they are free.")
    var device: String?

    @Flag(help: "Skip the OpenCL self-test (experts only: a broken device then goes unnoticed).")
    var skipSelfTest = false

    @Flag(help: "Show the OpenCL build options and build log.")
    var verbose = false

    @Option(help: "OpenCL work-items per work-group (default: 256 on GPUs, 64 on CPUs).")
    var workGroupSize: Int?

    @Option(help: "Compositions per OpenCL kernel launch; progress is shown between launches.")
    var batchSize: UInt64?

    /// Checked before any device work (no kernel is built for a launch shape that cannot run).
    func validate() throws {
        if let workGroupSize, workGroupSize < 1 {
            throw CoreError.badInput("work-group-size must be at least 1 (got \(workGroupSize))")
        }
        if let batchSize, batchSize < 1 { throw CoreError.badInput("batch-size must be at least 1 (got \(batchSize))") }
    }

    /// The engine that `backend` asks for (`Engines.make`), with these options; its notes (the
    /// OpenCL device, or the CPU fallback of `auto`) go to stderr.
    func makeEngine(_ backend: BackendChoice, threads: Int) throws -> Engine {
        var configuration = OpenCLConfiguration()
        configuration.workGroupSize = workGroupSize
        configuration.batchSize = batchSize
        configuration.selfTest = !skipSelfTest
        configuration.log = { Terminal.err($0) }
        if verbose { configuration.verboseLog = { Terminal.err($0) } }
        return try Engines.make(backend: backend, devices: try device.map(Engines.deviceSpecs) ?? [], threads: threads,
                                configuration: configuration, note: { Terminal.err("autoconv: " + $0) })
    }
}
