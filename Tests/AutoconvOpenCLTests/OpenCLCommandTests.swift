import Foundation
import Testing
import TestSupport

/// The CLI's OpenCL paths, through the built binary: listing, selection, every error path,
/// and a self-test that really stops a run.
@Suite struct OpenCLCommandTests {
    @Test func devicesListsEveryDevice() throws {
        let text = try CLIRunner.run(["devices"])
        #expect(text.exitCode == 0, "\(text)")
        #expect(text.stdout.hasPrefix("0  "), "\(text)")
        let json = try CLIRunner.run(["devices", "--json"])
        #expect(json.exitCode == 0, "\(json)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let devices = try #require(object?["devices"] as? [[String: Any]])
        #expect(!devices.isEmpty)
        for key in ["index", "platform", "name", "type", "compute_units", "global_memory_bytes", "opencl_version"] {
            #expect(devices[0][key] != nil, "missing \(key)")
        }
    }

    @Test func openCLRunReportsWhatRanAndMatchesCPU() throws {
        let arguments = ["bound", "--n", "2", "--m", "5", "--rule", "flat", "--json"]
        let device = try CLIRunner.run(arguments + ["--backend", "opencl", "--device", "0"])
        let cpu = try CLIRunner.run(arguments)
        #expect(device.exitCode == 0 && cpu.exitCode == 0, "\(device)\n\(cpu)")
        let d = try #require(try JSONSerialization.jsonObject(with: Data(device.stdout.utf8)) as? [String: Any])
        let c = try #require(try JSONSerialization.jsonObject(with: Data(cpu.stdout.utf8)) as? [String: Any])
        #expect(d["backend"] as? String == "opencl")
        let name = try #require(d["device"] as? String)
        #expect(device.stderr.contains("OpenCL device 0: \(name.prefix { $0 != "(" }.dropLast())"), "\(device)")
        for key in ["min_test", "argmin", "certified_bound", "certified_argmin"] {
            #expect("\(d[key] ?? "nil")" == "\(c[key] ?? "nil")", "\(key)")
        }
    }

