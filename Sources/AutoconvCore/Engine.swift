/// Called now and then from the thread that started the run, with the ranks finished so far.
public typealias ProgressHandler = (_ done: UInt64) -> Void
/// Receives survivors in rank order, batch by batch, from the thread that started the run.
public typealias SurvivorHandler = (_ batch: [Survivor]) throws -> Void

/// Returns true once the run should stop early (a signal arrived); polled between units of work.
public typealias StopCheck = @Sendable () -> Bool

/// Thrown by `Engine.expand` when it stopped early because its `StopCheck` said so; the batch's
/// partial results are discarded and the batch is redone on resume.
public struct BatchStopped: Error, Equatable {
    public init() {}
}

/// Everything one device does: single-level find-min and prove over rank ranges, and the
/// cascade's children of a batch of parents. There is one implementation per backend
/// (`CPUEngine`, `OpenCLEngine`), each for one device, and `DeviceGroup` (AutoconvEngines),
/// which deals one job to several of them; `Engines.make` chooses. Every engine
/// gives identical results for the same job: the same minima and minimisers, counts, and
/// survivors in the same order.
public protocol Engine {
    /// `cpu` or `opencl`: what the JSON `backend` field says.
    var name: String { get }
    /// What actually runs, e.g. "CPU (2 threads)" or an OpenCL device's summary.
    var deviceDescription: String { get }

    /// Find-min mode (method.md §4) over the canonical compositions of `job.range`.
    func bound(_ job: Job, progress: ProgressHandler?) throws -> BoundPartial

    /// Prove mode (method.md §3) over every composition of `job.range`; survivors are handed
    /// over in rank order when `survivors` is given.
    func prove(_ job: Job, cutoffs: ProveCutoffs, survivors: SurvivorHandler?, progress: ProgressHandler?) throws -> ProveCounts

    /// Classifies every child of `job.parents` (method.md §5). Survivors are handed over parent
    /// by parent, in parent order and child-index order, on the calling thread; `progress`
    /// receives the number of parents finished. Throws `BatchStopped` when `stop` returned true
    /// before the batch was complete.
    func expand(_ job: ChildJob, survivors: (_ batch: [[Int]]) throws -> Void,
                stop: @escaping StopCheck, progress: ((_ parentsDone: Int) -> Void)?) throws -> ChildCounts
}
