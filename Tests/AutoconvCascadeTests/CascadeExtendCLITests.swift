import Foundation
import Testing
import TestSupport

/// `cascade --resume RUN --levels K / --max-d D` (issue 11 §2): a run that stopped at its
/// final level, not proven, goes on deeper, and ends with the files of a run that had the
/// deeper limit from the start, which `verify` accepts.
@Suite(.serialized)
struct CascadeExtendCLITests {
    /// (1, 8) at target 1: 9 survivors at d = 2, 699 at d = 4 (d = 8 would take minutes).
    static let parameters = ["--n", "1", "--m", "8", "--target", "1", "--threads", "2"]

    static func cascade(_ arguments: [String]) throws -> CLIRunner.Result {
        try CascadeRunCLITests.cascade(arguments + ["--json", "--quiet"])
    }

    /// The JSON levels without their times, for comparing two runs.
    static func levels(_ run: CLIRunner.Result) -> [[String: String]] {
        (run.json?["levels"] as? [[String: Any]] ?? []).map { level in
            level.filter { $0.key != "elapsed_seconds" && $0.key != "rate" }.mapValues { "\($0)" }
        }
    }

    static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    @Test func anExtendedRunEqualsARunThatWentThereInOneGo() throws {
        let extended = try CascadeRunCLITests.directory(), oneGo = try CascadeRunCLITests.directory()
        let first = try Self.cascade(Self.parameters + ["--levels", "0", "--dir", extended])
        #expect(first.exitCode == 1 && first.json?["final_level"] as? Int == 0, "\(first)")
        let second = try Self.cascade(["--resume", extended, "--max-d", "4"])
        #expect(second.exitCode == 1 && second.json?["final_level"] as? Int == 1, "\(second)")
        #expect(second.stderr.contains("extending the run from level 0 to level 1 (d = 4)"), "\(second)")

        let reference = try Self.cascade(Self.parameters + ["--levels", "1", "--dir", oneGo])
        #expect(reference.exitCode == 1, "\(reference)")
        #expect(Self.levels(second) == Self.levels(reference) && Self.levels(second).count == 2)
        for file in ["manifest", "level-0.surv", "level-1.surv"] {
            let a = Self.bytes("\(extended)/\(file)"), b = Self.bytes("\(oneGo)/\(file)")
            #expect(a != nil && a == b, "\(file) differs")
        }
        // verify: exit 1 is a consistent run that is not proven, 2 would be a rejected one.
        let verified = try CLIRunner.run(["verify", extended])
        #expect(verified.exitCode == 1 && verified.stdout.contains("consistent"), "\(verified)")

        // The same through --levels, from a run proven on the way: it stops where it is proven.
        let proven = try CascadeRunCLITests.directory()
        #expect(try Self.cascade(CascadeRunCLITests.small + ["--levels", "0", "--dir", proven]).exitCode == 1)
        let deeper = try Self.cascade(["--resume", proven, "--levels", "3"])
        #expect(deeper.exitCode == 0 && deeper.json?["proven_at_d"] as? Int == 4 && deeper.json?["final_level"] as? Int == 3, "\(deeper)")
        #expect(try CLIRunner.run(["verify", proven]).exitCode == 0)
    }

    @Test func anExtensionCutShortBetweenManifestAndStateIsFinishedOnResume() throws {
        let dir = try CascadeRunCLITests.directory(), oneGo = try CascadeRunCLITests.directory()
        #expect(try Self.cascade(Self.parameters + ["--levels", "0", "--dir", dir]).exitCode == 1)
        // As if `extend` had written its manifest and then died.
        try RunFiles.reseal("\(dir)/manifest") { lines in
            lines = lines.map { $0 == "final-level 0" ? "final-level 1" : $0 }
        }
        let resumed = try Self.cascade(["--resume", dir])
        #expect(resumed.exitCode == 1 && resumed.json?["final_level"] as? Int == 1, "\(resumed)")
        let reference = try Self.cascade(Self.parameters + ["--levels", "1", "--dir", oneGo])
        #expect(Self.levels(resumed) == Self.levels(reference) && Self.levels(resumed).count == 2, "\(resumed)\n\(reference)")
        #expect(Self.bytes("\(dir)/level-1.surv") == Self.bytes("\(oneGo)/level-1.surv"))
        #expect(try CLIRunner.run(["verify", dir]).exitCode == 1)
    }

    @Test func onlyADeeperLimitExtendsARun() throws {
        let dir = try CascadeRunCLITests.directory()
        #expect(try Self.cascade(Self.parameters + ["--levels", "1", "--dir", dir]).exitCode == 1)
        func refuse(_ arguments: [String], _ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            CascadeRunCLITests.expectRefusal(try CascadeRunCLITests.cascade(arguments), mentioning: text, sourceLocation: sourceLocation)
        }
        try refuse(["--resume", dir, "--levels", "1"], "already goes to level 1 (d = 4)")
        try refuse(["--resume", dir, "--max-d", "2"], "already goes to level 1 (d = 4)")
        try refuse(["--resume", dir, "--max-d", "6"], "max-d 6 is not")
        try refuse(["--resume", dir, "--levels", "2", "--max-d", "8"], "give --levels or --max-d, not both")
        try refuse(["--resume", dir, "--levels", "9"], "more than the supported 64 bins")
        try refuse(["--resume", dir, "--levels", "2", "--m", "8"], "--resume takes its parameters")
        // Refusals leave the run as it was: it still ends at level 1.
        let kept = try Self.cascade(["--resume", dir])
        #expect(kept.exitCode == 1 && kept.json?["final_level"] as? Int == 1, "\(kept)")
        // A proven run has nothing to extend.
        let proven = try CascadeRunCLITests.directory()
        #expect(try Self.cascade(CascadeRunCLITests.small + ["--dir", proven]).exitCode == 0)
        try refuse(["--resume", proven, "--levels", "5"], "is proven at d = 4: there is nothing to extend")
    }
}
