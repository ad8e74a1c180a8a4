import AutoconvCore
import AutoconvCPU
@testable import AutoconvEngines
import AutoconvOpenCL
import Dispatch
import Foundation
import Synchronization
import Testing
import TestSupport

/// An engine that waits before every call: `delay` (a slow device), and, before its first
/// call, until `waitFor` is signalled (so a fast member cannot finish the whole job before a
/// slow one has even started, whatever the scheduler does). `started` is signalled at the
/// start of every call.
final class PacedEngine: Engine, @unchecked Sendable {
    // @unchecked: `firstCall` is touched only by the one dealer thread that drives this
    // member; the semaphores are thread-safe.
    let inner: Engine
    let delay: UInt32
    let started = DispatchSemaphore(value: 0)
    let waitFor: DispatchSemaphore?
    private var firstCall = true
    /// Calls that throw instead of working, counted down (for the error path).
    var failAfter: Int?

    init(_ inner: Engine, delayMicroseconds: UInt32, waitFor: DispatchSemaphore? = nil) {
        self.inner = inner
        delay = delayMicroseconds
        self.waitFor = waitFor
    }

    var name: String { inner.name }
    var deviceDescription: String { "paced \(delay) µs: " + inner.deviceDescription }

    private func pace() throws {
        started.signal()
        if firstCall, let waitFor {
            firstCall = false
            _ = waitFor.wait(timeout: .now() + .seconds(20))
        }
        if let calls = failAfter {
            if calls == 0 { throw CoreError.failure("paced engine failed on purpose") }
            failAfter = calls - 1
        }
        usleep(delay)
    }

    func bound(_ job: Job, progress: ProgressHandler?) throws -> BoundPartial {
        try pace()
        return try inner.bound(job, progress: progress)
    }

    func prove(_ job: Job, cutoffs: ProveCutoffs, survivors: SurvivorHandler?, progress: ProgressHandler?) throws -> ProveCounts {
        try pace()
        return try inner.prove(job, cutoffs: cutoffs, survivors: survivors, progress: progress)
    }

    func expand(_ job: ChildJob, survivors: ([[Int]]) throws -> Void, stop: @escaping StopCheck,
                progress: ((Int) -> Void)?) throws -> ChildCounts {
        try pace()
        return try inner.expand(job, survivors: survivors, stop: stop, progress: progress)
    }
}

/// `DeviceGroup` gives what one engine gives, byte for byte, however unequal its members.
@Suite struct DeviceGroupTests {
    static let problem = try! Problem(n: 2, m: 5)
    static let target = try! TargetParser.parse("1.2")
    /// The cascade's level 0 → 1 at (1, 8), target 1: 9 parents, 19,113 children, 699 survivors.
    static let parentProblem = try! Problem(n: 1, m: 8)
    static let parentTarget = Fraction(1)

    /// A slow member (4 ms a piece) and a fast one that starts only once the slow one has.
    static func unequalPair() -> (group: DeviceGroup, slow: PacedEngine, fast: PacedEngine) {
        let slow = PacedEngine(CPUEngine(threads: 1), delayMicroseconds: 4000)
        let fast = PacedEngine(CPUEngine(threads: 1), delayMicroseconds: 0, waitFor: slow.started)
        let group = DeviceGroup(members: [slow, fast])
        group.minimumPiece = 1   // tiny jobs, cut as finely as a large one would be
        return (group, slow, fast)
    }

    static func expand(_ engine: Engine, _ job: ChildJob) throws -> (counts: ChildCounts, survivors: [[Int]], calls: Int) {
        var survivors: [[Int]] = [], calls = 0
        let counts = try engine.expand(job, survivors: { survivors += $0; calls += 1 }, stop: { false }, progress: nil)
        return (counts, survivors, calls)
    }

    /// `limit` level-0 survivors of (n, m) for `target`, spread evenly over them in rank order.
    static func parents(_ problem: Problem, target: Fraction, limit: Int) throws -> [[Int]] {
        var all: [[Int]] = []
        _ = try CPUEngine(threads: 2).prove(try Job(problem: problem), cutoffs: ProveCutoffs(problem: problem, target: target),
                                             survivors: { all += $0.map(\.composition) }, progress: nil)
        return (0..<min(limit, all.count)).map { all[$0 * all.count / min(limit, all.count)] }
    }

