import AutoconvCore

/// How the OpenCL engine launches its kernels. Every nil field takes the device's default
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
    /// Check each split of the child kernel against the hot window's bound as a quadratic in the
    /// split before its full bounds (Kernels/children.cl `ac_split_quadratic`, as
    /// `CPUEngine.splitQuadratics`); off only in the tests that show it changes nothing.
    public var splitQuadratics = true
    /// Run the self-test before the first job of each problem (on by default; experts only).
    public var selfTest = true
    /// Receives one-line notes (build and self-test times) for stderr.
    public var log: (@Sendable (String) -> Void)?
    /// Receives the build options and the build log.
    public var verboseLog: (@Sendable (String) -> Void)?

    public init() {}
}
