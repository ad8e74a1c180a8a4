import AutoconvCascade
import AutoconvCore
import AutoconvCPU
import Foundation
import Testing
import TestSupport

/// `autoconv bench-children` (hidden; scripts/deep-bench.sh compares builds by its output): its
/// counts and `survivors_sha256` are those of the CPU engine's expansion of the same parents, the
/// digest taken over the survivors in order, each part as 4 little-endian bytes.
struct BenchChildrenCLITests {
    /// The 9 level-0 survivors (d = 2) of (1, 10) at target 1, whose 29,769 children include the
    /// 246 survivors at d = 4 of the known answer.
    static func levelFile() throws -> String {
        let run = CascadeCLITests.directory()
        let made = try CLIRunner.run(["cascade", "--n", "1", "--m", "10", "--target", "1", "--max-d", "2", "--dir", run, "--quiet"])
        #expect(made.exitCode == 1, "not proven at d = 2: \(made)")
        return run + "/level-0.surv"
    }

    @Test func countsAndDigestAreTheEngines() throws {
        let file = try Self.levelFile()
        let result = try CLIRunner.run(["bench-children", file, "--backend", "cpu", "--threads", "1", "--json"])
        #expect(result.exitCode == 0, "\(result)")
        let json = try #require(result.json, "\(result)")

        let reader = try SurvivorReader(path: file)
        var parents: [[Int]] = []
        while let parent = try reader.next() { parents.append(parent) }
        let problem = try reader.header.problem.nextLevel()
        let job = ChildJob(problem: problem, cutoffs: ProveCutoffs(problem: problem, target: reader.header.target),
                           deltas: ChildFamily.relaxed.deltas, parents: parents)
        var digest = SHA256(), survivors = 0
        let counts = try CPUEngine(threads: 1).expand(job, survivors: { batch in
            for child in batch {
                survivors += 1
                for part in child { digest.update((0..<4).map { UInt8(truncatingIfNeeded: part >> (8 * $0)) }) }
            }
        }, stop: { false }, progress: nil)
        #expect(counts.survivors > 0 && survivors == Int(counts.survivors))
        #expect(json["parents"] as? String == String(parents.count))
        #expect(json["children"] as? String == String(counts.children))
        #expect(json["test_pruned"] as? String == String(counts.testPruned))
        #expect(json["survivors"] as? String == String(counts.survivors))
        #expect(json["survivors_sha256"] as? String == digest.hexDigest())
    }

    @Test func badStrideIsOneLineError() throws {
        let result = try CLIRunner.run(["bench-children", try Self.levelFile(), "--stride", "0", "--json"])
        #expect(result.exitCode != 0 && result.signal == nil, "\(result)")
        #expect(result.stderrLines.count == 1 && result.stderr.contains("stride"), "\(result)")
        #expect(result.stdout.isEmpty)
    }
}
