import Foundation
import Testing
import TestSupport

/// `autoconv cascade` and its run directory through the command line (issue 9 §3, §5): locking,
/// resume settings, tampered states, directories, temporary folders and JSON.
@Suite(.serialized)
struct CascadeRunCLITests {
    static func cascade(_ arguments: [String], environment: [String: String] = [:], signalAfter: Double? = nil) throws -> CLIRunner.Result {
        let run = try CLIRunner.run(["cascade"] + arguments, environment: environment, interruptAfter: signalAfter)
        #expect(run.signal == nil, "autoconv cascade \(arguments) died from a signal")
        return run
    }

    /// A refusal: exit 2, one line on stderr, nothing on stdout (no verdict, no counts).
    static func expectRefusal(_ run: CLIRunner.Result, mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.exitCode == 2, "\(run)", sourceLocation: sourceLocation)
        #expect(run.stderrLines.count == 1 && run.stderr.hasPrefix("autoconv: error: ") && run.stderr.contains(text), "\(run)",
                sourceLocation: sourceLocation)
        #expect(run.stdout.isEmpty, "\(run)", sourceLocation: sourceLocation)
    }

    static func directory() throws -> String {
        try CLIRunner.temporaryFolder().appendingPathComponent("run").path
    }

    /// (1, 12) at target 19/20: proven at d = 4 in well under a second.
    static let small = ["--n", "1", "--m", "12", "--target", "0.95"]

    /// Issue 9 §3.4: a second process on the same run directory is refused at once, told the
    /// holder's PID; once the holder is gone, the run resumes.
    @Test func aRunDirectoryInUseIsRefusedNamingItsHolder() throws {
        let dir = try Self.directory()
        // (1, 12) at target 1 spends seconds in level 2 (846,827,591 children).
        let holder = try CLIRunner.start(["cascade", "--n", "1", "--m", "12", "--target", "1", "--threads", "1", "--dir", dir])
        let pid = holder.processIdentifier
        var waited = 0
        while (try? String(contentsOfFile: dir + "/lock", encoding: .utf8)) != "\(pid)\n" && waited < 200 {
            Thread.sleep(forTimeInterval: 0.05)
            waited += 1
        }
        #expect(holder.isRunning, "the first run ended too soon for the test")
        Self.expectRefusal(try Self.cascade(["--resume", dir]), mentioning: "is in use by process \(pid)")
        Self.expectRefusal(try Self.cascade(["--n", "1", "--m", "12", "--target", "1", "--dir", dir]), mentioning: "is in use by process \(pid)")
        kill(pid, SIGINT)
        holder.waitUntilExit()
        #expect(holder.terminationReason == .exit && holder.terminationStatus == 75)
        let resumed = try Self.cascade(["--resume", dir, "--threads", "1"])
        #expect(resumed.exitCode == 0 && resumed.stdout.contains("PROVEN: C >= 1"), "the lock is free again: \(resumed)")
    }

    /// Issue 9 §3.5: `--resume` runs with the settings the run was started with, unless given
    /// again (then those are kept), and says so on stderr; result-defining parameters stay refused.
    @Test func resumeKeepsTheRunSettingsUnlessGivenAgain() throws {
        let dir = try Self.directory()
        let first = try Self.cascade(Self.small + ["--threads", "1", "--checkpoint-seconds", "0", "--sort-memory", "2", "--json", "--dir", dir])
        #expect(first.exitCode == 0 && first.json?["device"] as? String == "CPU (1 thread)", "\(first)")
        let stored = try Self.cascade(["--resume", dir, "--json"])
        #expect(stored.exitCode == 0 && stored.json?["device"] as? String == "CPU (1 thread)", "\(stored)")
        #expect(stored.stderr.contains("resuming with backend cpu, threads 1, checkpoint-seconds 0.0, sort-memory 2 MiB (as stored in the run directory)"),
                "\(stored)")
        let given = try Self.cascade(["--resume", dir, "--json", "--threads", "2", "--show", "1", "--backend", "cpu"])
        #expect(given.exitCode == 0 && given.json?["device"] as? String == "CPU (2 threads)", "\(given)")
        #expect(given.stderr.contains("threads 2") && given.stderr.contains("options given now replace the stored ones"), "\(given)")
        let kept = try Self.cascade(["--resume", dir, "--json"])
        #expect(kept.json?["device"] as? String == "CPU (2 threads)", "the new setting is kept: \(kept)")
        Self.expectRefusal(try Self.cascade(["--resume", dir, "--target", "1"]), mentioning: "--resume takes its parameters")
    }

    /// Issue 9 §3.1, through the CLI: damaged and hand-written states are refused with one line,
    /// never a verdict and never a trap.
    @Test func tamperedStatesAreRefused() throws {
        let pristine = try Self.directory()
        #expect(try Self.cascade(Self.small + ["--dir", pristine]).exitCode == 0)
        let state = [UInt8](try Data(contentsOf: URL(fileURLWithPath: pristine + "/state")))
        var flipped = state
        flipped[state.count / 3] ^= 0x01
        let edits: [(String, (String) throws -> Void)] = [
            ("flipped byte", { try Data(flipped).write(to: URL(fileURLWithPath: $0 + "/state")) }),
            ("truncated", { try Data(state.prefix(state.count - 1)).write(to: URL(fileURLWithPath: $0 + "/state")) }),
            ("hand-written", { try Data("outcome proven\nlevel 2\n".utf8).write(to: URL(fileURLWithPath: $0 + "/state")) }),
            ("last level deleted", { dir in
                try RunFiles.reseal(dir + "/state") { $0.remove(at: $0.lastIndex { $0.hasPrefix("finished ") }!) }
            }),
        ]
        for (name, edit) in edits {
            let dir = try Self.directory()
            try FileManager.default.copyItem(atPath: pristine, toPath: dir)
            try edit(dir)
            let run = try Self.cascade(["--resume", dir])
            Self.expectRefusal(run, mentioning: "\(dir)/state")
            #expect(!run.stderr.contains("PROVEN"), "\(name): \(run)")
        }
    }

    /// Issue 9 §3.6: a cascade that fails validation creates no directory, and no failure leaves
    /// a temporary one behind ($TMPDIR, where the default run directory goes).
    @Test func failedRunsLeaveNoDirectory() throws {
        let folder = try CLIRunner.temporaryFolder().path
        let environment = ["TMPDIR": folder]
        let failing: [[String]] = [
            ["--backend", "cpu", "--device", "0"], ["--threads", "0"], ["--sort-memory", "0"], ["--checkpoint-seconds", "-1"],
            ["--show", "-1"], ["--levels", "9"], ["--target", "2"],
        ]
        for options in failing {
            let withDir = try Self.cascade(Self.small + options + ["--dir", folder + "/run"], environment: environment)
            #expect(withDir.exitCode == 2, "\(withDir)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/run"), "\(options) created its --dir")
            let temporary = try Self.cascade(Self.small + options, environment: environment)
            #expect(temporary.exitCode == 2, "\(temporary)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty, "a failed run left a directory behind")
        // A run that works keeps its directory there, so the count above can fail.
        #expect(try Self.cascade(Self.small, environment: environment).exitCode == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("autoconv-cascade-") }.count == 1)
    }

    /// Issue 9 §3.6: `--dir` must be a directory (or not exist yet); a file, a FIFO or a link to
    /// one is refused and left as it was.
    @Test func aDirThatIsNotADirectoryIsRefused() throws {
        let (file, fifo, link) = try RunFixtures.nodesThatAreNotDirectories()
        for path in [file, fifo, link] {
            Self.expectRefusal(try Self.cascade(Self.small + ["--dir", path]), mentioning: "'\(path)' exists and is not a directory")
        }
        try RunFixtures.expectLeftAsTheyWere(file: file, fifo: fifo)
    }

    /// Issue 9 §5: counts are decimal strings; `elapsed_seconds` and `rate`; version and kernel hash.
    @Test func jsonCountsAreDecimalStrings() throws {
        let run = try Self.cascade(Self.small + ["--json", "--dir", try Self.directory()])
        let json = try #require(run.json, "\(run)")
        #expect(json["proven"] as? Bool == true && json["interrupted"] as? Bool == false && json["proven_at_d"] as? Int == 4)
        #expect(json["version"] is String && (json["kernel_hash"] as? String)?.count == 64)
        #expect(json["elapsed_seconds"] is Double || json["elapsed_seconds"] is Int)
        let levels = try #require(json["levels"] as? [[String: Any]])
        #expect(levels.count == 2)
        for level in levels {
            for key in ["parents", "patterns", "patterns_pruned", "children", "asym_pruned", "test_pruned", "survivors",
                        "canonical_survivors", "file_bytes"] {
                #expect(level[key] is String, "\(key) is not a decimal string: \(level)")
            }
            #expect(level["elapsed_seconds"] != nil && level["rate"] != nil)
            #expect(level["seconds"] == nil && level["children_per_second"] == nil)
        }
        #expect(levels.map { $0["survivors"] as? String } == ["5", "0"])
    }

    /// Issue 9 §5: an interrupted `--json` run still prints one object: what is finished and how
    /// to resume. The run is about two minutes of work, so the signal always comes in the middle.
    @Test func anInterruptedJSONRunPrintsWhatIsFinished() throws {
        let dir = try Self.directory()
        let run = try Self.cascade(["--n", "2", "--m", "10", "--target", "1.02", "--threads", "1", "--json", "--dir", dir], signalAfter: 1.5)
        #expect(run.exitCode == 75, "\(run)")
        let json = try #require(run.json, "one JSON object on stdout: \(run)")
        #expect(json["interrupted"] as? Bool == true && json["proven"] as? Bool == false)
        #expect(json["resume_command"] as? String == "autoconv cascade --resume \(dir)")
        let finished = try RunFiles.lines(dir + "/state").filter { $0.hasPrefix("finished ") }.count
        #expect((json["levels"] as? [Any])?.count == finished)
    }

    /// Issue 9 §5: `--children exact` is never `"proven": true` and never prints PROVEN; its
    /// empty level has a field of its own.
    @Test func exactChildrenAreNeverProven() throws {
        let json = try Self.cascade(Self.small + ["--children", "exact", "--json", "--dir", try Self.directory()])
        #expect(json.exitCode == 1, "\(json)")
        let object = try #require(json.json)
        #expect(object["proven"] as? Bool == false && object["sound"] as? Bool == false)
        #expect(object["proven_at_d"] is NSNull && object["exact_children_empty_at_d"] as? Int == 4, "\(json.stdout)")
        let text = try Self.cascade(Self.small + ["--children", "exact", "--dir", try Self.directory()])
        #expect(text.exitCode == 1 && text.stdout.contains("NOT A PROOF"))
        #expect(!text.stdout.contains("PROVEN") && !text.stdout.contains("C >="), "\(text)")
    }
}
