import AutoconvCore
import AutoconvCPU
import AutoconvOpenCL

/// Which backend a run asks for.
public enum BackendChoice: String, CaseIterable, Sendable {
    case cpu, opencl
    /// An OpenCL GPU if there is one, else the CPU.
    case auto
}

/// The one place that chooses engines: everything else takes an `Engine` and never asks which.
public enum Engines {
    /// The engine that `backend` asks for on `devices` (specs as `OpenCLDevices.select` takes
    /// them: an index or part of a device, platform or vendor name).
    ///
    /// - `cpu`: a `CPUEngine` with `threads` threads; naming a device is bad input.
    /// - `opencl`: an `OpenCLEngine` on the named device, or on the first GPU, else the first
    ///   device, when none is named.
    /// - `auto`: as `opencl` when a device is named; else an OpenCL GPU if there is one, else
    ///   the CPU engine (said through `note`).
    ///
    /// The chosen OpenCL device is always said through `note` ("OpenCL device 0: …"), so POCL
    /// on a CPU is never mistaken for a GPU. One device at a time for now: more than one is bad
    /// input, until engines can share a job.
    public static func make(backend: BackendChoice, devices: [String] = [], threads: Int,
                            configuration: OpenCLConfiguration = OpenCLConfiguration(),
                            note: ((String) -> Void)? = nil) throws -> Engine {
        guard devices.count <= 1 else {
            throw CoreError.badInput("one OpenCL device at a time (got \(devices.count): \(devices.joined(separator: ", ")))")
        }
        let device: OpenCLDevice
        switch backend {
        case .cpu:
            guard devices.isEmpty else { throw CoreError.badInput("--device needs --backend opencl or auto") }
            return CPUEngine(threads: threads)
        case .opencl:
            device = try OpenCLDevices.select(devices.first)
        case .auto:
            if let spec = devices.first {
                device = try OpenCLDevices.select(spec)
            } else if let gpu = (try? OpenCLDevices.all())?.first(where: { $0.kind == .gpu }) {
                device = gpu
            } else {
                note?("no OpenCL GPU found; using the cpu backend")
                return CPUEngine(threads: threads)
            }
        }
        note?("OpenCL device \(device.index): \(device.name) (\(device.kind.rawValue), \(device.platform))")
        return try OpenCLEngine(device: device, configuration: configuration)
    }
}
