import ArgumentParser
import AutoconvCore
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
    @Option(help: "OpenCL device: an index from `autoconv devices` or part of a device, platform or vendor name, e.g. pocl (default: the first GPU, else the first device).")
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

    /// The OpenCL backend that `choice` asks for, or nil when the CPU backend should run.
    func makeOpenCLBackend(choice: BackendChoice) throws -> Backend? {
        guard let (device, configuration) = try openCLDevice(choice: choice) else { return nil }
        return try OpenCLBackend(device: device, configuration: configuration)
    }

    /// The OpenCL device that `choice` asks for and how to launch on it, or nil when the CPU
    /// backend should run: `auto` takes an OpenCL GPU when there is one (or the device
    /// `--device` names).
    func openCLDevice(choice: BackendChoice) throws -> (OpenCLDevice, OpenCLConfiguration)? {
        let device: OpenCLDevice
        switch choice {
        case .cpu:
            guard self.device == nil else { throw CoreError.badInput("--device needs --backend opencl or auto") }
            return nil
        case .opencl:
            device = try OpenCLDevices.select(self.device)
        case .auto:
            if self.device != nil {
                device = try OpenCLDevices.select(self.device)
            } else if let gpu = (try? OpenCLDevices.all())?.first(where: { $0.kind == .gpu }) {
                device = gpu
            } else {
                Terminal.err("autoconv: no OpenCL GPU found; using the cpu backend")
                return nil
            }
        }
        var configuration = OpenCLConfiguration()
        configuration.workGroupSize = workGroupSize
        configuration.batchSize = batchSize
        configuration.selfTest = !skipSelfTest
        configuration.log = { Terminal.err($0) }
        if verbose { configuration.verboseLog = { Terminal.err($0) } }
        // Said on stderr every time, so nobody mistakes POCL on a CPU for a GPU.
        Terminal.err("autoconv: OpenCL device \(device.index): \(device.name) (\(device.kind.rawValue), \(device.platform))")
        return (device, configuration)
    }
}
