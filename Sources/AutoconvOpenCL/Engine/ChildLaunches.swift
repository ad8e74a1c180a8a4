import AutoconvCore
import COpenCL

/// The cascade's children on the device (Kernels/children.cl), with the same counts and
/// survivors as `CPUEngine`.
///
/// A batch of parents is one index space: parent p's children (in `ChildTree` addressing) follow
/// those of parents 0 … p−1, through prefix sums of the child counts, so small parents share a
/// launch, and a large parent spans several. A launch covers fewer than 2^62 of these indices
/// (at most `batchSize` when configured; paced to take about half a second), cut into segments
/// (parent, first child) that the work-items search by binary search, and into chunks (about
/// eight per work-item, or `ranksPerWorkItem` indices when configured) that the work-items take
/// one after another from a shared counter. Survivors come back as (parent, child index) and
/// are rebuilt on the host with `ChildTree.child(at:)`.
///
/// Before the first batch of each child problem the kernel is self-tested against the core
/// `Evaluator` on children of that batch's first parent (`ChildSelfTest`).
extension OpenCLEngine {
    public func expand(_ job: ChildJob, survivors: (_ batch: [[Int]]) throws -> Void,
                       stop: @escaping StopCheck, progress: ((_ parentsDone: Int) -> Void)?) throws -> ChildCounts {
        let trees = try job.trees()
        guard !trees.isEmpty else { return ChildCounts() }
        let program = try programs.program(job.problem, .children(job.deltas, stats: job.collectStats,
                                                                  quadratics: configuration.splitQuadratics)) { program in
            try ChildSelfTest.run(ChildLauncher(program: program, job: job, trees: [trees[0]], configuration: configuration), job: job)
        }
        let launcher = try ChildLauncher(program: program, job: job, trees: trees, configuration: configuration)

        var counts = ChildCounts()
        var found: [[(index: UInt128, child: [Int])]] = Array(repeating: [], count: trees.count)
        // A piece of one parent (`ChildJob.indices`): its batch indices are its child indices.
        let span = job.indices ?? 0..<launcher.starts.last!
        try launcher.run(span, size: { min(childLaunchSize, launcher.launchLimit) }, stop: stop) { range, launch, elapsed in
            counts.merge(launch.counts)
            for record in launch.records { found[record.parent].append((record.index, record.child)) }
            progress?(launcher.parentsBefore(range.upperBound))
            childLaunchSize = Pace.next(childLaunchSize, tookSeconds: elapsed.seconds, fullSize: range.width == childLaunchSize,
                                        targetSeconds: Self.childLaunchSeconds, minimum: Self.minChildLaunch, maximum: Self.maxChildLaunch)
        }
        for (p, tree) in trees.enumerated() {
            let children = found[p].sorted { $0.index < $1.index }.map(\.child)
            // A piece of a parent leaves its patterns to whoever split it (`ChildJob.indices`).
            if job.indices == nil { counts.addParent(tree, survivors: children) }
            let classified = job.span(of: tree)
            counts.children += classified.upperBound - classified.lowerBound
            if !children.isEmpty { try survivors(children) }
        }
        return counts
    }
}

/// One batch's parents on the device and the launches over their children.
final class ChildLauncher {
    /// One launch's counts and surviving children (parent, index in the parent's tree, child).
    struct Launch {
        var counts = ChildCounts()
        var records: [(parent: Int, index: UInt128, child: [Int])] = []
    }

    let program: ProblemProgram
    let trees: [ChildTree]
    let configuration: OpenCLConfiguration
    /// starts[p]: the batch index of parent p's first child; starts[count] is the total.
    let starts: [UInt128]
    private let plan: LaunchPlan
    private let kernel: cl_kernel
    private let parents: DeviceBuffer, completions: DeviceBuffer, caps: DeviceBuffer, cuts: DeviceBuffer
    private let counter: DeviceBuffer, nextChunk: DeviceBuffer
    private var results: DeviceBuffer, resultGroups: Int
    /// ChildSearchStats per work-group when the program counts (AC_STATS), else one unused entry.
    private let statsSize: Int, statsPairs: Int
    private var stats: DeviceBuffer
    private let asymmetryCutoff: Int32
    private let slots: SurvivorSlots<ac_child_survivor>

