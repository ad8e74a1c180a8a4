import AutoconvCore
import Foundation
import Testing
import TestSupport
@testable import AutoconvCheck

/// `verify RUN_DIR` accepts what `autoconv cascade` writes and catches tampering with its levels.
@Suite struct CascadeVerifyTests {
    /// Runs `autoconv cascade arguments… --dir D` in a fresh folder and returns D.
    static func run(_ arguments: [String]) throws -> String {
        let dir = try CLIRunner.temporaryFolder().appendingPathComponent("run").path
        let result = try CLIRunner.run(["cascade"] + arguments + ["--dir", dir])
        precondition(result.exitCode == 0 || result.exitCode == 1, "\(result)")
        return dir
    }

    /// (1, 10) at target 0.9: 9 + 3 survivors at d = 2, proven at d = 4 from 10,067 children,
    /// small enough to be checked exhaustively.
    static let small = try! run(["--n", "1", "--m", "10", "--target", "0.9", "--levels", "1"])
    /// (1, 10) at target 1: 9 survivors at d = 2, 246 at d = 4, proven at d = 8, where the
    /// parents have too many children to enumerate in a test.
    static let deeper = try! run(["--n", "1", "--m", "10", "--target", "1", "--levels", "2"])

    /// A copy of `run` that a test may edit.
    static func copy(_ run: String) throws -> String {
        let dir = try CLIRunner.temporaryFolder().appendingPathComponent("run").path
        try FileManager.default.copyItem(atPath: run, toPath: dir)
        return dir
    }

    /// Rewrites level `level`'s survivors through `change` as a valid file (right count and
    /// checksum) and the state's survivor count to match (resealed), so that only the deeper
    /// checks can notice.
    static func rewrite(_ dir: String, level: Int, _ change: (inout [[Int]]) throws -> Void) throws {
        let path = "\(dir)/level-\(level).surv"
        let (header, original) = try SurvivorFormat.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        var records = original
        try change(&records)
        records.sort { $0.lexicographicallyPrecedes($1) }
        var body: [UInt8] = []
        for c in records { SurvivorFormat.encode(record: c, into: &body) }
        let bytes = SurvivorFormat.encode(header) + body + SurvivorFormat.trailer(count: UInt64(records.count), checksum: SurvivorFormat.checksum(body))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try RunFiles.setStateField(dir, line: "finished \(level)", field: 9, to: "\(records.count)")
    }

    static func verdict(_ dir: String, sample: Int = 20) -> CheckVerdict {
        CascadeVerifier(directory: dir).verify(sample: sample, seed: 3).verdict
    }

    static func reason(_ verdict: CheckVerdict) -> String {
        if case .notVerified(let reason) = verdict { return reason }
        return "accepted: \(verdict)"
    }

    @Test func smallProvenRunIsVerifiedThroughTheCLI() throws {
        let text = try CLIRunner.run(["verify", Self.small])
        #expect(text.exitCode == 0, "\(text)")
        #expect(text.stdout.split(separator: "\n").last == "VERIFIED: C >= 9/10", "\(text)")
        let json = try CLIRunner.run(["verify", Self.small, "--json"])
        #expect(json.exitCode == 0, "\(json)")
        let object = try #require(json.json, "\(json)")
        #expect(object["outcome"] as? String == "verified" && object["exhaustive"] as? Bool == true)
        #expect(object["message"] as? String == "VERIFIED: C >= 9/10")
        let levels = try #require(object["levels"] as? [[String: Any]])
        #expect(levels.count == 2)
        // Level 0 classifies all 41 compositions; level 1 all children of the 3 parents.
        #expect(levels.first?["space_checked"] as? String == "41")
        #expect(levels.last?["children_classified"] as? String == "10067")
        #expect(levels.allSatisfy { $0["exhaustive"] as? Bool == true })
    }

    @Test func deeperRunIsSpotCheckedAndSaysWhatWasSampled() throws {
        let result = try CLIRunner.run(["verify", Self.deeper, "--sample", "10", "--seed", "5"])
        #expect(result.exitCode == 0, "\(result)")
        let last = try #require(result.stdout.split(separator: "\n").last)
        #expect(last.hasPrefix("SPOT-CHECKED: level 2:"), "\(result)")
        #expect(!last.contains("level 1"), "level 1 is small enough to be exhaustive: \(last)")
        for line in result.stdout.split(separator: "\n") {
            #expect(!CascadeLedgerVerifyTests.statesABound(String(line)), "a sampled check states a bound: \(line)")
        }
    }

