import AutoconvCore
import COpenCL

/// The cascade's children on an OpenCL device (Kernels/children.cl), with the same counts and
/// survivors as `CPUChildBackend`.
///
/// A batch of parents is one index space: parent p's children (in `ChildTree` addressing) follow
/// those of parents 0 … p−1, through prefix sums of the child counts, so small parents share a
/// launch, and a large parent spans several. A launch covers fewer than 2^62 of these indices
/// (at most `batchSize` when configured; sized to take about half a second), cut into segments (parent, first child) that the
/// work-items search by binary search, and into chunks (about eight per work-item, or
/// `ranksPerWorkItem` indices when configured) that the work-items take one after another from
/// a shared counter. Survivors come back as (parent, child index) and are rebuilt on the host
/// with `ChildTree.child(at:)`.
///
/// Before the first batch of each child problem the kernel is self-tested against the core
/// `Evaluator` on children of that batch's first parent (`ChildSelfTest`).
public final class OpenCLChildBackend: OpenCLEngine, ChildBackend {
    private var programs: [ProgramKey: ProblemProgram] = [:]

    private struct ProgramKey: Hashable {
        let problem: Problem
        let deltas: DeltaRange
    }

    /// Indices per launch, below 2^62 so that launch-local indices and tallies stay in 64 bits.
    static let maxLaunch: UInt128 = 1 << 62
    static let minLaunch: UInt128 = 1 << 16
    static let targetSeconds = 0.5
    /// The current launch size (`adaptLaunchSize`), kept from batch to batch.
    private var launchSize: UInt128 = 1 << 32

    public func expand(_ job: ChildJob, survivors: (_ batch: [[Int]]) throws -> Void,
                       stop: @escaping StopCheck, progress: ((_ parentsDone: Int) -> Void)?) throws -> ChildCounts {
        let trees = try job.trees()
        guard !trees.isEmpty else { return ChildCounts() }
        let program = try program(for: job, trees: trees)
        let launcher = try ChildLauncher(program: program, job: job, trees: trees, configuration: configuration)

        var counts = ChildCounts()
        var found: [[(index: UInt128, child: [Int])]] = Array(repeating: [], count: trees.count)
        // Launches in index order: the next `launchSize` indices, or the halves of a launch whose
        // survivors overflowed (a stack, first half last).
        var position: UInt128 = 0
        var halves: [(lower: UInt128, upper: UInt128)] = []
        let total = launcher.starts.last!, limit = launcher.launchLimit
        while true {
            let range: (lower: UInt128, upper: UInt128)
            if let half = halves.popLast() {
                range = half
            } else {
                guard position < total else { break }
                range = (position, position + min(launchSize, limit, total - position))
                position = range.upper
            }
            if stop() { throw BatchStopped() }
            let started = ContinuousClock.now
            switch try launcher.run(range) {
            case .overflow:
                let middle = range.lower + (range.upper - range.lower) / 2
                halves.append((middle, range.upper))
                halves.append((range.lower, middle))
            case .done(let launch, let records):
                counts.merge(launch)
                for record in records { found[record.parent].append((record.index, record.child)) }
                progress?(launcher.parentsBefore(range.upper))
                adaptLaunchSize(seconds: Seconds.value(started.duration(to: .now)), size: range.upper - range.lower)
            }
        }
        for (p, tree) in trees.enumerated() {
            let children = found[p].sorted { $0.index < $1.index }.map(\.child)
            let patterns = Set(children.map { ChildTree.pattern(of: $0, parent: tree.parent, deltas: job.deltas)! })
            counts.parents += 1
            counts.patterns += tree.patternCount
            counts.patternsPruned += tree.patternCount - UInt128(patterns.count)
            counts.children += tree.count
            if !children.isEmpty { try survivors(children) }
        }
        return counts
    }

    /// Launches aim at `targetSeconds` each, so that progress and Ctrl-C stay prompt however
    /// many children a batch holds: the size doubles after a fast full-size launch and halves
    /// after a slow one.
    private func adaptLaunchSize(seconds: Double, size: UInt128) {
        if seconds < Self.targetSeconds / 2 && size == launchSize {
            launchSize = min(launchSize * 2, Self.maxLaunch)
        } else if seconds > Self.targetSeconds * 2 {
            launchSize = max(launchSize / 2, Self.minLaunch)
        }
    }

    /// The child program for `job`, built and self-tested on first use.
    private func program(for job: ChildJob, trees: [ChildTree]) throws -> ProblemProgram {
        let key = ProgramKey(problem: job.problem, deltas: job.deltas)
        if let program = programs[key] { return program }
        let program = try ProblemProgram(session: session, problem: job.problem, contents: .children(job.deltas),
                                         verbose: configuration.verboseLog)
        configuration.log?("opencl: child kernel for d=\(job.problem.d) m=\(job.problem.m) built in \(Seconds.text(program.buildSeconds))")
        if configuration.selfTest {
            let launcher = try ChildLauncher(program: program, job: job, trees: [trees[0]], configuration: configuration)
            let checked = try ChildSelfTest.run(launcher, tree: trees[0], job: job)
            configuration.log?("opencl: child self-test passed (\(checked) children)")
        }
        programs[key] = program
        return program
    }
}

