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
            #expect(result.exitCode == 0 || result.exitCode == 1, "\(result)")
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

    /// The unsharded run's arguments with its exit code (prove: survivors remain, exit 1).
    static let runs: [([String], Int32)] = [(bound, 0), (prove, 1)]

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
            let text = try CLIRunner.run(["merge"] + files)
            #expect(text.stdout.contains("compositions    91881"), "\(text)")
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

    /// prove --certificate per shard, merge --certificate, then verify: VERIFIED, exit 0; a
    /// lone shard's certificate does not cover the space: NOT VERIFIED, exit 1.
    @Test func shardCertificatesMergeAndVerify() throws {
        let folder = try CLIRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["prove", "--n", "2", "--m", "5", "--target", "1", "--max-window", "d", "--json"]
        let files = try ["0/2", "1/2"].map { shard in
            let certificate = folder.appendingPathComponent("cert-\(shard.first!)").path
            let result = try CLIRunner.run(arguments + ["--shard", shard, "--certificate", certificate])
            let path = certificate + ".json"
            try result.stdout.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let merged = folder.appendingPathComponent("cert").path
        let merge = try CLIRunner.run(["merge", "--json", "--certificate", merged] + files)
        #expect(merge.json?["certificate"] as? String == merged, "\(merge)")
        let verified = try CLIRunner.run(["verify", merged])
        #expect(verified.exitCode == 0, "\(verified)")
        #expect(verified.stdout.split(separator: "\n").last == "VERIFIED")
        let sampled = try CLIRunner.run(["verify", merged, "--sample", "2", "--seed", "1"])
        #expect(sampled.exitCode == 0 && sampled.stdout.contains("2 of"), "\(sampled)")
        let partial = try CLIRunner.run(["verify", folder.appendingPathComponent("cert-1").path])
        #expect(partial.exitCode == 1, "\(partial)")
        #expect(partial.stdout.split(separator: "\n").last?.hasPrefix("NOT VERIFIED: ranks [0, ") == true, "\(partial)")
    }
}