    init(program: ProblemProgram, job: ChildJob, trees: [ChildTree], configuration: OpenCLConfiguration) throws {
        guard let kernel = program.childrenKernel else { preconditionFailure("child kernel missing") }
        self.program = program
        self.trees = trees
        self.configuration = configuration
        self.kernel = kernel
        let session = program.session
        var starts: [UInt128] = [0]
        for tree in trees {
            let (next, overflow) = starts.last!.addingReportingOverflow(tree.count)
            guard !overflow else { throw CoreError.failure("a batch of \(trees.count) parents has 2^128 children or more") }
            starts.append(next)
        }
        self.starts = starts
        plan = try LaunchPlan(device: session.device, configuration: configuration,
                              kernelLimit: try program.maxWorkGroupSize(kernel), maxBatch: .max)
        parents = try session.buffer(holding: trees.flatMap { $0.parent.map(Int32.init) })
        completions = try session.buffer(holding: trees.flatMap { tree in
            tree.completions.flatMap { [UInt64(truncatingIfNeeded: $0), UInt64(truncatingIfNeeded: $0 >> 64)] }
        })
        let cutoffs = job.cutoffs
        caps = try session.buffer(holding: cutoffs.singleBinCaps(job.problem).map { Int32($0) })
        cuts = try session.buffer(holding: cutoffs.windows.kernelCuts)
        asymmetryCutoff = Int32(clamping: cutoffs.asymmetryCutoff)
        counter = try session.buffer(of: UInt32.self, count: 1)
        nextChunk = try session.buffer(of: UInt32.self, count: 1)
        resultGroups = plan.groups(for: plan.batchSize)
        results = try session.buffer(of: ac_child_counts.self, count: resultGroups)
        statsPairs = job.problem.d / 2
        statsSize = job.collectStats ? ChildSearchStats.size(pairs: statsPairs) : 0
        stats = try session.buffer(of: UInt64.self, count: max(1, resultGroups * statsSize))
        slots = try SurvivorSlots(session: session, capacity: max(1, configuration.survivorCapacity),
                                  maximum: configuration.maxSurvivorCapacity)
    }

    /// The most indices one launch may cover: `OpenCLEngine.maxChildLaunch`, the configured
    /// batch size, and fewer than 2^30 chunks (the kernel's 32-bit chunk counter).
    var launchLimit: UInt128 {
        let chunkCap = configuration.ranksPerWorkItem.map { UInt128($0) << 30 } ?? OpenCLEngine.maxChildLaunch
        return min(OpenCLEngine.maxChildLaunch, UInt128(configuration.batchSize ?? .max), chunkCap)
    }

    /// Parents whose children all lie below batch index `index`.
    func parentsBefore(_ index: UInt128) -> Int {
        var p = 0
        while p < trees.count && starts[p + 1] <= index { p += 1 }
        return p
    }

    /// Classifies the children with batch index in `range` through the `LaunchLoop`, in
    /// launches of at most `size()` indices; `finished` receives each launch in index order.
    func run(_ range: Range<UInt128>, size: () -> UInt128, stop: StopCheck? = nil,
             finished: (Range<UInt128>, Launch, Duration) throws -> Void) throws {
        try LaunchLoop.run(range, size: size, grow: slots.grow, stop: stop, launch: launch, finished: finished)
    }

