import Foundation
import Testing
import TestSupport

/// `autoconv cascade` as a user runs it: exit codes, JSON, signals and resume.
@Suite(.serialized)
struct CascadeCLITests {
    /// Runs `autoconv cascade arguments…`; with `signalAfter`, sends `signal` once that many
    /// seconds have passed. A run must end by exiting, never by a signal.
    static func cascade(_ arguments: [String], signalAfter: Double? = nil, signal: Int32 = SIGINT) throws -> CLIRunner.Result {
        let run = try CLIRunner.run(["cascade"] + arguments, interruptAfter: signalAfter, signal: signal)
        #expect(run.signal == nil, "autoconv cascade \(arguments) died from a signal")
        return run
    }

    /// Each level's counts (decimal strings in the JSON) and level and d, without timings and sizes.
    static func levelCounts(_ run: CLIRunner.Result) -> [[String: Int]] {
        (run.json?["levels"] as? [[String: Any]] ?? []).map { level in
            level.filter { !["elapsed_seconds", "rate", "file_bytes"].contains($0.key) }
                .compactMapValues { ($0 as? String).flatMap { Int($0) } ?? ($0 as? Int) }
        }
    }

    static func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("cascade-cli-run-\(UUID().uuidString)").path
    }

    /// 67 parents at d = 8, one per batch: a few seconds in a debug build, with many checkpoints.
    let parameters = ["--n", "1", "--m", "1", "--target", "1.3", "--levels", "2", "--children", "exact", "--json",
                      "--checkpoint-seconds", "0"]

    /// The known answer of issue 4: C ≥ 1 at d = 8 from (1, 10), canonical survivors 5, 128, 0.
    @Test func knownAnswerProvesOneAtDEight() throws {
        let run = try Self.cascade(["--n", "1", "--m", "10", "--target", "1", "--rule", "refined", "--json", "--dir", Self.directory()])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let json = try #require(run.json)
        #expect(json["proven"] as? Bool == true && json["sound"] as? Bool == true && json["proven_at_d"] as? Int == 8)
        #expect(Self.levelCounts(run).map { $0["canonical_survivors"] } == [5, 128, 0])
        #expect(Self.levelCounts(run).map { $0["d"] } == [2, 4, 8])
    }

    @Test func killedRunsResumeToTheCountsOfAnUninterruptedRun() throws {
        let reference = try Self.cascade(parameters + ["--dir", Self.directory()])
        #expect(reference.exitCode == 1, "\(reference.stderr)")
        let expected = Self.levelCounts(reference)
        #expect(expected.count == 3)
        let dir = Self.directory()
        var rng = SeededGenerator(seed: 11)
        var run = try Self.cascade(parameters + ["--dir", dir], signalAfter: Double.random(in: 0.05...0.6, using: &rng))
        var interruptions = 0
        while run.exitCode == 75 {
            interruptions += 1
            #expect(run.stderr.contains("--resume \(dir)"))
            run = try Self.cascade(["--resume", dir, "--json"], signalAfter: Double.random(in: 0.1...0.8, using: &rng),
                                   signal: interruptions % 2 == 0 ? SIGINT : SIGTERM)
        }
        #expect(run.exitCode == reference.exitCode, "\(run.stderr)")
        #expect(Self.levelCounts(run) == expected)
        #expect(interruptions >= 1, "no interruption landed; the test proved nothing")
    }

    @Test func exactChildrenSayTheyAreNotAProof() throws {
        let json = try Self.cascade(["--n", "1", "--m", "1", "--target", "1.3", "--levels", "2", "--children", "exact", "--json",
                                     "--dir", Self.directory()])
        #expect(json.json?["sound"] as? Bool == false)
        #expect(json.exitCode == 1)
        let text = try Self.cascade(["--n", "1", "--m", "1", "--target", "1.3", "--levels", "2", "--children", "exact",
                                     "--dir", Self.directory()])
        #expect(text.stdout.contains("NOT A PROOF"))
    }

    /// Issue 4's comparison: from (1, 10), exact-pair-sum children "prove" C ≥ 1.05 at d = 16,
    /// while the sound cascade still has 536 survivors at d = 8. On OpenCL (POCL here): it
    /// takes the CPU engine minutes in a debug build.
    @Test func exactChildrenProveWhatTheSoundCascadeCannot() throws {
        let common = ["--n", "1", "--m", "10", "--target", "1.05", "--backend", "opencl", "--json"]
        let exact = try Self.cascade(common + ["--children", "exact", "--max-d", "16", "--dir", Self.directory()])
        #expect(exact.exitCode == 1, "never a proof: \(exact.stderr)")
        #expect(exact.json?["sound"] as? Bool == false && exact.json?["proven"] as? Bool == false, "\(exact.stdout)")
        #expect(exact.json?["exact_children_empty_at_d"] as? Int == 16 && exact.json?["proven_at_d"] is NSNull, "\(exact.stdout)")
        let sound = try Self.cascade(common + ["--max-d", "8", "--dir", Self.directory()])
        #expect(sound.exitCode == 1 && sound.json?["proven"] as? Bool == false, "\(sound.stderr)")
        #expect(Self.levelCounts(sound).last?["survivors"] == 536, "\(Self.levelCounts(sound))")
    }

    @Test(arguments: [
        ["--n", "1", "--m", "10", "--target", "abc"],
        ["--n", "1", "--m", "10", "--target", "1", "--levels", "-1"],
        ["--n", "1", "--m", "10", "--target", "1", "--levels", "1", "--max-d", "8"],
        ["--n", "1", "--m", "10", "--target", "1", "--max-d", "6"],
        ["--n", "1", "--m", "5000", "--target", "1", "--levels", "2"],
        ["--n", "4", "--m", "10", "--target", "1", "--levels", "4"],
        ["--resume", "/nonexistent/autoconv-run"],
        ["--n", "1"],
        ["--n", "1", "--m", "10", "--target", "1", "--sort-memory", "0"],
        ["--n", "1", "--m", "10", "--target", "1", "--backend", "cpu", "--device", "0"],
    ])
    func badInputExitsTwoWithOneLine(arguments: [String]) throws {
        let run = try Self.cascade(arguments + ["--dir", Self.directory()].filter { _ in !arguments.contains("--resume") })
        #expect(run.exitCode == 2, "\(arguments): \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(arguments): \(run.stderr)")
    }

    @Test func refusesAnotherRunAndCorruptSurvivors() throws {
        let dir = Self.directory()
        let first = try Self.cascade(["--n", "1", "--m", "4", "--target", "1", "--levels", "1", "--dir", dir])
        #expect(first.exitCode == 1 || first.exitCode == 0)
        let other = try Self.cascade(["--n", "1", "--m", "4", "--target", "1.1", "--levels", "1", "--dir", dir])
        #expect(other.exitCode == 2 && other.stderr.contains("different parameters"), "\(other.stderr)")
        let file = dir + "/level-1.surv"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let corrupt = try Self.cascade(["--resume", dir])
        #expect(corrupt.exitCode == 2 && corrupt.stderr.contains("invalid"), "\(corrupt.stderr)")
    }
}
