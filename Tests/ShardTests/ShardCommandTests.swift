import AutoconvCore
import Foundation
import Testing
import TestSupport

/// `--shard`: only an explicit `--shard r/M` or `--shard auto` shards a run, and a shard's output
/// is a partial result that states no bound and no verdict (only `merge` does).
@Suite(.timeLimit(.minutes(2)))
struct ShardCommandTests {
    static let bound = ["bound", "--n", "2", "--m", "10", "--threads", "2"]
    /// 662 survivors over the whole space (values.json), none in shard 0/4.
    static let prove = ["prove", "--n", "2", "--m", "10", "--target", "1.0", "--max-window", "d", "--threads", "2"]
    static let slurm = ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "4", "SLURM_ARRAY_TASK_COUNT": "4"]

    /// What no partial result may say: a bound or a verdict.
    static let claims = ["C >=", "certified bound", "PROVEN", "min test b_nm"]
    /// Keys that would read as a bound or a verdict.
    static let claimKeys = ["certified_bound", "certified_bound_value", "min_test", "min_test_value", "proven"]

    /// The known prove answer this file's `prove` runs, from values.json.
    static func knownProve() throws -> ReferenceValues.ProveEntry {
        try #require(ReferenceValues.loadedOrEmpty.prove.first {
            $0.n == 2 && $0.m == 10 && $0.target == "1.0" && $0.rule == "refined" && $0.maxWindow == "d"
        })
    }

    /// The JSON object without the fields that differ from run to run.
    static func untimed(_ result: CLIRunner.Result) throws -> NSDictionary {
        var object = try #require(result.json, "\(result)")
        object["elapsed_seconds"] = nil
        object["rate"] = nil
        return object as NSDictionary
    }

    /// Slurm's array variables without --shard change nothing: the run covers the whole space.
    @Test func slurmVariablesWithoutShardAreIgnored() throws {
        let known = try Self.knownProve()
        for arguments in [Self.bound, Self.prove] {
            let plain = try CLIRunner.run(arguments + ["--json"])
            let inArray = try CLIRunner.run(arguments + ["--json"], environment: Self.slurm)
            #expect(inArray.exitCode == plain.exitCode, "\(inArray)")
            #expect(try Self.untimed(inArray) == Self.untimed(plain), "\(inArray)")
            #expect(inArray.json?["partial"] as? Bool == false, "\(inArray)")
            #expect(inArray.stderr.isEmpty, "\(inArray)")
            let text = try CLIRunner.run(arguments, environment: Self.slurm)
            #expect(!text.stdout.contains("shard"), "\(text)")
        }
        let proved = try CLIRunner.run(Self.prove + ["--json"], environment: Self.slurm)
        #expect(proved.json?["survivors"] as? String == String(known.survivors), "\(proved)")
        #expect(proved.exitCode == 1, "\(proved)")
        let bound = try CLIRunner.run(Self.bound, environment: Self.slurm)
        #expect(bound.stdout.contains("compositions    91881"), "\(bound)")
    }

    /// `--shard auto` takes the shard from the array task, says so on stderr, and covers the
    /// same ranks as the explicit shard.
    @Test func shardAutoReadsTheArrayTask() throws {
        let auto = try CLIRunner.run(Self.bound + ["--json", "--shard", "auto"], environment: Self.slurm)
        let explicit = try CLIRunner.run(Self.bound + ["--json", "--shard", "1/4"])
        #expect(auto.exitCode == 0, "\(auto)")
        #expect(auto.stderrLines.count == 1 && auto.stderr.contains("1/4") && auto.stderr.contains("SLURM_ARRAY_TASK_ID=5"), "\(auto)")
        #expect(try Self.untimed(auto) == Self.untimed(explicit), "\(auto)")
    }

    /// `--shard auto` outside a job array, or with variables that name no shard: bad input.
    @Test(arguments: [
        [:],
        ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4"],
        ["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "4"],
        ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_STEP": "2"],
    ])
    func shardAutoNeedsAnArrayTask(environment: [String: String]) throws {
        // Empty values stand for unset ones (the test process may not be able to unset them).
        var variables = ["SLURM_ARRAY_TASK_ID": "", "SLURM_ARRAY_TASK_COUNT": "", "SLURM_ARRAY_TASK_MIN": "", "SLURM_ARRAY_TASK_STEP": ""]
        variables.merge(environment) { $1 }
        let result = try CLIRunner.run(Self.bound + ["--shard", "auto"], environment: variables)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderrLines.count == 1 && result.stderr.contains("--shard auto"), "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
    }

    /// A shard's text and JSON are partial results: counts and minima with ranks, `"partial":
    /// true`, never a bound or a verdict, and exit 0 once the shard has finished, survivors or not.
    @Test(arguments: ["0/4", "1/4", "3/4"])
    func shardOutputIsPartial(shard: String) throws {
        for arguments in [Self.bound, Self.prove] {
            let json = try CLIRunner.run(arguments + ["--json", "--shard", shard])
            #expect(json.exitCode == 0, "\(json)")
            let object = try #require(json.json, "\(json)")
            #expect(object["partial"] as? Bool == true, "\(json)")
            #expect(object["shard"] as? String == shard)
            for key in Self.claimKeys { #expect(object[key] == nil, "\(key) in \(json)") }
            let text = try CLIRunner.run(arguments + ["--shard", shard])
            #expect(text.exitCode == 0, "\(text)")
            for claim in Self.claims { #expect(!text.stdout.contains(claim), "'\(claim)' in \(text)") }
            #expect(text.stdout.contains("partial result"), "\(text)")
        }
        let bound = try #require(try CLIRunner.run(Self.bound + ["--json", "--shard", shard]).json)
        for key in ["shard_min_test", "shard_min_test_argmin_rank", "shard_min_certified", "shard_min_certified_argmin_rank"] {
            #expect(bound[key] is String, "\(key) in \(bound)")
        }
        let text = try CLIRunner.run(Self.bound + ["--shard", shard])
        #expect(text.stdout.contains("shard minimum of cert(c) (not a bound)"), "\(text)")
        let prove = try #require(try CLIRunner.run(Self.prove + ["--json", "--shard", shard]).json)
        for key in ["asym_pruned", "test_pruned", "survivors", "canonical_survivors"] { #expect(prove[key] is String, "\(key)") }
    }

    /// The shards' minima are the whole run's: the smallest over the shards is the certified bound.
    @Test func shardMinimaMakeTheWholeMinimum() throws {
        let whole = try #require(try CLIRunner.run(Self.bound + ["--json"]).json)
        let values = try (0..<4).map { index in
            let shard = try #require(try CLIRunner.run(Self.bound + ["--json", "--shard", "\(index)/4"]).json)
            let value = try #require(shard["shard_min_certified"] as? String, "\(shard)")
            return try #require(Fraction(parsing: value))
        }
        #expect(values.min()?.description == whole["certified_bound"] as? String)
    }

    /// `--shard 0/1` is the whole space: the whole run's result, bound and verdict included.
    @Test func shardZeroOfOneIsTheWholeSpace() throws {
        for arguments in [Self.bound, Self.prove] {
            let whole = try CLIRunner.run(arguments + ["--json"])
            let single = try CLIRunner.run(arguments + ["--json", "--shard", "0/1"])
            #expect(single.exitCode == whole.exitCode, "\(single)")
            let object = try #require(single.json, "\(single)")
            #expect(object["partial"] as? Bool == false)
            let expected = try Self.untimed(whole).mutableCopy() as! NSMutableDictionary
            expected["shard"] = "0/1"
            #expect(try Self.untimed(single) == expected, "\(single)")
        }
        let text = try CLIRunner.run(Self.bound + ["--shard", "0/1"])
        #expect(text.stdout.contains("certified bound C >= "), "\(text)")
    }
}
