@testable import AutoconvCascade
import AutoconvCore
import AutoconvCPU
import Foundation
import Testing
import TestSupport

/// Level sharding (issue 11 §2): shards of a level run apart (any order, killed and resumed),
/// then merged by the next exclusive open, give byte for byte the files of a run made whole;
/// a merge with a shard missing, unfinished, foreign or edited is refused by name.
@Suite(.serialized)
struct CascadeShardTests {
    static let parameters = RunFixtures.openParameters

    /// A new run of `parameters` with nothing done yet (its level 0 open).
    static func newRun() throws -> String {
        let dir = RunFixtures.temporaryDirectory()
        _ = try RunDirectory(path: dir, parameters: parameters, binaryVersion: RunFixtures.binary)
        return dir
    }

    /// Runs shard `shard` of the level in progress as a shard process does.
    @discardableResult
    static func runShard(_ dir: String, _ shard: Shard, stop: @escaping StopCheck = { false }) throws -> ShardDirectory {
        let run = try RunDirectory(sharingWithShards: dir, binaryVersion: RunFixtures.binary)
        let cascade = try Cascade(directory: run, engine: CPUEngine(threads: 1), stop: stop, events: { _ in })
        cascade.checkpointSeconds = 0
        return try cascade.runShard(shard)
    }

    /// Works (or merges) the level in progress and stops after it.
    static func oneLevel(_ dir: String) throws -> CascadeOutcome {
        let cascade = try Cascade(directory: try RunDirectory(path: dir, parameters: nil, binaryVersion: RunFixtures.binary),
                                  engine: CPUEngine(threads: 1), stop: { false }, events: { _ in })
        cascade.checkpointSeconds = 0
        cascade.stopAfterLevel = true
        return try cascade.run()
    }

    static func shards(_ count: Int) -> [Shard] { (0..<count).map { try! Shard(index: $0, count: count) } }

    static func expectSameFiles(_ dir: String, as reference: String, levels: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        for level in 0..<levels {
            let a = FileManager.default.contents(atPath: "\(dir)/level-\(level).surv")
            let b = FileManager.default.contents(atPath: "\(reference)/level-\(level).surv")
            #expect(a != nil && a == b, "level-\(level).surv differs from the whole run's", sourceLocation: sourceLocation)
        }
    }

    /// The refusal (`badInput`) that `body` throws, or nil.
    static func refusal(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch CoreError.badInput(let message) {
            return message
        } catch {
            return "\(error)"
        }
    }

    @Test func shardedLevelsInAnyOrderEqualAWholeRun() throws {
        let dir = try Self.newRun()
        // Level 0 in 2 shards, level 1 in 5 (13 parents: 2 or 3 each), run out of order.
        let ranges = try Self.shards(2).reversed().map { shard in
            let done = try Self.runShard(dir, shard)
            #expect(done.isDone)
            return done.range
        }
        // The 49 compositions of (d, S) = (2, 48), split at ⌊49/2⌋.
        #expect(ranges == [24..<49, 0..<24])
        let afterZero = try Self.oneLevel(dir)
        #expect(afterZero.paused && afterZero.levels.count == 1 && !afterZero.proven)
        for index in [3, 0, 4, 1, 2] { try Self.runShard(dir, try Shard(index: index, count: 5)) }
        // A finished shard run again reports again and changes nothing.
        #expect(try Self.runShard(dir, try Shard(index: 3, count: 5)).isDone)
        let outcome = try RunFixtures.resume(dir)
        #expect(!outcome.paused && RunFixtures.counts(outcome) == RunFixtures.openCounts)
        Self.expectSameFiles(dir, as: RunFixtures.notProven, levels: 2)
        // The shards keep their state and ledger as the record; their survivors are merged away.
        let kept = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/level-1.shard-4-of-5").sorted()
        #expect(kept == ["ledger", "lock", "state"], "\(kept)")
    }