    @Test func exactChildrenAreNotAProof() throws {
        let dir = try Self.run(["--n", "1", "--m", "4", "--target", "1", "--levels", "1", "--children", "exact"])
        let result = try CLIRunner.run(["verify", dir])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("NOT VERIFIED: children 'exact'"), "\(result)")
    }

    /// A consistent run whose final level keeps survivors proves nothing, but is not broken either.
    @Test func unprovenRunIsNotProven() throws {
        let dir = try Self.run(["--n", "1", "--m", "10", "--target", "1", "--levels", "1"])
        #expect(Self.verdict(dir) == .notProven(survivors: "246"))
        let result = try CLIRunner.run(["verify", dir])
        #expect(result.exitCode == 1 && result.stdout.hasSuffix("NOT PROVEN: consistent, 246 survivors remain\n"), "\(result)")
    }

    @Test func deletedSurvivorIsCaught() throws {
        let dir = try Self.copy(Self.deeper)
        try Self.rewrite(dir, level: 1) { $0.remove(at: $0.count / 2) }
        #expect(Self.reason(Self.verdict(dir)).contains("is missing from"))
    }

    @Test func deletedLevelZeroSurvivorIsCaught() throws {
        let dir = try Self.copy(Self.small)
        try Self.rewrite(dir, level: 0) { $0.removeFirst() }
        #expect(Self.reason(Self.verdict(dir)).contains("level 0 survivor"))
    }

    @Test func recordWithoutParentIsCaught() throws {
        let dir = try Self.copy(Self.deeper)
        let parents = try SurvivorFormat.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/level-0.surv")))).1
        // (0, 40) is not a level-0 survivor (asymmetric), so its child (0, 0, 40, 40) has no listed parent.
        #expect(!parents.contains([0, 40]))
        try Self.rewrite(dir, level: 1) { $0.append([0, 0, 40, 40]) }
        #expect(Self.reason(Self.verdict(dir)).contains("whose parent [0, 40] is not a survivor"))
    }

    @Test func childThatDoesNotSurviveIsCaught() throws {
        let dir = try Self.copy(Self.deeper)
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/level-0.surv"))
        let parent = try #require(try SurvivorFormat.decode([UInt8](data)).1.first)
        let listed = Set(try SurvivorFormat.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/level-1.surv")))).1)
        // A child of a listed parent that Core's Evaluator prunes (independent of the checker).
        let problem = try Problem(n: 2, m: 10, rule: .refined, windows: .twoD)
        let evaluator = Evaluator(problem: problem)
        let cutoffs = ProveCutoffs(problem: problem, target: Fraction(1))
        var pruned: [Int]?
        PlainChildren.forEach(of: parent) { u in
            if pruned == nil, !listed.contains(u), evaluator.verdict(u, cutoffs: cutoffs) != .survivor { pruned = u }
        }
        let child = try #require(pruned)
        try Self.rewrite(dir, level: 1) { $0.append(child) }
        #expect(Self.reason(Self.verdict(dir)).contains("\(child), which is not a plain survivor"))
    }

    /// A damaged file is tampering found by the check: NOT VERIFIED (exit 1), not bad input.
    @Test func corruptFileIsNotVerified() throws {
        let dir = try Self.copy(Self.small)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/level-0.surv")))
        bytes[SurvivorFormat.headerSize] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/level-0.surv"))
        let result = try CLIRunner.run(["verify", dir])
        #expect(result.exitCode == 1, "\(result)")
        let last = result.stdout.split(separator: "\n").last ?? ""
        #expect(last.hasPrefix("NOT VERIFIED: survivor file") && last.contains("checksum mismatch"), "\(result)")
    }

    /// The plain child family against Core's `ChildTree` (its count) and against itself
    /// (every enumerated child's parent, distinctness, random children being children).
    @Test(arguments: [[0, 6], [3, 0, 0, 5], [0, 0, 4, 0], [2, 1, 0, 3, 0, 2]])
    func plainChildrenMatchTheFamily(parent: [Int]) throws {
        var children: [[Int]] = []
        PlainChildren.forEach(of: parent) { children.append($0) }
        let tree = try #require(ChildTree(parent: parent, deltas: .relaxed))
        #expect(UInt128(children.count) == tree.count)
        #expect(PlainChildren.count(of: parent, cappedAt: 1 << 40) == UInt64(children.count))
        #expect(PlainChildren.count(of: parent, cappedAt: 5) == min(5, UInt64(children.count)))
        #expect(Set(children).count == children.count)
        #expect(children.allSatisfy { PlainChildren.parent(of: $0) == parent })
        let all = Set(children)
        var generator = SplitMix64(seed: 11)
        for _ in 0..<200 { #expect(all.contains(PlainChildren.random(of: parent, using: &generator))) }
    }
}
