import AutoconvCore
import COpenCL

/// The kernels built for one problem on one session, with the problem's constant buffers.
final class ProblemProgram {
    /// Which kernels a program holds: the evaluation kernel alone builds faster and needs no
    /// binomial table; the cascade's child kernel needs none either, but its Δ family.
    enum Contents: Hashable {
        /// The evaluation kernel alone (`OpenCLEvaluator`).
        case evaluation
        /// Single levels: bound and prove, and the evaluation kernel for the self-test.
        case search
        /// The cascade's child kernel for one Δ family, with the search counters compiled in
        /// when `stats` (-D AC_STATS=1, `ChildJob.collectStats`), and the split quadratics unless
        /// `quadratics` is false (-D AC_SPLIT_QUADRATICS=0, `OpenCLConfiguration.splitQuadratics`).
        case children(DeltaRange, stats: Bool, quadratics: Bool)

        /// Kernel files in program order (KernelSource.files).
        var files: [String] {
            switch self {
            case .evaluation: ["autoconv_shared.h", "common.cl", "evaluate.cl"]
            case .search: ["autoconv_shared.h", "common.cl", "evaluate.cl", "search.cl", "bound.cl", "prove.cl"]
            case .children: ["autoconv_shared.h", "common.cl", "evaluate.cl", "search.cl", "children.cl"]
            }
        }

        /// What the logs call the program.
        var name: String {
            switch self {
            case .evaluation: "evaluation kernel"
            case .search: "kernels"
            case .children: "child kernel"
            }
        }
    }

    let session: OpenCLSession
    let problem: Problem
    let windowCount: Int
    let program: cl_program
    let evaluateKernel: cl_kernel
    /// Only in `.search` programs.
    let boundKernel: cl_kernel?
    let proveKernel: cl_kernel?
    /// Only in `.children` programs.
    let childrenKernel: cl_kernel?
    /// N(k, r) at k·(S+1) + r (Kernels/common.cl), for `.search` programs.
    let table: DeviceBuffer?
    let buildOptions: String
    let buildTime: Duration

    init(session: OpenCLSession, problem: Problem, contents: Contents, verbose: ((String) -> Void)?) throws {
        self.session = session
        self.problem = problem
        windowCount = problem.windowList.count
        let api = session.api
        let started = ContinuousClock.now

        // The kernels' int arithmetic is exact up to the same S as the host's (AC_MAX_S, common.cl).
        precondition(Problem.maxS == Int(AC_MAX_S) && problem.S <= Problem.maxS, "S = \(problem.S) exceeds the kernels' 32-bit limit")
        var tableEntries: [UInt64] = []
        if contents == .search {
            let binomials = try problem.rankingTable()
            tableEntries = [UInt64](repeating: 0, count: (problem.d + 1) * (problem.S + 1))
            for k in 1...problem.d {
                for r in 0...problem.S { tableEntries[k * (problem.S + 1) + r] = binomials.compositions(parts: k, sum: r) }
            }
        }
        // The cut-offs (one int per window length; budgeted as one per window) share constant
        // memory with the table.
        let constantBytes = UInt64(tableEntries.count * 8 + windowCount * 4 + 1024)
        let tableInConstant = constantBytes <= session.device.maxConstantBuffer
        var options = KernelSource.buildOptions(for: problem, tableInConstantMemory: tableInConstant)
        if case .children(let deltas, let stats, let quadratics) = contents {
            options += " -DAC_DELTA_LOW=\(deltas.low) -DAC_DELTA_HIGH=\(deltas.high) -DAC_STATS=\(stats ? 1 : 0)"
            options += " -DAC_SPLIT_QUADRATICS=\(quadratics ? 1 : 0)"
        }
        buildOptions = options

        let source = KernelSource.program(contents.files)
        var status: cl_int = CL_SUCCESS
        let built: cl_program? = source.withCString { text in
            var pointer: UnsafePointer<CChar>? = text
            var length = source.utf8.count
            return api.CreateProgramWithSource!(session.context, 1, &pointer, &length, &status)
        }
        guard let program = built else {
            try clCheck(status, "clCreateProgramWithSource")
            throw CoreError.failure("OpenCL: clCreateProgramWithSource returned no program")
        }
        self.program = program
        var device = session.device.id
        let buildStatus = api.BuildProgram!(program, 1, &device, buildOptions, nil, nil)
        let log = (try? OpenCLDevices.string { api.GetProgramBuildInfo!(program, session.device.id, cl_program_build_info(CL_PROGRAM_BUILD_LOG), $0, $1, $2) }) ?? ""
        if let verbose {
            verbose("opencl: build options: \(buildOptions)")
            if !log.isEmpty { verbose("opencl: build log:\n\(log)") }
        }
        guard buildStatus == CL_SUCCESS else {
            _ = api.ReleaseProgram!(program)
            throw CoreError.failure("OpenCL: building the kernels for \(session.device.name) failed with \(clErrorName(buildStatus)) (options: \(buildOptions)); build log:\n\(log)")
        }

        func kernel(_ name: String) throws -> cl_kernel {
            var status: cl_int = CL_SUCCESS
            guard let kernel = api.CreateKernel!(program, name, &status) else {
                try clCheck(status, "clCreateKernel(\(name))")
                throw CoreError.failure("OpenCL: clCreateKernel(\(name)) returned no kernel")
            }
            return kernel
        }
        evaluateKernel = try kernel("ac_evaluate")
        boundKernel = contents == .search ? try kernel("ac_bound") : nil
        proveKernel = contents == .search ? try kernel("ac_prove") : nil
        if case .children = contents { childrenKernel = try kernel("ac_children") } else { childrenKernel = nil }
        table = contents == .search ? try session.buffer(holding: tableEntries) : nil
        buildTime = started.duration(to: .now)
    }

