import AutoconvCore
import Dispatch
import Synchronization

/// The CPU engine's one pool of worker threads.
///
/// Units of work are numbered 0 ..< count, far more than threads, so that uneven pruning
/// balances out and progress moves smoothly. Each worker thread makes its own worker state once
/// (`worker`), then takes units in order from a shared counter; results are returned in unit
/// order, so nothing depends on which thread ran what.
struct WorkerPool {
    let threads: Int

    /// Runs every unit and returns the results in unit order. `progress` is called about every
    /// quarter second, and once at the end, with the summed `weight` of the finished units.
    /// When `stop` is given it is polled before each unit; once it returns true no further
    /// unit starts and `BatchStopped` is thrown when the running ones are done.
    func run<Result: Sendable>(
        count: Int, weight: @escaping @Sendable (_ unit: Int) -> UInt64 = { _ in 1 },
        stop: StopCheck? = nil, progress: ((_ done: UInt64) -> Void)?,
        worker: @escaping @Sendable () -> (_ unit: Int) -> Result
    ) throws -> [Result] {
        let next = Atomic<Int>(0)
        let done = Atomic<UInt64>(0)
        let stopped = Atomic<Bool>(false)
        let results = Mutex<[Result?]>(Array(repeating: nil, count: count))
        let group = DispatchGroup()
        for _ in 0..<min(threads, max(count, 1)) {
            DispatchQueue.global().async(group: group) {
                let work = worker()
                while true {
                    if let stop, stop() {
                        stopped.store(true, ordering: .relaxed)
                        break
                    }
                    let unit = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard unit < count else { break }
                    let result = work(unit)
                    results.withLock { $0[unit] = result }
                    done.wrappingAdd(weight(unit), ordering: .relaxed)
                }
            }
        }
        while group.wait(timeout: .now() + .milliseconds(250)) == .timedOut {
            progress?(done.load(ordering: .relaxed))
        }
        if stopped.load(ordering: .relaxed) { throw BatchStopped() }
        progress?(done.load(ordering: .relaxed))
        return results.withLock { $0.map { $0! } }
    }
}