    @Test func boundAndProveMatchOneEngineWithASlowMember() throws {
        let job = try Job(problem: Self.problem)
        let reference = CPUEngine(threads: 2)
        let (group, _, _) = Self.unequalPair()
        #expect(try group.bound(job, progress: nil) == (try reference.bound(job, progress: nil)))

        let cutoffs = ProveCutoffs(problem: Self.problem, target: Self.target)
        var expected: [Survivor] = [], actual: [Survivor] = []
        let expectedCounts = try reference.prove(job, cutoffs: cutoffs, survivors: { expected += $0 }, progress: nil)
        var reported: [UInt64] = []
        let counts = try group.prove(job, cutoffs: cutoffs, survivors: { actual += $0 }, progress: { reported.append($0) })
        #expect(counts == expectedCounts)
        #expect(expectedCounts.survivors > 0 && actual == expected)
        #expect(reported.last == job.range.count && reported == reported.sorted())
        // Both did work (the fast one more), and the shares add up to both jobs' ranks.
        #expect(group.work.allSatisfy { $0 > 0 }, "\(group.work)")
        #expect(group.work[1] > group.work[0], "the fast member should do more: \(group.work)")
        #expect(group.work.reduce(0, +) == 2 * UInt128(job.range.count))
    }

    @Test func expandMatchesOneEngineWhenParentsAreSplit() throws {
        let child = try Self.parentProblem.nextLevel()
        let parents = try Self.parents(Self.parentProblem, target: Self.parentTarget, limit: 9)
        let job = ChildJob(problem: child, cutoffs: ProveCutoffs(problem: child, target: Self.parentTarget),
                           deltas: .relaxed, parents: parents)
        let expected = try Self.expand(CPUEngine(threads: 2), job)
        #expect(expected.counts.survivors > 0 && expected.counts.parents == 9)
        let (group, _, _) = Self.unequalPair()
        // Few pieces per member: runs of parents. Many: most parents split into child ranges.
        for perMember in [2, 16, 100] {
            group.piecesPerMember = perMember
            let plan = ChildPiece.plan(try job.trees(), span: nil, pieces: 2 * perMember)
            let actual = try Self.expand(group, job)
            #expect(actual.counts == expected.counts, "\(perMember) pieces per member")
            #expect(actual.survivors == expected.survivors, "\(perMember) pieces per member")
            // One survivor batch per parent with survivors, as one engine hands them over.
            #expect(actual.calls == expected.calls, "\(perMember) pieces per member")
            if perMember == 100 { #expect(plan.contains { if case .part = $0 { true } else { false } }) }
        }
        #expect(group.work.allSatisfy { $0 > 0 }, "\(group.work)")
    }

    @Test func aFailingMemberFailsTheJobAndAStopStopsIt() throws {
        let job = try Job(problem: Self.problem)
        let (group, slow, _) = Self.unequalPair()
        slow.failAfter = 1
        #expect(throws: CoreError.self) { try group.bound(job, progress: nil) }

        let child = try Self.parentProblem.nextLevel()
        let parents = try Self.parents(Self.parentProblem, target: Self.parentTarget, limit: 9)
        let childJob = ChildJob(problem: child, cutoffs: ProveCutoffs(problem: child, target: Self.parentTarget),
                                deltas: .relaxed, parents: parents)
        let (stopped, _, _) = Self.unequalPair()
        let calls = Atomic<Int>(0)
        #expect(throws: BatchStopped.self) {
            _ = try stopped.expand(childJob, survivors: { _ in }, stop: { calls.add(1, ordering: .relaxed).newValue > 3 }, progress: nil)
        }
    }

