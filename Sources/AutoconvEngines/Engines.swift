import AutoconvCore
import AutoconvCPU
import AutoconvOpenCL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which backend a run asks for.
public enum BackendChoice: String, CaseIterable, Sendable {
    case cpu, opencl
    /// An OpenCL GPU if there is one, else the CPU.
    case auto
}

/// The one place that chooses engines: everything else takes an `Engine` and never asks which.
public enum Engines {
    /// The engine that `backend` asks for on `devices` (specs as `OpenCLDevices.select` takes
    /// them: an index or part of a device, platform or vendor name; or the one spec `all`).
    ///
    /// - `cpu`: a `CPUEngine` with `threads` threads; naming a device is bad input.
    /// - `opencl`: an `OpenCLEngine` on the named device, or on the first GPU, else the first
    ///   device, when none is named. Several devices (`all` on a machine with more than one, or
    ///   a list) give a `DeviceGroup` of one `OpenCLEngine` per device.
    /// - `auto`: as `opencl` when a device is named; else an OpenCL GPU if there is one, else
    ///   the CPU engine (said through `note`).
    ///
    /// Every chosen OpenCL device is said through `note` ("OpenCL device 0: …"), so POCL on a
    /// CPU is never mistaken for a GPU. A list with an unknown entry or one naming a device
    /// twice is bad input, before any engine is made.
    public static func make(backend: BackendChoice, devices: [String] = [], threads: Int,
                            configuration: OpenCLConfiguration = OpenCLConfiguration(),
                            note: ((String) -> Void)? = nil) throws -> Engine {
        let chosen: [OpenCLDevice]
        switch backend {
        case .cpu:
            guard devices.isEmpty else { throw CoreError.badInput("--device needs --backend opencl or auto") }
            return CPUEngine(threads: threads)
        case .opencl:
            chosen = devices.isEmpty ? [try OpenCLDevices.select(nil)] : try resolve(devices)
        case .auto:
            if !devices.isEmpty {
                chosen = try resolve(devices)
            } else if let gpu = (try? OpenCLDevices.all())?.first(where: { $0.kind == .gpu }) {
                chosen = [gpu]
            } else {
                note?("no OpenCL GPU found; using the cpu backend")
                return CPUEngine(threads: threads)
            }
        }
        for device in chosen {
            note?("OpenCL device \(device.index): \(device.name) (\(device.kind.rawValue), \(device.platform))")
        }
        let engines = try chosen.map { try OpenCLEngine(device: $0, configuration: configuration) }
        guard engines.count > 1 else { return engines[0] }
        let group = DeviceGroup(members: engines)
        // For tests: pieces as small as this, so that small jobs are dealt too.
        if let text = getenv("AUTOCONV_MIN_PIECE").map({ String(cString: $0) }) {
            guard let size = UInt64(text), size >= 1 else { throw CoreError.badInput("AUTOCONV_MIN_PIECE must be a positive integer (got '\(text)')") }
            group.minimumPiece = UInt128(size)
        }
        return group
    }

    /// `--device` as given, split into specs: one spec, `all`, or specs separated by commas
    /// ("0,2,3", "0,pocl"). An empty entry is bad input.
    public static func deviceSpecs(_ text: String) throws -> [String] {
        let specs = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !specs.contains(where: \.isEmpty) else {
            throw CoreError.badInput("--device '\(text)' has an empty entry; give indices or names separated by commas, or all")
        }
        return specs
    }

    /// The devices `specs` name, in their order: every device for `all` alone, else each spec
    /// through `OpenCLDevices.select`; a device named twice is bad input.
    static func resolve(_ specs: [String]) throws -> [OpenCLDevice] {
        if specs.contains(where: { $0.lowercased() == "all" }) {
            guard specs.count == 1 else { throw CoreError.badInput("--device all stands alone (got \(specs.joined(separator: ",")))") }
            return try OpenCLDevices.all()
        }
        var chosen: [OpenCLDevice] = [], named: [Int: String] = [:]
        for spec in specs {
            let device = try OpenCLDevices.select(spec)
            if let earlier = named[device.index] {
                throw CoreError.badInput("--device names OpenCL device \(device.index) (\(device.name)) twice: '\(earlier)' and '\(spec)'")
            }
            named[device.index] = spec
            chosen.append(device)
        }
        return chosen
    }
}
