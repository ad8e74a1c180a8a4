import Foundation
import Testing
import TestSupport

/// `--device all` and `--device 0,1` (issue 11 §1) on two POCL devices: the same counts,
/// minima, ranks and survivor files as one device, the devices and their shares in the JSON,
/// and one-line refusals of bad lists.
@Suite(.serialized)
struct MultiDeviceCommandTests {
    /// Two CPU devices from POCL, for the child process, and pieces small enough that these
    /// small jobs are dealt in many pieces (rank ranges, runs of parents, parts of parents).
    static let twoDevices = ["POCL_DEVICES": "pthread pthread", "AUTOCONV_MIN_PIECE": "1000"]

    static func run(_ arguments: [String]) throws -> CLIRunner.Result {
        let run = try CLIRunner.run(arguments + ["--json", "--quiet"], environment: twoDevices)
        #expect(run.signal == nil, "\(run)")
        return run
    }

    /// The JSON of a run without what may differ between engines: times, and what ran.
    static func result(_ run: CLIRunner.Result) -> [String: String] {
        (run.json ?? [:]).filter { !["elapsed_seconds", "rate", "device", "devices", "survivors_file", "run_dir"].contains($0.key) }
            .mapValues { "\($0)" }
    }

    /// The `devices` entries: two, their shares hundredths summing to about 1, their work to `total`.
    static func expectDevices(_ run: CLIRunner.Result, work total: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let devices = run.json?["devices"] as? [[String: Any]] ?? []
        #expect(devices.count == 2, "\(run)", sourceLocation: sourceLocation)
        let work = devices.compactMap { ($0["work"] as? String).flatMap { Int($0) } }
        #expect(work.reduce(0, +) == total, "\(run)", sourceLocation: sourceLocation)
        let shares = devices.compactMap { ($0["share"] as? String).flatMap { Double($0) } }
        #expect(shares.count == 2 && abs(shares.reduce(0, +) - 1) <= 0.011, "\(run)", sourceLocation: sourceLocation)
    }

    @Test func twoDevicesFindTheSameMinimaAndRanks() throws {
        let job = ["bound", "--n", "3", "--m", "6", "--backend", "opencl"]
        let one = try Self.run(job + ["--device", "0"]), both = try Self.run(job + ["--device", "all"])
        #expect(one.exitCode == 0 && both.exitCode == 0, "\(one)\n\(both)")
        #expect(Self.result(one) == Self.result(both) && both.json?["argmin_rank"] != nil)
        #expect(one.json?["devices"] == nil, "one device lists no devices: \(one)")
        Self.expectDevices(both, work: 19_757_815)
        #expect(both.stderr.contains("OpenCL device 0:") && both.stderr.contains("OpenCL device 1:"), "\(both)")
    }

    @Test func twoDevicesProveWithTheSameSurvivorFile() throws {
        let folder = try CLIRunner.temporaryFolder()
        let one = folder.appendingPathComponent("one.surv").path, both = folder.appendingPathComponent("both.surv").path
        let job = ["prove", "--n", "3", "--m", "6", "--target", "1", "--backend", "opencl"]
        let a = try Self.run(job + ["--device", "0", "--survivors", one])
        let b = try Self.run(job + ["--device", "0,1", "--survivors", both])
        #expect(a.exitCode == 1 && b.exitCode == 1, "\(a)\n\(b)")
        #expect(Self.result(a) == Self.result(b) && a.json?["survivors"] as? String != "0")
        let bytes = FileManager.default.contents(atPath: one)
        #expect(bytes != nil && bytes == FileManager.default.contents(atPath: both), "survivor files differ")
        Self.expectDevices(b, work: 19_757_815)
    }

    @Test func twoDevicesRunTheSameCascade() throws {
        let one = try CascadeRunCLITestsDirectory.make(), both = try CascadeRunCLITestsDirectory.make()
        let job = ["cascade", "--n", "1", "--m", "8", "--target", "1", "--levels", "1", "--backend", "opencl"]
        let a = try Self.run(job + ["--device", "0", "--dir", one]), b = try Self.run(job + ["--device", "all", "--dir", both])
        #expect(a.exitCode == 1 && b.exitCode == 1, "\(a)\n\(b)")
        let levels = { (run: CLIRunner.Result) in
            (run.json?["levels"] as? [[String: Any]] ?? []).map { $0.filter { $0.key != "elapsed_seconds" && $0.key != "rate" }.mapValues { "\($0)" } }
        }
        #expect(levels(a) == levels(b) && levels(a).count == 2)
        for level in 0...1 {
            let file = "level-\(level).surv"
            let bytes = FileManager.default.contents(atPath: "\(one)/\(file)")
            #expect(bytes != nil && bytes == FileManager.default.contents(atPath: "\(both)/\(file)"), "\(file) differs")
        }
        #expect((b.json?["devices"] as? [[String: Any]])?.count == 2, "\(b)")
        #expect(try CLIRunner.run(["verify", both]).exitCode == 1)
    }

    @Test func badDeviceListsAreOneLineRefusals() throws {
        for (arguments, text) in [
            (["--backend", "opencl", "--device", "0,0"], "names OpenCL device 0"),
            (["--backend", "opencl", "--device", "0,nosuchdevice"], "no OpenCL device, platform or vendor name contains 'nosuchdevice'"),
            (["--backend", "opencl", "--device", "0,,1"], "has an empty entry"),
            (["--backend", "opencl", "--device", "all,0"], "--device all stands alone"),
            (["--backend", "opencl", "--device", "7"], "out of range"),
            (["--backend", "cpu", "--device", "all"], "--device needs --backend opencl or auto"),
        ] {
            let run = try CLIRunner.run(["bound", "--n", "1", "--m", "5"] + arguments, environment: Self.twoDevices)
            #expect(run.exitCode == 2 && run.stdout.isEmpty, "\(run)")
            #expect(run.stderrLines.count == 1 && run.stderr.hasPrefix("autoconv: error: ") && run.stderr.contains(text), "\(run)")
        }
    }
}

/// A fresh path for a run directory (not created).
enum CascadeRunCLITestsDirectory {
    static func make() throws -> String { try CLIRunner.temporaryFolder().appendingPathComponent("run").path }
}