    /// One launch over the children with batch index in `range` (below 2^62 of them).
    private func launch(_ range: Range<UInt128>) throws -> LaunchOutcome<Launch> {
        let session = program.session
        let total = UInt64(range.width)
        var segments: [ac_child_segment] = []
        var p = parentsBefore(range.lowerBound)
        while p < trees.count && starts[p] < range.upperBound {
            let first = max(range.lowerBound, starts[p]) - starts[p]
            segments.append(ac_child_segment(parent: UInt64(p), first_lo: UInt64(truncatingIfNeeded: first),
                                             first_hi: UInt64(truncatingIfNeeded: first >> 64),
                                             start: UInt64(max(range.lowerBound, starts[p]) - range.lowerBound)))
            p += 1
        }
        let items = UInt64(plan.groups(for: plan.batchSize) * plan.workGroupSize)
        let chunk = configuration.ranksPerWorkItem ?? max(1, (total + 8 * items - 1) / (8 * items))
        let chunks = (total + chunk - 1) / chunk
        precondition(chunks < 1 << 30, "launchLimit keeps chunks below 2^30")
        let groups = Int((min(items, chunks) + UInt64(plan.workGroupSize) - 1) / UInt64(plan.workGroupSize))
        if groups > resultGroups {
            resultGroups = groups
            results = try session.buffer(of: ac_child_counts.self, count: groups)
            if statsSize > 0 { stats = try session.buffer(of: UInt64.self, count: groups * statsSize) }
        }
        let segmentBuffer = try session.buffer(holding: segments)
        try session.write([UInt32(0)], to: counter)
        try session.write([UInt32(0)], to: nextChunk)
        try program.setArguments(kernel, [
            .u64(total), .u64(chunk), .buffer(nextChunk), .u32(UInt32(segments.count)), .buffer(segmentBuffer),
            .buffer(parents), .buffer(completions), .buffer(caps), .buffer(cuts), .i32(asymmetryCutoff),
            .u32(UInt32(slots.capacity)), .buffer(counter), .buffer(slots.buffer),
            .buffer(results), .local(plan.workGroupSize * MemoryLayout<ac_child_counts>.stride), .buffer(stats),
        ])
        try program.run(kernel, global: groups * plan.workGroupSize, local: plan.workGroupSize)
        var launch = Launch()
        for group in try session.read(results, count: groups, as: ac_child_counts.self) {
            launch.counts.asymmetryPruned += UInt128(group.asym_pruned)
            launch.counts.testPruned += UInt128(group.test_pruned)
            launch.counts.survivors += UInt128(group.survivors)
        }
        if statsSize > 0 {
            let rows = try session.read(stats, count: groups * statsSize, as: UInt64.self)
            var sum = ChildSearchStats(pairs: statsPairs)
            for k in rows.indices { sum.values[k % statsSize] &+= rows[k] }
            launch.counts.stats = sum
        }
        let classified = launch.counts.asymmetryPruned + launch.counts.testPruned + launch.counts.survivors
        guard classified == UInt128(total) else {
            throw CoreError.failure("OpenCL: \(session.device.name) classified \(classified) of the \(total) children in a launch")
        }
        // The 32-bit slot counter may wrap past 2^32 survivors; the reduced count is exact.
        if launch.counts.survivors > UInt128(slots.capacity) { return .overflow(needed: UInt64(launch.counts.survivors)) }
        let filled = Int(try session.read(counter, count: 1, as: UInt32.self)[0])
        guard UInt128(filled) == launch.counts.survivors else {
            throw CoreError.failure("OpenCL: \(session.device.name) filled \(filled) survivor slots for \(launch.counts.survivors) survivors")
        }
        launch.records = try session.read(slots.buffer, count: filled, as: ac_child_survivor.self).map { record in
            let parent = Int(record.parent), index = UInt128(record.index_hi) << 64 | UInt128(record.index_lo)
            guard parent < trees.count, let child = trees[parent].child(at: index)?.child,
                  range.contains(starts[parent] + index) else {
                throw CoreError.failure("OpenCL: \(session.device.name) reported survivor \(index) of parent \(parent), outside its launch")
            }
            return (parent: parent, index: index, child: child)
        }
        return .done(launch)
    }
}