    /// `--device` matches platform and vendor names too: POCL's device is found as `pocl`
    /// (vendor "The pocl project") and as `portable` (platform "Portable Computing Language").
    @Test func deviceMatchesPlatformNames() throws {
        let devices = try CLIRunner.run(["devices", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(devices.stdout.utf8)) as? [String: Any])
        let list = try #require(object["devices"] as? [[String: Any]])
        let pocl = try #require(list.first { ($0["platform_vendor"] as? String)?.lowercased().contains("pocl") == true },
                                "this test needs POCL: \(devices)")
        for spec in ["pocl", "PORTABLE"] {
            let run = try CLIRunner.run(["bound", "--n", "1", "--m", "5", "--backend", "opencl", "--device", spec])
            #expect(run.exitCode == 0, "\(run)")
            #expect(run.stderr.contains("OpenCL device \(pocl["index"] as! Int): \(pocl["name"] as! String)"), "\(run)")
        }
    }

    @Test func corruptedSelfTestStopsTheRun() throws {
        let run = try CLIRunner.run(["prove", "--n", "2", "--m", "5", "--target", "1", "--backend", "opencl"],
                                    environment: ["AUTOCONV_SELFTEST_CORRUPT": "1"])
        #expect(run.exitCode == 3, "\(run)")
        #expect(run.stderr.contains("self-test failed") && run.stderr.contains("composition [40, 0, 0, 0]"), "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        let skipped = try CLIRunner.run(["bound", "--n", "1", "--m", "5", "--backend", "opencl", "--skip-self-test"],
                                        environment: ["AUTOCONV_SELFTEST_CORRUPT": "1"])
        #expect(skipped.exitCode == 0, "\(skipped)")
    }

    /// The bound and prove kernels themselves are self-tested on rank ranges: corrupting what
    /// either must give stops the run before the job.
    @Test(arguments: ["bound", "prove"])
    func corruptedKernelSelfTestStopsTheRun(kernel: String) throws {
        let job = kernel == "prove" ? ["prove", "--n", "2", "--m", "5", "--target", "1"] : ["bound", "--n", "2", "--m", "5"]
        let run = try CLIRunner.run(job + ["--backend", "opencl"], environment: ["AUTOCONV_SELFTEST_CORRUPT": kernel])
        #expect(run.exitCode == 3, "\(run)")
        #expect(run.stderr.contains("OpenCL self-test failed: \(kernel) kernel"), "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
    }

    /// The cascade on OpenCL (level 0 and the child kernel) reports the CPU's levels, and a
    /// failing child self-test stops it before any child is counted.
    @Test func cascadeOnOpenCLMatchesCPU() throws {
        let arguments = ["cascade", "--n", "1", "--m", "10", "--target", "1", "--levels", "1", "--json"]
        let device = try CLIRunner.run(arguments + ["--backend", "opencl"])
        let cpu = try CLIRunner.run(arguments)
        #expect(device.exitCode == 1 && cpu.exitCode == 1, "survivors remain at d = 4:\n\(device)\n\(cpu)")
        #expect(device.stderr.contains("child self-test passed"), "\(device)")
        let d = try #require(try JSONSerialization.jsonObject(with: Data(device.stdout.utf8)) as? [String: Any])
        let c = try #require(try JSONSerialization.jsonObject(with: Data(cpu.stdout.utf8)) as? [String: Any])
        #expect(d["backend"] as? String == "opencl" && c["backend"] as? String == "cpu")
        let timing: Set<String> = ["elapsed_seconds", "rate"]
        func levels(_ json: [String: Any]) -> [String] {
            ((json["levels"] as? [[String: Any]]) ?? []).map { level in
                level.filter { !timing.contains($0.key) }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            }
        }
        #expect(levels(d).count == 2 && levels(d) == levels(c), "\(levels(d))\n\(levels(c))")

        let corrupted = try CLIRunner.run(arguments + ["--backend", "opencl"], environment: ["AUTOCONV_SELFTEST_CORRUPT": "children"])
        #expect(corrupted.exitCode == 3, "\(corrupted)")
        #expect(corrupted.stderr.contains("OpenCL child self-test failed: test-pruned"), "\(corrupted)")
        #expect(corrupted.stdout.isEmpty, "\(corrupted)")
    }

    @Test func badDeviceIndexIsBadInput() throws {
        let run = try CLIRunner.run(["bound", "--n", "1", "--m", "5", "--backend", "opencl", "--device", "99"])
        #expect(run.exitCode == 2, "\(run)")
        #expect(run.stderr.contains("device index 99 is out of range"), "\(run)")
        #expect(run.stderr.split(separator: "\n").count == 1, "one line, and no device banner: \(run)")
    }

    /// OCL_ICD_VENDORS naming an empty folder or an empty file: the loader finds no platform.
    @Test(arguments: ["folder", "file"])
    func noPlatformIsAFailureWithAHint(kind: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoconv-no-icd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var vendors = folder.path
        if kind == "file" {
            vendors = folder.appendingPathComponent("empty.icd").path
            _ = FileManager.default.createFile(atPath: vendors, contents: Data())
        }
        for arguments in [["devices"], ["bound", "--n", "1", "--m", "5", "--backend", "opencl"]] {
            let run = try CLIRunner.run(arguments, environment: ["OCL_ICD_VENDORS": vendors])
            #expect(run.exitCode == 3, "\(run)")
            #expect(run.stderr.contains("no OpenCL platform") && run.stderr.contains("pocl-opencl-icd"), "\(run)")
        }
        // `auto` falls back to the CPU backend.
        let auto = try CLIRunner.run(["bound", "--n", "1", "--m", "5", "--backend", "auto", "--json"], environment: ["OCL_ICD_VENDORS": vendors])
        #expect(auto.exitCode == 0 && auto.stdout.contains("\"backend\": \"cpu\""), "\(auto)")
    }

    @Test func missingRuntimeIsAFailureWithAHint() throws {
        let run = try CLIRunner.run(["devices"], environment: ["AUTOCONV_OPENCL_LIBRARY": "/nonexistent/libOpenCL.so.1"])
        #expect(run.exitCode == 3, "\(run)")
        #expect(run.stderr.contains("no OpenCL runtime") && run.stderr.contains("OCL_ICD_VENDORS"), "\(run)")
    }
}
