import AutoconvCore
import Foundation
import Testing
import TestSupport

/// `autoconv merge` end to end: shard result files in, the unsharded run's output out.
@Suite(.serialized) struct MergeCommandTests {
    static let bound = ["bound", "--n", "2", "--m", "10", "--threads", "2", "--json"]
    static let prove = ["prove", "--n", "2", "--m", "10", "--target", "1", "--max-window", "d", "--threads", "2", "--show", "4", "--json"]

    /// Runs `arguments` with `--shard` for each shard and writes each result into `folder`.
    static func shardFiles(_ arguments: [String], _ shards: [String], in folder: URL) throws -> [String] {
        try shards.map { shard in
            let result = try CLIRunner.run(arguments + ["--shard", shard])
            // A shard that finished exits 0, survivors or not: only merge gives the verdict.
            #expect(result.exitCode == 0, "\(result)")
            let path = folder.appendingPathComponent("shard-\(shard.replacingOccurrences(of: "/", with: "-")).json").path
            try result.stdout.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }

    /// Every key in order (nested ones included), for comparing the shape of two outputs.
    static func keys(_ json: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: "\"([A-Za-z_]+)\":")
        return regex.matches(in: json, range: NSRange(json.startIndex..., in: json)).map {
            String(json[Range($0.range(at: 1), in: json)!])
        }
    }

    /// The JSON object without the timing fields, which differ from run to run.
    static func untimed(_ result: CLIRunner.Result) throws -> NSDictionary {
        var object = try #require(result.json, "\(result)")
        object["elapsed_seconds"] = nil
        object["rate"] = nil
        return object as NSDictionary
    }

    /// Below the certified bound of (2, 10) with windows ℓ ≤ d: proven, exit 0.
    static let proven = ["prove", "--n", "2", "--m", "10", "--target", "0.9", "--max-window", "d", "--threads", "2", "--show", "4", "--json"]

    /// The unsharded run's arguments with its exit code (prove: survivors remain, exit 1).
    static let runs: [([String], Int32)] = [(bound, 0), (prove, 1), (proven, 0)]

    @Test(arguments: runs)
    func mergedEqualsUnsharded(arguments: [String], exitCode: Int32) throws {
        let folder = try CLIRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let whole = try CLIRunner.run(arguments)
        #expect(whole.exitCode == exitCode, "\(whole)")
        for shards in [["0/4", "1/4", "2/4", "3/4"], ["2/3", "0/3", "2/6", "6/12", "7/12"]] {
            let files = try Self.shardFiles(arguments, shards, in: folder)
            let merged = try CLIRunner.run(["merge", "--json"] + files)
            #expect(merged.exitCode == exitCode, "\(merged)")
            #expect(try Self.untimed(merged) == Self.untimed(whole))
            #expect(Self.keys(merged.stdout) == Self.keys(whole.stdout))
            // Text and JSON mode agree on the exit code; only a proven merge says PROVEN.
            let text = try CLIRunner.run(["merge"] + files)
            #expect(text.exitCode == exitCode, "\(text)")
            #expect(text.stdout.contains("compositions    91881"), "\(text)")
            if arguments[0] == "prove" {
                let last = text.stdout.split(separator: "\n").last.map(String.init) ?? ""
                #expect(last.hasPrefix(exitCode == 0 ? "PROVEN: C >= " : "NOT PROVEN"), "\(text)")
            }
        }
    }

