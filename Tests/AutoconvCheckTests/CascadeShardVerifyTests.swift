import Foundation
import Testing
import TestSupport
@testable import AutoconvCheck

/// A cascade run made in shards through the CLI (`--one-level`, `--resume RUN --shard r/M`, the
/// merge on `--resume`), issue 11 §2–3: shard reports are partial, the merged run has the files
/// of a run made whole, `verify` accepts it, and fails by name when a shard file is removed,
/// altered or added.
@Suite(.serialized)
struct CascadeShardVerifyTests {
    /// (1, 12) at target 1.05, levels 0…1: 13 parents at level 1, 1636 survivors at d = 4.
    static let parameters = ["--n", "1", "--m", "12", "--target", "1.05", "--levels", "1", "--checkpoint-seconds", "0", "--threads", "2"]
    static let whole = try! CascadeVerifyTests.run(parameters)
    static let sharded = try! shardedRun()

    static func cascade(_ arguments: [String]) throws -> CLIRunner.Result { try CLIRunner.run(["cascade"] + arguments + ["--quiet"]) }

    /// Level 0 whole (`--one-level`), level 1 in three shards, then the merge; checks every report.
    static func shardedRun() throws -> String {
        let dir = try CLIRunner.temporaryFolder().appendingPathComponent("run").path
        let first = try cascade(parameters + ["--dir", dir, "--one-level", "--json"])
        precondition(first.exitCode == 4 && first.json?["paused"] as? Bool == true && first.json?["next_level"] as? Int == 1
                     && first.json?["proven"] as? Bool == false, "\(first)")
        for index in [2, 0] {
            let shard = try cascade(["--resume", dir, "--shard", "\(index)/3", "--json"])
            precondition(shard.exitCode == 0 && shard.json?["partial"] as? Bool == true && shard.json?["level"] as? Int == 1
                         && shard.json?["proven"] == nil && shard.json?["merge_command"] as? String == "autoconv cascade --resume \(dir)", "\(shard)")
        }
        let text = try cascade(["--resume", dir, "--shard", "1/3"])
        precondition(text.exitCode == 0 && text.stdout.contains("partial result") && !text.stdout.contains("PROVEN")
                     && !text.stdout.contains(">="), "\(text)")
        let merged = try cascade(["--resume", dir, "--json"])
        precondition(merged.exitCode == 1 && merged.json?["proven"] as? Bool == false, "\(merged)")
        return dir
    }

    @Test func theShardedRunHasTheWholeRunsFilesAndVerifies() throws {
        for level in 0...1 {
            let a = FileManager.default.contents(atPath: "\(Self.sharded)/level-\(level).surv")
            #expect(a != nil && a == FileManager.default.contents(atPath: "\(Self.whole)/level-\(level).surv"), "level \(level)")
        }
        let verify = try CLIRunner.run(["verify", Self.sharded, "--json"])
        #expect(verify.exitCode == 1 && verify.json?["outcome"] as? String == "not-proven", "\(verify)")
        let levels = verify.json?["levels"] as? [[String: Any]] ?? []
        #expect(levels.map { $0["shards"] as? Int } == [0, 3], "\(levels)")
    }