    deinit {
        let api = session.api
        for kernel in [evaluateKernel, boundKernel, proveKernel, childrenKernel].compactMap({ $0 }) { _ = api.ReleaseKernel!(kernel) }
        _ = api.ReleaseProgram!(program)
    }

    /// The largest work-group size `kernel` can run with on this device.
    func maxWorkGroupSize(_ kernel: cl_kernel) throws -> Int {
        var size = 0
        try clCheck(session.api.GetKernelWorkGroupInfo!(kernel, session.device.id, cl_kernel_work_group_info(CL_KERNEL_WORK_GROUP_SIZE),
                                                          MemoryLayout<Int>.size, &size, nil), "clGetKernelWorkGroupInfo")
        return min(size, session.device.maxWorkGroupSize)
    }

    /// Sets kernel arguments in order: integers by value, buffers by handle, `LocalBytes` as
    /// uninitialised local memory.
    func setArguments(_ kernel: cl_kernel, _ arguments: [KernelArgument]) throws {
        let api = session.api
        for (index, argument) in arguments.enumerated() {
            let status: cl_int
            switch argument {
            case .u64(var v): status = api.SetKernelArg!(kernel, cl_uint(index), 8, &v)
            case .i64(var v): status = api.SetKernelArg!(kernel, cl_uint(index), 8, &v)
            case .u32(var v): status = api.SetKernelArg!(kernel, cl_uint(index), 4, &v)
            case .i32(var v): status = api.SetKernelArg!(kernel, cl_uint(index), 4, &v)
            case .buffer(let buffer):
                var memory: cl_mem? = buffer.memory
                status = api.SetKernelArg!(kernel, cl_uint(index), MemoryLayout<cl_mem?>.size, &memory)
            case .local(let bytes): status = api.SetKernelArg!(kernel, cl_uint(index), bytes, nil)
            }
            try clCheck(status, "clSetKernelArg(\(index))")
        }
    }

    /// Runs `kernel` over `global` work-items in groups of `local`, waits for it, and returns
    /// how long that took.
    @discardableResult
    func run(_ kernel: cl_kernel, global: Int, local: Int) throws -> Duration {
        let started = ContinuousClock.now
        var globalSize = global, localSize = local
        try clCheck(session.api.EnqueueNDRangeKernel!(session.queue, kernel, 1, nil, &globalSize, &localSize, 0, nil, nil),
                    "clEnqueueNDRangeKernel(\(global) work-items, groups of \(local))")
        try clCheck(session.api.Finish!(session.queue), "clFinish")
        return started.duration(to: .now)
    }
}

enum KernelArgument {
    case u64(UInt64), i64(Int64), u32(UInt32), i32(Int32)
    case buffer(DeviceBuffer)
    case local(Int)
}