    /// A parent's child-index range cut into pieces (`ChildJob.indices`) gives the same
    /// counts and survivors as the whole parent, on the CPU engine and on OpenCL.
    @Test func childRangePiecesAddUpToTheWholeParent() throws {
        let child = try Self.parentProblem.nextLevel()
        let parents = try Self.parents(Self.parentProblem, target: Self.parentTarget, limit: 9)
        let cutoffs = ProveCutoffs(problem: child, target: Self.parentTarget)
        // The parent with most surviving children.
        func whole(_ parent: [Int]) -> ChildJob { ChildJob(problem: child, cutoffs: cutoffs, deltas: .relaxed, parents: [parent]) }
        let cpu = CPUEngine(threads: 2)
        let parent = try #require(try parents.max { try Self.expand(cpu, whole($0)).counts.survivors < Self.expand(cpu, whole($1)).counts.survivors })
        let tree = try #require(ChildTree(parent: parent, deltas: .relaxed))
        var random = SeededGenerator(seed: 11)
        let engines: [Engine] = [cpu, try OpenCLEngine(device: try OpenCLDevices.select(nil))]
        for engine in engines {
            let expected = try Self.expand(engine, whole(parent))
            #expect(expected.counts.survivors > 0)
            // Random cut points, an empty piece included.
            var cuts = (0..<6).map { _ in UInt128(UInt64.random(in: 0...UInt64(tree.count), using: &random)) } + [0, tree.count, 5]
            cuts.sort()
            var counts = ChildCounts(), survivors: [[Int]] = []
            for (lo, hi) in zip(cuts, cuts.dropFirst()) {
                let piece = try Self.expand(engine, ChildJob(problem: child, cutoffs: cutoffs, deltas: .relaxed,
                                                             parents: [parent], indices: lo..<hi))
                #expect(piece.counts.parents == 0 && piece.counts.patterns == 0)
                counts.merge(piece.counts)
                survivors += piece.survivors
            }
            counts.addParent(tree, survivors: survivors)
            #expect(counts == expected.counts, "\(engine.name)")
            #expect(survivors == expected.survivors, "\(engine.name)")
        }
        #expect(throws: CoreError.self) {
            _ = try Self.expand(CPUEngine(threads: 1), ChildJob(problem: child, cutoffs: cutoffs, deltas: .relaxed,
                                                                parents: [parent], indices: 0..<(tree.count + 1)))
        }
    }

    /// Two OpenCL sessions (on the default device) as a group equal the CPU engine.
    @Test func openCLGroupMatchesCPU() throws {
        let device = try OpenCLDevices.select(nil)
        let group = DeviceGroup(members: [try OpenCLEngine(device: device), try OpenCLEngine(device: device)])
        group.minimumPiece = 1
        let job = try Job(problem: Self.problem)
        let cutoffs = ProveCutoffs(problem: Self.problem, target: Self.target)
        var expected: [Survivor] = [], actual: [Survivor] = []
        let cpu = CPUEngine(threads: 2)
        #expect(try group.prove(job, cutoffs: cutoffs, survivors: { actual += $0 }, progress: nil)
                == (try cpu.prove(job, cutoffs: cutoffs, survivors: { expected += $0 }, progress: nil)))
        #expect(actual == expected)
        #expect(try group.bound(job, progress: nil) == (try cpu.bound(job, progress: nil)))
        let child = try Self.parentProblem.nextLevel()
        let childJob = ChildJob(problem: child, cutoffs: ProveCutoffs(problem: child, target: Self.parentTarget), deltas: .relaxed,
                                parents: try Self.parents(Self.parentProblem, target: Self.parentTarget, limit: 9))
        group.piecesPerMember = 40
        let groupResult = try Self.expand(group, childJob), cpuResult = try Self.expand(cpu, childJob)
        #expect(groupResult.counts == cpuResult.counts && groupResult.survivors == cpuResult.survivors)
    }
}

/// How a batch is cut: every parent once, in order, a split parent's ranges contiguous.
@Suite struct ChildPieceTests {
    @Test func piecesCoverEveryChildOnceInOrder() throws {
        let parents = [[3, 0, 1], [0, 0, 4], [1, 1, 2], [9, 2, 1], [0, 4, 0], [2, 2, 0]]
        let trees = parents.map { ChildTree(parent: $0, deltas: .relaxed)! }
        for pieces in [1, 3, 7, 50, 5000] {
            let plan = ChildPiece.plan(trees, span: nil, pieces: pieces)
            var nextParent = 0, nextIndex: UInt128 = 0
            for piece in plan {
                switch piece {
                case .parents(let range):
                    #expect(range.lowerBound == nextParent && nextIndex == 0 && !range.isEmpty)
                    nextParent = range.upperBound
                case .part(let parent, let indices, let last):
                    #expect(parent == nextParent && indices.lowerBound == nextIndex && !indices.isEmpty)
                    nextIndex = indices.upperBound
                    #expect(last == (nextIndex == trees[parent].count))
                    if last { nextParent += 1; nextIndex = 0 }
                }
            }
            #expect(nextParent == trees.count && nextIndex == 0, "\(pieces) pieces")
            let weight = plan.reduce(UInt128(0)) { $0 + $1.children(trees) }
            #expect(weight == trees.reduce(0) { $0 + $1.count })
        }
    }
}
