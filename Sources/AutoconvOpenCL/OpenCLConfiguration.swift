import AutoconvCore

/// How the OpenCL backend launches its kernels. Every nil field takes the device's default
/// (`LaunchPlan`). None of these settings can change a result, only how fast it comes.
public struct OpenCLConfiguration: Sendable {
    /// Work-items per work-group.
    public var workGroupSize: Int?
    /// Ranks per kernel launch; progress is reported between launches.
    public var batchSize: UInt64?
    /// Consecutive ranks each work-item walks.
    public var ranksPerWorkItem: UInt64?
    /// Survivor slots per launch in prove mode at first; a launch that finds more is re-run
    /// with a buffer of the exact size, up to `maxSurvivorCapacity`, beyond which it is split.
    public var survivorCapacity = 1 << 20
    public var maxSurvivorCapacity = 1 << 24
    /// Run the self-test before the first job of each problem (on by default; experts only).
    public var selfTest = true
    /// Receives one-line notes (build and self-test times) for stderr.
    public var log: (@Sendable (String) -> Void)?
    /// Receives the build options and the build log.
    public var verboseLog: (@Sendable (String) -> Void)?

    public init() {}
}

/// The launch geometry for one device and configuration.
struct LaunchPlan {
    let workGroupSize: Int
    let ranksPerWorkItem: UInt64
    let batchSize: UInt64

    /// Defaults: GPUs get many work-groups of 256 with short walks; CPU devices (POCL) get a
    /// few groups per core with long walks, since each work-item runs serially there.
    init(device: OpenCLDevice, configuration: OpenCLConfiguration, kernelLimit: Int, maxBatch: UInt64) throws {
        let isGPU = device.kind == .gpu
        let group = configuration.workGroupSize ?? min(isGPU ? 256 : 64, kernelLimit)
        guard group >= 1, group <= kernelLimit else {
            throw CoreError.badInput("work-group size \(group) is not between 1 and \(kernelLimit), the largest \(device.name) allows for these kernels")
        }
        let perItem = configuration.ranksPerWorkItem ?? (isGPU ? 512 : 16384)
        guard perItem >= 1, perItem < 1 << 32 else {
            throw CoreError.badInput("ranks per work-item must be between 1 and 2^32 − 1 (got \(perItem))")
        }
        let groups = UInt64(max(1, device.computeUnits)) * (isGPU ? 64 : 8)
        let batch = configuration.batchSize ?? groups * UInt64(group) * perItem
        guard batch >= 1 else { throw CoreError.badInput("batch size must be at least 1 (got \(batch))") }
        workGroupSize = group
        ranksPerWorkItem = perItem
        // At most 2^22 work-groups per launch keeps the per-group result buffer small.
        batchSize = min(batch, maxBatch, (UInt64(1) << 22) * UInt64(group) * perItem)
    }

    /// Work-groups needed to cover `count` ranks.
    func groups(for count: UInt64) -> Int {
        let items = (count + ranksPerWorkItem - 1) / ranksPerWorkItem
        return Int((items + UInt64(workGroupSize) - 1) / UInt64(workGroupSize))
    }
}