    @Test func refusesBadSets() throws {
        let folder = try CLIRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try Self.shardFiles(Self.bound, ["0/3", "1/3", "2/3", "1/6", "3/6"], in: folder)
        let otherFolder = folder.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: otherFolder, withIntermediateDirectories: true)
        let other = try Self.shardFiles(["bound", "--n", "2", "--m", "9", "--json"], ["1/3"], in: otherFolder)
        let version = folder.appendingPathComponent("version.json").path
        try String(contentsOfFile: files[2], encoding: .utf8)
            .replacingOccurrences(of: "\"version\": \"", with: "\"version\": \"9")
            .write(toFile: version, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            ([files[0], files[2]], "missing shard"),
            ([files[0], files[1]], "missing shard"),
            ([files[0], files[1], files[1], files[2]], "duplicates"),
            ([files[0], files[1], files[4], files[2]], "overlaps"),
            ([files[0], files[3], files[1], files[2]], "overlaps"),
            ([files[0], other[0], files[2]], "m = "),
            ([files[0], files[1], version], "version = "),
            ([folder.appendingPathComponent("absent.json").path], "cannot read"),
        ]
        for (set, message) in cases {
            let result = try CLIRunner.run(["merge", "--json"] + set)
            #expect(result.exitCode == 2, "\(result)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderrLines.count == 1 && result.stderr.contains(message), "\(result)")
        }
    }

    /// prove --certificate per shard, merge --certificate, then verify: `VERIFIED: C >= t`
    /// (exit 0) only when every range was re-enumerated; a sampled check is SPOT-CHECKED; a
    /// lone shard's certificate does not cover the space: NOT VERIFIED, exit 1; a certificate
    /// with survivors is NOT PROVEN, exit 1.
    @Test func shardCertificatesMergeAndVerify() throws {
        let folder = try CLIRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Just below the certified bound of (2, 5) every composition is pruned.
        let certified = try #require(NaiveSolver(n: 2, m: 5, rule: .refined, windows: .d).bound(canonicalOnly: true).minCertified).value
        let target = Fraction(certified.numerator * 100 - 1, certified.denominator * 100)
        func certificate(_ name: String, target: Fraction) throws -> String {
            let arguments = ["prove", "--n", "2", "--m", "5", "--target", target.description, "--max-window", "d", "--json"]
            let files = try ["0/2", "1/2"].map { shard in
                let certificate = folder.appendingPathComponent("\(name)-\(shard.first!)").path
                let result = try CLIRunner.run(arguments + ["--shard", shard, "--certificate", certificate])
                #expect(result.exitCode == 0, "\(result)")
                let path = certificate + ".json"
                try result.stdout.write(toFile: path, atomically: true, encoding: .utf8)
                return path
            }
            let merged = folder.appendingPathComponent(name).path
            let merge = try CLIRunner.run(["merge", "--json", "--certificate", merged] + files)
            #expect(merge.json?["certificate"] as? String == merged, "\(merge)")
            return merged
        }
        func lastLine(_ result: CLIRunner.Result) -> String { result.stdout.split(separator: "\n").last.map(String.init) ?? "" }

        let proven = try certificate("proven", target: target)
        let verified = try CLIRunner.run(["verify", proven])
        #expect(verified.exitCode == 0, "\(verified)")
        #expect(lastLine(verified) == "VERIFIED: C >= \(target)", "\(verified)")
        let sampled = try CLIRunner.run(["verify", proven, "--sample", "2", "--seed", "1"])
        #expect(sampled.exitCode == 0, "\(sampled)")
        #expect(lastLine(sampled).hasPrefix("SPOT-CHECKED: ") && lastLine(sampled).contains("2 of"), "\(sampled)")
        #expect(!sampled.stdout.contains("C >="), "a sampled check states no bound: \(sampled)")
        let partial = try CLIRunner.run(["verify", folder.appendingPathComponent("proven-1").path])
        #expect(partial.exitCode == 1, "\(partial)")
        #expect(lastLine(partial).hasPrefix("NOT VERIFIED: ranks [0, "), "\(partial)")
        #expect(!partial.stdout.contains("C >="), "\(partial)")

        let unproven = try certificate("unproven", target: Fraction(1))
        let survivors = try CLIRunner.run(["prove", "--n", "2", "--m", "5", "--target", "1", "--max-window", "d", "--json"]).json?["survivors"] as? String
        for extra in [[], ["--sample", "1"]] {
            let notProven = try CLIRunner.run(["verify", unproven] + extra)
            #expect(notProven.exitCode == 1, "\(notProven)")
            #expect(lastLine(notProven) == "NOT PROVEN: consistent, \(survivors ?? "?") survivors remain", "\(notProven)")
            #expect(!notProven.stdout.contains("C >="), "\(notProven)")
        }
    }
}
