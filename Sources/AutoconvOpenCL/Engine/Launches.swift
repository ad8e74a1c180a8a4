import AutoconvCore

/// What one launch gives: its value, or, when its survivors did not fit the survivor buffer,
/// how many slots it would have needed. Nothing of an overflowing launch is counted or delivered.
enum LaunchOutcome<Value> {
    case done(Value)
    case overflow(needed: UInt64)
}

/// The engine's one launch loop: every kernel of every job runs through it.
///
/// It covers an index range (ranks, or a child batch's indices) with launches in index order,
/// each of at most `size()` indices at the time it starts. A launch whose survivors overflow the
/// buffer is run again with a buffer of the exact size when `grow` can make one (up to
/// `OpenCLConfiguration.maxSurvivorCapacity`), else split in halves, the first half next; so no
/// survivor is ever lost and delivery stays in index order. `stop` is polled before each launch
/// (`BatchStopped`). `finished` receives each completed launch with the time from its first
/// start to its end, reruns included.
enum LaunchLoop {
    static func run<Index: FixedWidthInteger & UnsignedInteger, Value>(
        _ whole: Range<Index>, size: () -> Index, grow: ((_ needed: UInt64) throws -> Bool)? = nil,
        stop: StopCheck? = nil,
        launch: (Range<Index>) throws -> LaunchOutcome<Value>,
        finished: (Range<Index>, Value, Duration) throws -> Void
    ) throws {
        var next = whole.lowerBound
        // Halves of launches that overflowed, the next one last.
        var halves: [Range<Index>] = []
        while true {
            let range: Range<Index>
            if let half = halves.popLast() {
                range = half
            } else {
                guard next < whole.upperBound else { break }
                range = next..<(next + min(size(), whole.upperBound - next))
                next = range.upperBound
            }
            if let stop, stop() { throw BatchStopped() }
            let started = ContinuousClock.now
            attempts: while true {
                switch try launch(range) {
                case .done(let value):
                    try finished(range, value, started.duration(to: .now))
                case .overflow(let needed):
                    if let grow, try grow(needed) { continue attempts }
                    precondition(range.width > 1, "a single index cannot overflow the survivor buffer")
                    let middle = range.lowerBound + range.width / 2
                    halves.append(middle..<range.upperBound)
                    halves.append(range.lowerBound..<middle)
                }
                break
            }
        }
    }
}

extension Range where Bound: FixedWidthInteger & UnsignedInteger {
    /// upperBound − lowerBound (`count` is an `Int`, too small for rank and child-index ranges).
    var width: Bound { upperBound - lowerBound }
}

/// A device buffer of survivor slots that grows to the exact size a launch needs.
final class SurvivorSlots<Element> {
    private let session: OpenCLSession
    private let maximum: Int
    private(set) var capacity: Int
    private(set) var buffer: DeviceBuffer

    init(session: OpenCLSession, capacity: Int, maximum: Int) throws {
        self.session = session
        self.maximum = maximum
        self.capacity = capacity
        buffer = try session.buffer(of: Element.self, count: capacity)
    }

    /// Makes room for `needed` survivors and returns true, or returns false when that is more
    /// than the maximum (the launch is then split).
    func grow(toHold needed: UInt64) throws -> Bool {
        guard needed <= UInt64(maximum) else { return false }
        capacity = Int(needed)
        buffer = try session.buffer(of: Element.self, count: capacity)
        return true
    }
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
