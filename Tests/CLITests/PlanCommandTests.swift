import Foundation
import Testing
import TestSupport

/// `autoconv plan`, `reach` and `cascade --plan` as a user runs them (small grids, seconds each).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct PlanCommandTests {
    static func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("plan-cli-run-\(UUID().uuidString)").path
    }

    /// The candidates sorted by (n, m), without what timing decides (seconds, and so ranks).
    static func counts(_ run: CLIRunner.Result) -> [String] {
        let candidates = run.json?["candidates"] as? [[String: Any]] ?? []
        return candidates.map { candidate -> String in
            let levels = (candidate["levels"] as? [[String: Any]] ?? []).map { level in
                ["d", "parents", "estimated_children", "estimated_survivors", "survivors_interval", "sampled", "exact"]
                    .map { "\($0)=\(level[$0] ?? "nil")" }.joined(separator: ",")
            }
            return "n=\(candidate["n"]!) m=\(candidate["m"]!) \(candidate["outcome"]!) " + levels.joined(separator: "; ")
        }.sorted()
    }

    @Test func provenAtLevelZeroComesFirstWithExactCounts() throws {
        let run = try CLIRunner.run(["plan", "--target", "0.9", "--n", "1,2", "--m", "6,10", "--max-d", "8", "--budget", "60", "--json"])
        #expect(run.exitCode == 0, "\(run)")
        let json = try #require(run.json)
        for key in ["schema_version", "command", "target", "budget_seconds", "seed", "candidates", "recommended", "elapsed_seconds"] {
            #expect(json[key] != nil, "missing key \(key)")
        }
        let candidates = try #require(json["candidates"] as? [[String: Any]])
        #expect(candidates.count == 4)
        let first = candidates[0]
        #expect(first["n"] as? Int == 2 && first["m"] as? Int == 10 && first["outcome"] as? String == "proven_at_level_0")
        for key in ["n", "m", "estimated_seconds", "within_budget", "levels", "interval"] { #expect(first[key] != nil, "missing key \(key)") }
        let level = try #require((first["levels"] as? [[String: Any]])?.first)
        // (2, 10): C(43, 3) = 12341 compositions… of d = 4 and S = 80: C(83, 3) = 91881, all pruned.
        #expect(level["parents"] as? String == "91881" && level["estimated_survivors"] as? String == "0")
        for key in ["d", "parents", "estimated_children", "estimated_survivors", "estimated_seconds", "interval"] {
            #expect(level[key] != nil, "missing key \(key)")
        }
        let recommended = try #require(json["recommended"] as? [String: Any])
        #expect(recommended["command"] as? String == "autoconv cascade --n 2 --m 10 --target 0.9 --max-d 8")
    }

    @Test func twoLevelCaseHasTheExactLevelOneParentsAndTheSameSeedTheSameSamples() throws {
        let arguments = ["plan", "--target", "0.9", "--n", "1", "--m", "6", "--max-d", "8", "--sample", "3", "--seed", "3", "--json"]
        let a = try CLIRunner.run(arguments), b = try CLIRunner.run(arguments)
        #expect(a.exitCode == 0 && b.exitCode == 0, "\(a)")
        #expect(Self.counts(a) == Self.counts(b))
        let c = try CLIRunner.run(arguments.dropLast(3) + ["--seed", "4", "--json"])
        #expect(c.exitCode == 0)
        let levels = try #require(((a.json?["candidates"] as? [[String: Any]])?.first?["levels"]) as? [[String: Any]])
        // The real cascade: 5 survivors at d = 2, 31 at d = 4, none at d = 8.
        #expect(levels[0]["estimated_survivors"] as? String == "5")
        #expect(levels[1]["parents"] as? String == "5")
        let real = try CLIRunner.run(["cascade", "--n", "1", "--m", "6", "--target", "0.9", "--max-d", "8", "--json", "--dir", Self.directory()])
        #expect(real.exitCode == 0)
        let realLevels = try #require(real.json?["levels"] as? [[String: Any]])
        #expect(levels[1]["estimated_children"] as? String == realLevels[1]["children"] as? String)
    }

    @Test func badInputIsOneLineAndExitTwo() throws {
        let runs: [[String]] = [
            ["plan", "--target", "1", "--budget", "0"],
            ["plan", "--target", "1", "--budget", "xyz"],
            ["plan", "--target", "1", "--budget", "-5m"],
            ["plan", "--target", "abc"],
            ["plan", "--target", "2.5"],
            ["plan", "--target", "1", "--n", "1,x"],
            ["plan", "--target", "1", "--sample", "0"],
            ["plan", "--target", "1", "--n", "40", "--m", "10"],
            ["cascade", "--target", "1", "--plan", "--n", "1"],
            ["cascade", "--target", "1", "--plan", "--m", "10"],
            ["cascade", "--n", "1", "--m", "10", "--target", "1", "--budget", "10m"],
            ["reach", "--budget", "0"],
        ]
        for arguments in runs {
            let run = try CLIRunner.run(arguments)
            #expect(run.exitCode == 2, "\(run)")
            #expect(run.stderrLines.count == 1, "\(run)")
            #expect(run.stdout.isEmpty, "\(run)")
        }
    }

    @Test func cascadePlanRunsTheRecommendedStart() throws {
        let run = try CLIRunner.run(["cascade", "--target", "0.9", "--plan", "--plan-n", "1,2", "--plan-m", "6,10", "--max-d", "8",
                                     "--budget", "60", "--json", "--dir", Self.directory()])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.json?["n"] as? Int == 2 && run.json?["m"] as? Int == 10 && run.json?["proven"] as? Bool == true)
    }

    @Test func reachProvesWhatTheCascadeProves() throws {
        let dir = Self.directory()
        let run = try CLIRunner.run(["reach", "--budget", "2s", "--n", "1", "--m", "6", "--max-d", "8", "--sample", "4", "--json", "--dir", dir])
        #expect(run.exitCode == 0, "\(run)")
        let json = try #require(run.json)
        #expect(json["proven"] as? Bool == true)
        let bound = try #require(json["bound"] as? String)
        let cascade = try CLIRunner.run(["cascade", "--n", "1", "--m", "6", "--target", bound, "--max-d", "8", "--json",
                                         "--dir", Self.directory()])
        #expect(cascade.exitCode == 0 && cascade.json?["proven"] as? Bool == true, "\(cascade)")
        let verify = try CLIRunner.run(["verify", dir])
        #expect(verify.exitCode == 0, "\(verify)")
        let text = try CLIRunner.run(["reach", "--budget", "2s", "--n", "1", "--m", "6", "--max-d", "8", "--sample", "4", "--dir", Self.directory()])
        #expect(text.stdout.contains("PROVEN: C >= "), "\(text)")
    }

    @Test func reachNeverPrintsABoundItDidNotProve() throws {
        // m = 1 and no level after 0: nothing from 0.5 up is provable.
        for json in [false, true] {
            let run = try CLIRunner.run(["reach", "--budget", "5s", "--n", "1", "--m", "1", "--max-d", "2"] + (json ? ["--json"] : []))
            #expect(run.exitCode == 1, "\(run)")
            #expect(!run.stdout.contains("C >="), "\(run)")
            if json { #expect(run.json?["bound"] is NSNull && run.json?["proven"] as? Bool == false, "\(run)") }
        }
    }
}