/// One batch's parents on the device and the launches over their children.
final class ChildLauncher {
    enum Outcome {
        /// More survivors than the largest buffer: split the range.
        case overflow
        case done(ChildCounts, [(parent: Int, index: UInt128, child: [Int])])
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
    private let asymmetryCutoff: Int32
    private var capacity: Int
    private var slots: DeviceBuffer

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
        cuts = try session.buffer(holding: OpenCLBackend.lengthCuts(job.problem, cutoffs))
        asymmetryCutoff = Int32(clamping: cutoffs.asymmetryCutoff)
        counter = try session.buffer(of: UInt32.self, count: 1)
        nextChunk = try session.buffer(of: UInt32.self, count: 1)
        resultGroups = plan.groups(for: plan.batchSize)
        results = try session.buffer(of: ac_child_counts.self, count: resultGroups)
        capacity = max(1, configuration.survivorCapacity)
        slots = try session.buffer(of: ac_child_survivor.self, count: capacity)
    }

    /// The most indices one launch may cover: `OpenCLChildBackend.maxLaunch`, the configured
    /// batch size, and fewer than 2^30 chunks (the kernel's 32-bit chunk counter).
    var launchLimit: UInt128 {
        let chunkCap = configuration.ranksPerWorkItem.map { UInt128($0) << 30 } ?? OpenCLChildBackend.maxLaunch
        return min(OpenCLChildBackend.maxLaunch, UInt128(configuration.batchSize ?? .max), chunkCap)
    }

    /// Parents whose children all lie below batch index `index`.
    func parentsBefore(_ index: UInt128) -> Int {
        var p = 0
        while p < trees.count && starts[p + 1] <= index { p += 1 }
        return p
    }

    /// Classifies the children with batch index in [range.lower, range.upper).
    func run(_ range: (lower: UInt128, upper: UInt128)) throws -> Outcome {
        let session = program.session
        let total = UInt64(range.upper - range.lower)
        var segments: [ac_child_segment] = []
        var p = parentsBefore(range.lower)
        while p < trees.count && starts[p] < range.upper {
            let first = max(range.lower, starts[p]) - starts[p]
            segments.append(ac_child_segment(parent: UInt64(p), first_lo: UInt64(truncatingIfNeeded: first),
                                             first_hi: UInt64(truncatingIfNeeded: first >> 64),
                                             start: UInt64(max(range.lower, starts[p]) - range.lower)))
            p += 1
        }
        let items = UInt64(plan.groups(for: plan.batchSize) * plan.workGroupSize)
        let chunk = configuration.ranksPerWorkItem ?? max(1, (total + 8 * items - 1) / (8 * items))
        let chunks = (total + chunk - 1) / chunk
        precondition(chunks < 1 << 30, "launches() keeps chunks below 2^30")
        let groups = Int((min(items, chunks) + UInt64(plan.workGroupSize) - 1) / UInt64(plan.workGroupSize))
        if groups > resultGroups {
            resultGroups = groups
            results = try session.buffer(of: ac_child_counts.self, count: groups)
        }
        let segmentBuffer = try session.buffer(holding: segments)
        while true {
            try session.write([UInt32(0)], to: counter)
            try session.write([UInt32(0)], to: nextChunk)
            try program.setArguments(kernel, [
                .u64(total), .u64(chunk), .buffer(nextChunk), .u32(UInt32(segments.count)), .buffer(segmentBuffer),
                .buffer(parents), .buffer(completions), .buffer(caps), .buffer(cuts), .i32(asymmetryCutoff),
                .u32(UInt32(capacity)), .buffer(counter), .buffer(slots),
                .buffer(results), .local(plan.workGroupSize * MemoryLayout<ac_child_counts>.stride),
            ])
            try program.run(kernel, global: groups * plan.workGroupSize, local: plan.workGroupSize)
            var launch = ChildCounts()
            for group in try session.read(results, count: groups, as: ac_child_counts.self) {
                launch.asymmetryPruned += UInt128(group.asym_pruned)
                launch.testPruned += UInt128(group.test_pruned)
                launch.survivors += UInt128(group.survivors)
            }
            guard launch.asymmetryPruned + launch.testPruned + launch.survivors == UInt128(total) else {
                throw CoreError.failure("OpenCL: \(session.device.name) classified \(launch.asymmetryPruned + launch.testPruned + launch.survivors) of the \(total) children in a launch")
            }
            // The 32-bit slot counter may wrap past 2^32 survivors; the reduced count is exact.
            if launch.survivors > UInt128(capacity) {
                guard launch.survivors <= UInt128(configuration.maxSurvivorCapacity) else { return .overflow }
                capacity = Int(launch.survivors)
                slots = try session.buffer(of: ac_child_survivor.self, count: capacity)
                continue
            }
            let filled = Int(try session.read(counter, count: 1, as: UInt32.self)[0])
            guard UInt128(filled) == launch.survivors else {
                throw CoreError.failure("OpenCL: \(session.device.name) filled \(filled) survivor slots for \(launch.survivors) survivors")
            }
            let records = try session.read(slots, count: filled, as: ac_child_survivor.self).map { record in
                let parent = Int(record.parent), index = UInt128(record.index_hi) << 64 | UInt128(record.index_lo)
                guard parent < trees.count, let child = trees[parent].child(at: index)?.child,
                      range.lower <= starts[parent] + index, starts[parent] + index < range.upper else {
                    throw CoreError.failure("OpenCL: \(session.device.name) reported survivor \(index) of parent \(parent), outside its launch")
                }
                return (parent: parent, index: index, child: child)
            }
            return .done(launch, records)
        }
    }
}