    @Test func aRemovedAlteredOrForeignShardFileFailsVerifyByName() throws {
        let removed = try CascadeVerifyTests.copy(Self.sharded)
        try FileManager.default.removeItem(atPath: "\(removed)/level-1.shard-1-of-3/state")
        #expect(CascadeVerifyTests.reason(CascadeVerifyTests.verdict(removed)).contains("shard 1/3 of level 1: '\(removed)/level-1.shard-1-of-3/state' is missing"))

        let altered = try CascadeVerifyTests.copy(Self.sharded)
        let ledger = "\(altered)/level-1.shard-2-of-3/ledger"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ledger)))
        bytes[bytes.count - 80] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: ledger))
        #expect(CascadeVerifyTests.reason(CascadeVerifyTests.verdict(altered)).contains("ledger '\(ledger)'"))

        let stray = try CascadeVerifyTests.copy(Self.sharded)
        try FileManager.default.createDirectory(atPath: "\(stray)/level-1.shard-7-of-8", withIntermediateDirectories: false)
        #expect(CascadeVerifyTests.reason(CascadeVerifyTests.verdict(stray)).contains("level-1.shard-7-of-8' is not one of the 3 shards"))

        // The level's ledger must be the shards' ledgers joined: a resealed plan of 2 shards is caught.
        let replanned = try CascadeVerifyTests.copy(Self.sharded)
        try RunFiles.reseal("\(replanned)/level-1.shards") { lines in lines = lines.map { $0 == "shards 3" ? "shards 2" : $0 } }
        #expect(CascadeVerifyTests.reason(CascadeVerifyTests.verdict(replanned)).contains("is not one of the 2 shards"))
    }

    /// The certificate (issue 11 §3) lists every result file with its SHA-256: a shard state
    /// changed where no other check looks (its seconds), and resealed, fails by name; so does a
    /// missing certificate.
    @Test func theCertificateVouchesForEveryResultFile() throws {
        let certificate = try String(contentsOfFile: "\(Self.sharded)/certificate", encoding: .utf8)
        for name in ["manifest", "level-1.surv", "level-1.ledger", "level-1.shards", "level-1.shard-2-of-3/state", "level-1.shard-2-of-3/ledger"] {
            #expect(certificate.contains(" \(name)\n"), "\(name) is not listed")
        }
        let retimed = try CascadeVerifyTests.copy(Self.sharded)
        try RunFiles.reseal("\(retimed)/level-1.shard-0-of-3/state") { lines in
            lines = lines.map { line in
                guard line.hasPrefix("current ") else { return line }
                var fields = line.split(separator: " ").map(String.init)
                fields[11] = "1234.5"
                return fields.joined(separator: " ")
            }
        }
        #expect(CascadeVerifyTests.reason(CascadeVerifyTests.verdict(retimed)) == "'\(retimed)/level-1.shard-0-of-3/state' does not match its SHA-256 in '\(retimed)/certificate' (altered after the run ended)")
        let uncertified = try CascadeVerifyTests.copy(Self.sharded)
        try FileManager.default.removeItem(atPath: "\(uncertified)/certificate")
        #expect(CascadeVerifyTests.reason(CascadeVerifyTests.verdict(uncertified)).hasPrefix("'\(uncertified)/certificate' is missing"))
    }

    /// A merge job needs no device: a run computed on OpenCL merges its sharded level with
    /// `--one-level` where no OpenCL platform exists, and gives the same file.
    @Test func aMergeWithOneLevelNeedsNoOpenCL() throws {
        let dir = try CLIRunner.temporaryFolder().appendingPathComponent("run").path
        let first = try Self.cascade(Self.parameters + ["--dir", dir, "--one-level", "--backend", "opencl"])
        #expect(first.exitCode == 4, "\(first)")
        for index in 0..<2 { #expect(try Self.cascade(["--resume", dir, "--shard", "\(index)/2"]).exitCode == 0) }
        let noPlatform = ["OCL_ICD_VENDORS": "/nonexistent", "OPENCL_VENDOR_PATH": "/nonexistent"]
        let computing = try CLIRunner.run(["cascade", "--resume", dir, "--quiet"], environment: noPlatform)
        #expect(computing.exitCode == 2 || computing.exitCode == 3, "the run's OpenCL engine is needed to compute: \(computing)")
        let merge = try CLIRunner.run(["cascade", "--resume", dir, "--one-level", "--quiet"], environment: noPlatform)
        #expect(merge.exitCode == 1 && merge.stderr.contains("no device needed"), "\(merge)")
        let a = FileManager.default.contents(atPath: "\(dir)/level-1.surv")
        #expect(a != nil && a == FileManager.default.contents(atPath: "\(Self.whole)/level-1.surv"))
    }

    @Test func aShardIsPartialAndNeedsARun() throws {
        let noRun = try Self.cascade(["--shard", "0/2"])
        #expect(noRun.exitCode == 2 && noRun.stderr.contains("--shard runs a shard of an existing run"), "\(noRun)")
        let ended = try Self.cascade(["--resume", Self.sharded, "--shard", "0/3"])
        #expect(ended.exitCode == 2 && ended.stdout.isEmpty && ended.stderr.contains("has ended"), "\(ended)")
        let withLevels = try Self.cascade(["--resume", Self.sharded, "--shard", "0/3", "--levels", "2"])
        #expect(withLevels.exitCode == 2 && withLevels.stderr.contains("drop --levels"), "\(withLevels)")
    }
}