    /// More shards than `SurvivorSorter.fanIn` (and more than parents: some are empty) merge
    /// through intermediate runs, which are gone afterwards.
    @Test func moreShardsThanTheMergeFanInStillGiveTheWholeRunsFiles() throws {
        let dir = try Self.newRun()
        for shard in Self.shards(SurvivorSorter.fanIn + 4) { try Self.runShard(dir, shard) }
        _ = try Self.oneLevel(dir)
        for shard in Self.shards(3 * SurvivorSorter.fanIn) { try Self.runShard(dir, shard) }
        #expect(try RunFixtures.counts(RunFixtures.resume(dir)) == RunFixtures.openCounts)
        Self.expectSameFiles(dir, as: RunFixtures.notProven, levels: 2)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".run-") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func aShardStoppedMidwayResumesAndTheMergeIsStillIdentical() throws {
        let dir = try Self.newRun()
        _ = try Self.oneLevel(dir)
        try Self.runShard(dir, try Shard(index: 1, count: 2))
        let checks = Atomic(0)
        do {
            // Stopped at its third batch: the two before are checkpointed.
            try Self.runShard(dir, try Shard(index: 0, count: 2), stop: { checks.add(); return checks.current > 2 })
            Issue.record("the shard was not stopped")
        } catch let interrupted as CascadeInterrupted {
            #expect(interrupted.shard == (try Shard(index: 0, count: 2)))
            #expect(interrupted.resumeCommand.hasSuffix("--resume \(dir) --shard 0/2"))
        }
        let merge = Self.refusal { _ = try Self.oneLevel(dir) }
        #expect(merge?.contains("shards 0/2 are missing or unfinished") == true, "\(merge ?? "merged")")
        // As if killed (SIGKILL) just after its next batch's ledger line and sorted run were
        // written but before its state: both are dropped on resume.
        let shardDirectory = "\(dir)/level-1.shard-0-of-2"
        let ledger = try FileHandle(forWritingTo: URL(fileURLWithPath: shardDirectory + "/ledger"))
        try ledger.seekToEnd()
        try ledger.write(contentsOf: Data("batch 6 7 1 2 0 100 0 100 0 \(String(repeating: "0", count: 64))\n".utf8))
        try ledger.close()
        try FileManager.default.copyItem(atPath: "\(RunFixtures.notProven)/level-1.surv", toPath: shardDirectory + "/run-99.surv")
        #expect(try Self.runShard(dir, try Shard(index: 0, count: 2)).isDone)
        #expect(!FileManager.default.fileExists(atPath: shardDirectory + "/run-99.surv"))
        #expect(try RunFixtures.counts(RunFixtures.resume(dir)) == RunFixtures.openCounts)
        Self.expectSameFiles(dir, as: RunFixtures.notProven, levels: 2)
    }

    @Test func shardsAndTheMergeRefuseWhatDoesNotFit() throws {
        let dir = try Self.newRun()
        _ = try Self.oneLevel(dir)
        try Self.runShard(dir, try Shard(index: 0, count: 3))
        // The split is recorded: another M is refused.
        let otherCount = Self.refusal { try Self.runShard(dir, try Shard(index: 0, count: 4)) }
        #expect(otherCount?.contains("is split into 3 shards") == true, "\(otherCount ?? "ran")")
        // One exclusive holder (a merge) and shards exclude each other.
        do {
            let shared = try RunDirectory(sharingWithShards: dir, binaryVersion: RunFixtures.binary)
            #expect(RunFixtures.refusal(dir)?.contains("is in use by shard processes") == true)
            withExtendedLifetime(shared) {}
        }
        for shard in [1, 2] { try Self.runShard(dir, try Shard(index: shard, count: 3)) }

        // A foreign shard directory, and an edited shard state, are refused by name.
        let foreign = try RunFixtures.copy(dir)
        try FileManager.default.createDirectory(atPath: "\(foreign)/level-1.shard-3-of-4", withIntermediateDirectories: false)
        let stray = Self.refusal { _ = try Self.oneLevel(foreign) }
        #expect(stray?.contains("level-1.shard-3-of-4' is not one of the 3 shards") == true, "\(stray ?? "merged")")
        let edited = try RunFixtures.copy(dir)
        let state = "\(edited)/level-1.shard-2-of-3/state"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: state)))
        bytes[bytes.count / 2] ^= 1
        try RunFixtures.write(bytes, to: state)
        let damaged = Self.refusal { _ = try Self.oneLevel(edited) }
        #expect(damaged?.contains("level-1.shard-2-of-3': its state is damaged") == true, "\(damaged ?? "merged")")
        // A shard from another split of the level, put in place of one of these, is refused.
        let swapped = try RunFixtures.copy(dir)
        let other = try RunFixtures.copy(dir)
        try FileManager.default.removeItem(atPath: "\(other)/level-1.shards")
        for shard in Self.shards(3) { try FileManager.default.removeItem(atPath: "\(other)/\(ShardDirectory.name(level: 1, shard: shard))") }
        try Self.runShard(other, try Shard(index: 0, count: 2))
        try FileManager.default.removeItem(atPath: "\(swapped)/level-1.shard-0-of-3/state")
        try FileManager.default.copyItem(atPath: "\(other)/level-1.shard-0-of-2/state", toPath: "\(swapped)/level-1.shard-0-of-3/state")
        let wrong = Self.refusal { _ = try Self.oneLevel(swapped) }
        #expect(wrong?.contains("belongs to another run, level or split") == true, "\(wrong ?? "merged")")

        // The intact one merges to the whole run's files; afterwards no shard can start on the ended run.
        #expect(try RunFixtures.counts(RunFixtures.resume(dir)) == RunFixtures.openCounts)
        Self.expectSameFiles(dir, as: RunFixtures.notProven, levels: 2)
        let ended = Self.refusal { try Self.runShard(dir, try Shard(index: 0, count: 3)) }
        #expect(ended?.contains("has ended (not-proven at level 1)") == true, "\(ended ?? "ran")")
    }

    @Test func aLevelStartedWholeCannotBeSharded() throws {
        let dir = try RunFixtures.copy(RunFixtures.midLevelOne)
        let refused = Self.refusal { try Self.runShard(dir, try Shard(index: 0, count: 2)) }
        #expect(refused?.contains("level 1 of '\(dir)' was started whole") == true, "\(refused ?? "ran")")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/level-1.shards"))
    }
}
