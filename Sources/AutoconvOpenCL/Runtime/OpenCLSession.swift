import AutoconvCore
import COpenCL

/// A context and an in-order command queue on one device, and the buffers made in it.
final class OpenCLSession {
    let device: OpenCLDevice
    let api: ac_opencl_api
    let context: cl_context
    let queue: cl_command_queue

    init(device: OpenCLDevice) throws {
        api = try OpenCLLibrary.api()
        self.device = device
        var status: cl_int = CL_SUCCESS
        var id = device.id
        guard let context = api.CreateContext!(nil, 1, &id, nil, nil, &status) else {
            try clCheck(status, "clCreateContext on \(device.name)")
            throw CoreError.failure("OpenCL: clCreateContext on \(device.name) returned no context")
        }
        guard let queue = api.CreateCommandQueue!(context, device.id, 0, &status) else {
            _ = api.ReleaseContext!(context)
            try clCheck(status, "clCreateCommandQueue on \(device.name)")
            throw CoreError.failure("OpenCL: clCreateCommandQueue on \(device.name) returned no queue")
        }
        self.context = context
        self.queue = queue
    }

    deinit {
        _ = api.ReleaseCommandQueue!(queue)
        _ = api.ReleaseContext!(context)
    }

    /// A device buffer of `count` elements of `T` (at least one, OpenCL refuses empty buffers).
    func buffer<T>(of _: T.Type, count: Int, readOnly: Bool = false) throws -> DeviceBuffer {
        let bytes = max(1, count) * MemoryLayout<T>.stride
        var status: cl_int = CL_SUCCESS
        let flags = cl_mem_flags(readOnly ? CL_MEM_READ_ONLY : CL_MEM_READ_WRITE)
        guard let memory = api.CreateBuffer!(context, flags, bytes, nil, &status) else {
            try clCheck(status, "clCreateBuffer(\(bytes) bytes)")
            throw CoreError.failure("OpenCL: clCreateBuffer(\(bytes) bytes) returned no buffer")
        }
        return DeviceBuffer(memory: memory, bytes: bytes, api: api)
    }

    /// A read-only buffer holding `values`.
    func buffer<T>(holding values: [T]) throws -> DeviceBuffer {
        let buffer = try self.buffer(of: T.self, count: values.count, readOnly: true)
        try write(values, to: buffer)
        return buffer
    }

    func write<T>(_ values: [T], to buffer: DeviceBuffer) throws {
        guard !values.isEmpty else { return }
        precondition(values.count * MemoryLayout<T>.stride <= buffer.bytes)
        try values.withUnsafeBytes { raw in
            try clCheck(api.EnqueueWriteBuffer!(queue, buffer.memory, cl_bool(CL_TRUE), 0, raw.count, raw.baseAddress, 0, nil, nil),
                        "clEnqueueWriteBuffer")
        }
    }

    func read<T>(_ buffer: DeviceBuffer, count: Int, as _: T.Type) throws -> [T] {
        precondition(count * MemoryLayout<T>.stride <= buffer.bytes)
        return try [T](unsafeUninitializedCapacity: count) { pointer, initialized in
            if count > 0 {
                try clCheck(api.EnqueueReadBuffer!(queue, buffer.memory, cl_bool(CL_TRUE), 0, count * MemoryLayout<T>.stride,
                                                   pointer.baseAddress, 0, nil, nil), "clEnqueueReadBuffer")
            }
            initialized = count
        }
    }
}

/// A cl_mem, released with its owner.
final class DeviceBuffer {
    let memory: cl_mem
    let bytes: Int
    private let api: ac_opencl_api

    init(memory: cl_mem, bytes: Int, api: ac_opencl_api) {
        self.memory = memory
        self.bytes = bytes
        self.api = api
    }

    deinit { _ = api.ReleaseMemObject!(memory) }
}
