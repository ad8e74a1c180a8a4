import AutoconvCore
import Foundation
import Testing
import TestSupport
@testable import AutoconvCheck

/// `verify RUN --shard r/M` and `verify RUN --merge` (issue 11 §3): the parts split the
/// re-derivation exactly (their counts add up to the whole check's), a defect is found by the
/// part that owns it, a part states no verdict, and the merge requires every part, made for this
/// result with one seed and sample, before it gives the whole check's verdict.
@Suite(.serialized)
struct CascadeVerifyPartsTests {
    static let proven = CascadeVerifyTests.small

    static func parts(_ dir: String, _ count: Int, verifier: (String) -> CascadeVerifier = { CascadeVerifier(directory: $0) })
        -> [CascadeVerifier.Report] {
        (0..<count).map { verifier(dir).verify(sample: 7, seed: 5, part: try! Shard(index: $0, count: count)) }
    }

    /// Per level: what was enumerated and classified, summed over `reports`.
    static func work(_ reports: [CascadeVerifier.Report]) -> [[UInt64]] {
        let levels = reports[0].levels.count
        return (0..<levels).map { level in
            reports.reduce([0, 0, 0]) { sum, report in
                let l = report.levels[level]
                return [sum[0] + l.spaceChecked, sum[1] + l.recordsClassified, sum[2] + l.childrenClassified]
            }
        }
    }

    @Test(arguments: [1, 2, 3, 7])
    func partsSplitTheWholeCheckExactly(count: Int) throws {
        let whole = CascadeVerifier(directory: Self.proven).verify(sample: 7, seed: 5)
        #expect(whole.verdict == .verified(target: "9/10"))
        let parts = Self.parts(Self.proven, count)
        for (index, part) in parts.enumerated() {
            #expect(part.verdict == .partChecked(part: "\(index)/\(count)", sampled: ""), "\(part.verdict)")
            #expect(!part.verdict.line.contains("VERIFIED") && !part.verdict.line.contains(">="))
        }
        #expect(Self.work(parts) == Self.work([whole]), "the parts' work does not add up to the whole check's")
        // With tiny limits, parts whose share is over them sample within it and say so (limits
        // apply to a part's share: 7 parts of level 0's 41 compositions are all exhaustive).
        let sampled = Self.parts(Self.proven, count) { CascadeVerifier(directory: $0, exhaustiveLimit: 10, parentChildLimit: 100) }
        for part in sampled where count <= 2 {
            guard case .partChecked(_, let what) = part.verdict else { Issue.record("\(part.verdict)"); continue }
            #expect(!what.isEmpty, "a sampled part must say what it sampled")
        }
    }

    @Test func aMissingSurvivorIsFoundByThePartThatOwnsItsParent() throws {
        let dir = try CascadeVerifyTests.copy(Self.proven)
        // Level 1 of the proven run is empty; level 0's file loses a survivor instead.
        var removed: [Int] = []
        try CascadeVerifyTests.rewrite(dir, level: 0) { records in removed = records.remove(at: records.count / 2) }
        let parts = Self.parts(dir, 4)
        let finders = parts.enumerated().filter { CascadeVerifyTests.reason($0.element.verdict).contains("\(removed) is missing") }
        #expect(finders.count == 1, "\(parts.map { CascadeVerifyTests.reason($0.verdict) })")
        // The other parts pass their share of level 0 and fail later (a count, or the certificate).
        #expect(parts.allSatisfy { CascadeVerifyTests.reason($0.verdict) != "accepted: \($0.verdict)" })
    }

    @Test func theMergeJoinsEveryPartOrNamesWhatIsWrong() throws {
        let dir = try CascadeVerifyTests.copy(Self.proven)
        func verify(_ arguments: [String]) throws -> CLIRunner.Result { try CLIRunner.run(["verify", dir] + arguments) }
        let none = try verify(["--merge"])
        #expect(none.exitCode == 1 && none.stdout.contains("NOT VERIFIED: '\(dir)/verify' holds no parts"), "\(none)")
        for index in 0..<3 {
            let part = try verify(["--shard", "\(index)/3", "--seed", "11"])
            #expect(part.exitCode == 0 && part.stdout.hasSuffix("PART \(index)/3 CHECKED: exhaustively; a part states nothing about the run until every part is merged (verify RUN --merge)\n"), "\(part)")
            #expect(!part.stdout.contains("VERIFIED:") && !part.stdout.contains("C >="))
        }
        let merged = try verify(["--merge", "--json"])
        #expect(merged.exitCode == 0 && merged.json?["message"] as? String == "VERIFIED: C >= 9/10", "\(merged)")

        let part1 = "\(dir)/verify/part-1-of-3"
        let saved = try Data(contentsOf: URL(fileURLWithPath: part1))
        try FileManager.default.removeItem(atPath: part1)
        #expect(try verify(["--merge"]).stdout.contains("NOT VERIFIED: part 1/3 is missing ('\(part1)'): run verify \(dir) --shard 1/3"))
        #expect(try verify(["--shard", "1/3", "--seed", "12"]).exitCode == 0)
        #expect(try verify(["--merge"]).stdout.contains("used seed 12 and sample 1000, not 11 and 1000"))
        var edited = [UInt8](saved)
        edited[edited.count / 3] ^= 1
        try Data(edited).write(to: URL(fileURLWithPath: part1))
        #expect(try verify(["--merge"]).stdout.contains("NOT VERIFIED: '\(part1)' is damaged or was edited"))
        try saved.write(to: URL(fileURLWithPath: part1))
        #expect(try verify(["--merge"]).exitCode == 0)
        // Parts made for another result: the run's certificate changed since (resealed state
        // and certificate of a run whose level 0 lost a survivor would be caught by the parts
        // themselves; here only the certificate's bytes change).
        try RunFiles.reseal("\(dir)/certificate") { lines in lines = lines.map { $0.hasPrefix("kernel-hash ") ? "kernel-hash other" : $0 } }
        #expect(try verify(["--merge"]).stdout.contains("checked another result than the run's certificate now names"))
    }

    @Test func partsAreForCascadeRunsAndExcludeMerge() throws {
        let certificate = try CLIRunner.temporaryFolder().appendingPathComponent("cert").path
        #expect(try CLIRunner.run(["prove", "--n", "2", "--m", "5", "--target", "1", "--threads", "1", "--certificate", certificate]).exitCode ?? 9 <= 1)
        let refused = try CLIRunner.run(["verify", certificate, "--shard", "0/2"])
        #expect(refused.exitCode == 2 && refused.stderr.contains("is a prove certificate"), "\(refused)")
        let both = try CLIRunner.run(["verify", Self.proven, "--shard", "0/2", "--merge"])
        #expect(both.exitCode == 2 && both.stderr.contains("not both"), "\(both)")
    }
}
