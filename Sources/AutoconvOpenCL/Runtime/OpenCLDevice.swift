import AutoconvCore
import COpenCL

/// One OpenCL device and everything the backend needs to know about it, read once at
/// discovery. Devices are numbered in one flat list, platform by platform in the order the
/// ICD loader reports them, so an index names the same device from run to run.
public struct OpenCLDevice: Hashable, Sendable {
    public enum Kind: String, Sendable {
        case gpu, cpu, accelerator, other
    }

    public let index: Int
    public let platform: String
    /// CL_PLATFORM_VENDOR, e.g. "The pocl project" or "NVIDIA Corporation".
    public let platformVendor: String
    public let name: String
    public let vendor: String
    public let kind: Kind
    public let computeUnits: Int
    public let globalMemory: UInt64
    public let localMemory: UInt64
    public let maxConstantBuffer: UInt64
    public let maxWorkGroupSize: Int
    /// CL_DEVICE_VERSION, e.g. "OpenCL 3.0 PoCL HSTR: …".
    public let openCLVersion: String
    public let driverVersion: String
    /// The cl_device_id, valid for the life of the process.
    let handle: UInt

    var id: cl_device_id? { cl_device_id(bitPattern: handle) }

    /// "name (kind, platform)": what the JSON `device` field and the stderr banner say.
    public var summary: String { "\(name) (\(kind.rawValue), \(platform))" }
}

public enum OpenCLDevices {
    /// Every device of every platform. Throws `CoreError.failure` with a hint when no runtime
    /// can be loaded, no platform is registered, or the platforms have no devices.
    public static func all() throws -> [OpenCLDevice] { try discovered.get() }

    // Discovery runs once per process: ICD loaders and runtimes (POCL among them) do not all
    // survive concurrent first calls, and the answer cannot change while the process lives.
    private static let discovered = Result { try discover() }

    private static func discover() throws -> [OpenCLDevice] {
        let api = try OpenCLLibrary.api()
        var platformCount: cl_uint = 0
        let status = api.GetPlatformIDs!(0, nil, &platformCount)
        let vendors = OpenCLLibrary.environment("OCL_ICD_VENDORS").map { " (OCL_ICD_VENDORS=\($0))" } ?? ""
        guard status == CL_SUCCESS || status == -1001, platformCount > 0 else {
            if status != CL_SUCCESS && status != -1001 { try clCheck(status, "clGetPlatformIDs") }
            throw CoreError.failure("no OpenCL platform is registered\(vendors); \(OpenCLLibrary.hint)")
        }
        var platforms = [cl_platform_id?](repeating: nil, count: Int(platformCount))
        try clCheck(api.GetPlatformIDs!(platformCount, &platforms, nil), "clGetPlatformIDs")
        var devices: [OpenCLDevice] = []
        for platform in platforms {
            let platformName = try string { api.GetPlatformInfo!(platform, cl_platform_info(CL_PLATFORM_NAME), $0, $1, $2) }
            let platformVendor = try string { api.GetPlatformInfo!(platform, cl_platform_info(CL_PLATFORM_VENDOR), $0, $1, $2) }
            var count: cl_uint = 0
            let found = api.GetDeviceIDs!(platform, cl_device_type(CL_DEVICE_TYPE_ALL), 0, nil, &count)
            if found == CL_DEVICE_NOT_FOUND || count == 0 { continue }
            try clCheck(found, "clGetDeviceIDs")
            var ids = [cl_device_id?](repeating: nil, count: Int(count))
            try clCheck(api.GetDeviceIDs!(platform, cl_device_type(CL_DEVICE_TYPE_ALL), count, &ids, nil), "clGetDeviceIDs")
            for id in ids {
                devices.append(try describe(id, index: devices.count, platform: platformName, platformVendor: platformVendor, api: api))
            }
        }
        guard !devices.isEmpty else {
            throw CoreError.failure("the OpenCL platforms\(vendors) have no devices; \(OpenCLLibrary.hint)")
        }
        return devices
    }

    /// The device `spec` names: an index into `all()`, or a case-insensitive substring of a
    /// device name, platform name or platform vendor (the first match: `pocl` finds POCL's
    /// device through its vendor "The pocl project", `nvidia` an NVIDIA GPU). An index out of
    /// range or a name that matches nothing is `CoreError.badInput`. nil picks the first GPU,
    /// else the first device.
    public static func select(_ spec: String?) throws -> OpenCLDevice {
        let devices = try all()
        guard let spec else { return devices.first { $0.kind == .gpu } ?? devices[0] }
        if let index = Int(spec) {
            guard devices.indices.contains(index) else {
                throw CoreError.badInput("device index \(index) is out of range: there \(devices.count == 1 ? "is 1 OpenCL device" : "are \(devices.count) OpenCL devices") (0…\(devices.count - 1)); see autoconv devices")
            }
            return devices[index]
        }
        let wanted = spec.lowercased()
        guard let match = devices.first(where: { device in
            [device.name, device.platform, device.platformVendor].contains { $0.lowercased().contains(wanted) }
        }) else {
            throw CoreError.badInput("no OpenCL device, platform or vendor name contains '\(spec)'; see autoconv devices")
        }
        return match
    }

    private static func describe(_ id: cl_device_id?, index: Int, platform: String, platformVendor: String,
                                 api: ac_opencl_api) throws -> OpenCLDevice {
        func text(_ parameter: Int32) throws -> String {
            try string { api.GetDeviceInfo!(id, cl_device_info(parameter), $0, $1, $2) }
        }
        func value<T: FixedWidthInteger>(_ parameter: Int32, _: T.Type) throws -> T {
            var result: T = 0
            try clCheck(api.GetDeviceInfo!(id, cl_device_info(parameter), MemoryLayout<T>.size, &result, nil), "clGetDeviceInfo")
            return result
        }
        let type = try value(CL_DEVICE_TYPE, cl_device_type.self)
        let kind: OpenCLDevice.Kind =
            type & cl_device_type(CL_DEVICE_TYPE_GPU) != 0 ? .gpu
            : type & cl_device_type(CL_DEVICE_TYPE_CPU) != 0 ? .cpu
            : type & cl_device_type(CL_DEVICE_TYPE_ACCELERATOR) != 0 ? .accelerator : .other
        return OpenCLDevice(
            index: index, platform: platform, platformVendor: platformVendor,
            name: try text(CL_DEVICE_NAME).trimmingSpaces, vendor: try text(CL_DEVICE_VENDOR),
            kind: kind,
            computeUnits: Int(try value(CL_DEVICE_MAX_COMPUTE_UNITS, cl_uint.self)),
            globalMemory: try value(CL_DEVICE_GLOBAL_MEM_SIZE, cl_ulong.self),
            localMemory: try value(CL_DEVICE_LOCAL_MEM_SIZE, cl_ulong.self),
            maxConstantBuffer: try value(CL_DEVICE_MAX_CONSTANT_BUFFER_SIZE, cl_ulong.self),
            maxWorkGroupSize: Int(try value(CL_DEVICE_MAX_WORK_GROUP_SIZE, Int.self)),
            openCLVersion: try text(CL_DEVICE_VERSION), driverVersion: try text(CL_DRIVER_VERSION),
            handle: UInt(bitPattern: id))
    }

    /// Reads a string-valued info query (size first, then the bytes).
    static func string(_ query: (Int, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?) -> cl_int) throws -> String {
        var size = 0
        try clCheck(query(0, nil, &size), "an OpenCL info query")
        var bytes = [UInt8](repeating: 0, count: max(size, 1))
        try clCheck(query(bytes.count, &bytes, nil), "an OpenCL info query")
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
