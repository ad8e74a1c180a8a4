import AutoconvCore
import AutoconvOpenCL
import Foundation
import TestSupport

/// The device every OpenCL test runs on: the default choice (first GPU, else first device).
/// Without any OpenCL device the tests fail with the loader's message and hint; they never
/// skip (CI installs POCL).
func testDevice() throws -> OpenCLDevice {
    try OpenCLDevices.select(nil)
}

/// A backend on the test device with small walks, so that even tiny jobs spread over many
/// work-items and work-groups (partial groups and empty work-items included).
func testBackend(workGroupSize: Int, ranksPerWorkItem: UInt64 = 37, batchSize: UInt64? = nil) throws -> OpenCLBackend {
    var configuration = OpenCLConfiguration()
    configuration.workGroupSize = workGroupSize
    configuration.ranksPerWorkItem = ranksPerWorkItem
    configuration.batchSize = batchSize
    return try OpenCLBackend(device: try testDevice(), configuration: configuration)
}

/// How one CLI run ended.
struct CLIOutcome: CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String

    var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

/// Runs the built `autoconv` (found by `CLIRunner`) with extra environment variables, which
/// `CLIRunner.run` cannot set.
func runCLI(_ arguments: [String], environment extra: [String: String] = [:]) throws -> CLIOutcome {
    let process = Process()
    process.executableURL = try CLIRunner.executable()
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
    let folder = try CLIRunner.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let outURL = folder.appendingPathComponent("stdout"), errURL = folder.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    // A signal (a Swift trap) reads as a negative status, so no test can mistake it for an exit code.
    let status = process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus
    return CLIOutcome(status: status, stdout: try String(contentsOf: outURL, encoding: .utf8),
                      stderr: try String(contentsOf: errURL, encoding: .utf8))
}
