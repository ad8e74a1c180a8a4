import AutoconvCore
import COpenCL
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The OpenCL API, loaded once per process with dlopen (see COpenCL).
///
/// `AUTOCONV_OPENCL_LIBRARY` names the ICD loader to load instead of `libOpenCL.so.1`.
/// Before loading, an empty `POCL_CACHE_DIR` is pointed at a folder of ours (see
/// `defaultPoclCacheDirectory`), so POCL's kernel cache never lands in the user's home.
enum OpenCLLibrary {
    /// What every "no OpenCL" error ends with.
    static let hint = "hint: install pocl-opencl-icd (any CPU) or a GPU driver's OpenCL ICD, or set OCL_ICD_VENDORS to a file containing libnvidia-opencl.so.1"

    private static let loaded: Result<ac_opencl_api, CoreError> = load()

    /// The API table, or `CoreError.failure` naming why no runtime could be loaded.
    static func api() throws -> ac_opencl_api { try loaded.get() }

    private static func load() -> Result<ac_opencl_api, CoreError> {
        if environment("POCL_CACHE_DIR")?.isEmpty ?? true {
            setenv("POCL_CACHE_DIR", defaultPoclCacheDirectory(), 1)
        }
        var api = ac_opencl_api()
        var message = [CChar](repeating: 0, count: 512)
        let path = environment("AUTOCONV_OPENCL_LIBRARY").flatMap { $0.isEmpty ? nil : $0 }
        let status = message.withUnsafeMutableBufferPointer { buffer in
            ac_opencl_load(path, &api, buffer.baseAddress, buffer.count)
        }
        guard status == 0 else {
            let why = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(.failure("no OpenCL runtime: \(why); \(hint)"))
        }
        return .success(api)
    }

    /// `<current folder>/.build/pocl-cache` when `.build` exists there (a package checkout,
    /// tests, CI), else `<TMPDIR or /tmp>/autoconv-pocl-cache-<uid>`.
    static func defaultPoclCacheDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        if getcwd(&buffer, buffer.count) != nil {
            let build = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/.build"
            var info = stat()
            if stat(build, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
                mkdir(build + "/pocl-cache", 0o755)
                return build + "/pocl-cache"
            }
        }
        let temporary = environment("TMPDIR").flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let folder = "\(temporary)/autoconv-pocl-cache-\(getuid())"
        mkdir(folder, 0o700)
        return folder
    }

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

/// Checks an OpenCL status code; anything but CL_SUCCESS is a `CoreError.failure` naming the call.
func clCheck(_ status: cl_int, _ what: @autoclosure () -> String) throws {
    guard status == CL_SUCCESS else {
        throw CoreError.failure("OpenCL: \(what()) failed with \(clErrorName(status))")
    }
}

/// CL_… name of a status code (the common ones), else the number.
func clErrorName(_ status: cl_int) -> String {
    let names: [cl_int: String] = [
        -1: "CL_DEVICE_NOT_FOUND", -2: "CL_DEVICE_NOT_AVAILABLE", -3: "CL_COMPILER_NOT_AVAILABLE",
        -4: "CL_MEM_OBJECT_ALLOCATION_FAILURE", -5: "CL_OUT_OF_RESOURCES", -6: "CL_OUT_OF_HOST_MEMORY",
        -11: "CL_BUILD_PROGRAM_FAILURE", -30: "CL_INVALID_VALUE", -32: "CL_INVALID_PLATFORM",
        -33: "CL_INVALID_DEVICE", -34: "CL_INVALID_CONTEXT", -36: "CL_INVALID_COMMAND_QUEUE",
        -38: "CL_INVALID_MEM_OBJECT", -43: "CL_INVALID_BUILD_OPTIONS", -45: "CL_INVALID_PROGRAM_EXECUTABLE",
        -46: "CL_INVALID_KERNEL_NAME", -48: "CL_INVALID_KERNEL", -49: "CL_INVALID_ARG_INDEX",
        -50: "CL_INVALID_ARG_VALUE", -51: "CL_INVALID_ARG_SIZE", -52: "CL_INVALID_KERNEL_ARGS",
        -54: "CL_INVALID_WORK_GROUP_SIZE", -55: "CL_INVALID_WORK_ITEM_SIZE", -61: "CL_INVALID_BUFFER_SIZE",
        -63: "CL_INVALID_GLOBAL_WORK_SIZE", -1001: "CL_PLATFORM_NOT_FOUND_KHR",
    ]
    return names[status] ?? "OpenCL error \(status)"
}
