import AutoconvCore
import Dispatch
import Foundation
import Synchronization

/// A member engine handed to the thread `Dealer` drives it from.
///
/// `Engine` is not `Sendable`, and need not be: an `OpenCLEngine` keeps per-device state (its
/// session, program cache and paced launch size) that only one thread may use at a time. During
/// a deal each member is used by exactly one thread, the one `Dealer.run` starts for it, and the
/// thread that started the deal does not touch any member until every member thread has ended
/// (`run` waits for all of them before it returns, also when it throws). That hand-over, not a
/// lock, is what makes passing the reference between threads safe; hence `@unchecked`.
struct MemberEngine: @unchecked Sendable {
    let engine: Engine
}

/// Deals numbered pieces of work to member engines: each member is driven from a thread of its
/// own, which takes the next piece from one shared counter whenever it is free, so a slow device
/// never holds work a fast one could do and never idles the others. Finished pieces are kept
/// until every earlier piece is finished, then handed to `release` in piece order on the
/// calling thread: whatever order the devices finish in, the caller sees the same sequence.
enum Dealer {
    /// What a member thread is given for one piece: its engine, the piece number, a sink for
    /// the piece's progress so far (in the unit of `weights`), and a check that says the deal
    /// is being abandoned (another piece failed, or the caller's `stop` said so).
    typealias Work<Output> = @Sendable (_ engine: Engine, _ piece: Int,
                                        _ inFlight: @escaping @Sendable (UInt64) -> Void,
                                        _ abandoned: @escaping StopCheck) throws -> Output

    /// The deal's shared state: only ever touched under its `Mutex`.
    private struct Table<Output> {
        var next = 0
        /// Finished pieces not yet released, by piece number.
        var finished: [Int: Output] = [:]
        /// Per member: the weight of its finished pieces, and the progress of its piece in flight.
        var work: [UInt128]
        var inFlight: [UInt64]
        var finishedWeight: UInt128 = 0
        var alive: Int
        var error: Error?
        var stopped = false
    }

    /// Runs every piece `0 ..< weights.count` and releases each, in order. `weights[i]` is
    /// piece i's size (ranks or children): it feeds `progress` (called on the calling thread
    /// about every quarter second with the weight finished so far, plus the members' progress
    /// within their pieces) and the returned work of each member. The first error of a piece or
    /// of `release` abandons the deal: no further piece starts, the running ones are told
    /// through `abandoned`, and the error is rethrown once every member thread has ended. When
    /// `stop` says so, likewise, and `BatchStopped` is thrown.
    static func run<Output: Sendable>(
        members: [MemberEngine], weights: [UInt128], stop: StopCheck? = nil,
        work: @escaping Work<Output>,
        release: (_ piece: Int, _ output: Output) throws -> Void,
        progress: ((_ done: UInt128) -> Void)? = nil
    ) throws -> [UInt128] {
        let count = weights.count
        let table = Mutex(Table<Output>(work: Array(repeating: 0, count: members.count),
                                        inFlight: Array(repeating: 0, count: members.count),
                                        alive: members.count))
        let abandon = Atomic<Bool>(false)
        let abandoned: StopCheck = { abandon.load(ordering: .relaxed) || (stop?() ?? false) }
        let wake = DispatchSemaphore(value: 0)

        for (m, member) in members.enumerated() {
            let thread = Thread {
                defer {
                    table.withLock { $0.alive -= 1 }
                    wake.signal()
                }
                while !abandon.load(ordering: .relaxed) {
                    let piece: Int? = table.withLock { t in
                        guard t.next < count else { return nil }
                        defer { t.next += 1 }
                        return t.next
                    }
                    guard let piece else { return }
                    if let stop, stop() {
                        table.withLock { $0.stopped = true }
                        return
                    }
                    do {
                        let output = try work(member.engine, piece, { done in table.withLock { $0.inFlight[m] = done } }, abandoned)
                        table.withLock { t in
                            t.finished[piece] = output
                            t.work[m] += weights[piece]
                            t.finishedWeight += weights[piece]
                            t.inFlight[m] = 0
                        }
                        wake.signal()
                    } catch {
                        abandon.store(true, ordering: .relaxed)
                        // A member that stopped because another failed says BatchStopped: the
                        // real cause is kept.
                        table.withLock { t in if t.error == nil || t.error is BatchStopped { t.error = error } }
                        return
                    }
                }
            }
            // Searches recurse at most d deep, but OpenCL drivers like a roomy stack.
            thread.stackSize = 8 << 20
            thread.start()
        }

        var released = 0
        var releaseError: Error?
        while true {
            // Read before taking the finished pieces: once no thread is alive, every piece that
            // will ever finish is in `finished` already.
            let (alive, ready, done) = table.withLock { t -> (Int, [Output], UInt128) in
                var ready: [Output] = []
                while let output = t.finished.removeValue(forKey: released + ready.count) { ready.append(output) }
                return (t.alive, ready, t.finishedWeight + t.inFlight.reduce(0) { $0 + UInt128($1) })
            }
            if releaseError == nil {
                for output in ready {
                    do {
                        try release(released, output)
                        released += 1
                    } catch {
                        releaseError = error
                        abandon.store(true, ordering: .relaxed)
                        break
                    }
                }
            }
            if releaseError == nil { progress?(done) }
            if alive == 0 { break }
            _ = wake.wait(timeout: .now() + .milliseconds(250))
        }
        let (error, stopped, work) = table.withLock { ($0.error, $0.stopped, $0.work) }
        if let releaseError { throw releaseError }
        if let error { throw error }
        if stopped { throw BatchStopped() }
        guard released == count else {
            throw CoreError.failure("the device group released \(released) of \(count) pieces")
        }
        return work
    }
}
