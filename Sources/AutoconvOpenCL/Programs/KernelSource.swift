import AutoconvCore

/// The kernel program text and its build options for one problem.
///
/// The sources are `Kernels/*.cl`, embedded at build time by the EmbedKernels plugin, with
/// the shared header `autoconv_shared.h` prepended (the host reads the same header through
/// COpenCL). Problem constants are `-D` options, so the compiler specialises every loop.
enum KernelSource {
    /// Every file, in program order: the header first, then the helpers every kernel uses
    /// (`ProblemProgram.Contents` picks the ones a program needs).
    static let files = ["autoconv_shared.h", "common.cl", "evaluate.cl", "search.cl", "bound.cl", "prove.cl", "children.cl"]

    /// `names` in order, each under a banner naming its file (build logs cite these).
    static func program(_ names: [String]) -> String {
        names.map { name in
            guard let text = EmbeddedKernels.files[name] else {
                preconditionFailure("kernel file \(name) was not embedded")
            }
            return "/* ---- \(name) ---- */\n" + text
        }.joined(separator: "\n")
    }

    /// `-D` constants for `problem` (see Kernels/common.cl). The binomial table lives in
    /// constant memory when it fits, else in global memory.
    static func buildOptions(for problem: Problem, tableInConstantMemory: Bool) -> String {
        [
            "-cl-std=CL1.2",
            "-DAC_N=\(problem.n)", "-DAC_M=\(problem.m)", "-DAC_MAXLEN=\(problem.maxLength)",
            "-DAC_REFINED=\(problem.rule == .refined ? 1 : 0)",
            "-DAC_TABLE_SPACE=\(tableInConstantMemory ? "__constant" : "__global")",
        ].joined(separator: " ")
    }
}

/// The whole embedded kernel program, so that result files can name the kernels that made them.
public enum KernelProgram {
    public static var text: String { KernelSource.program(KernelSource.files) }
}

extension WindowCutoffs {
    /// The cut-offs as the kernels take them: one `int` per window length ℓ, at index ℓ. The
    /// clamp to 32 bits never changes a decision: every value they are compared with lies in
    /// (−2^24, S²] ⊂ (−2^31, 2^31 − 1) (`WindowCutoffs`, Kernels/common.cl).
    var kernelCuts: [Int32] { byLength.map { Int32(clamping: $0) } }
}
