import Foundation

/// Runs the built `autoconv` executable, the one in the build folder these tests run from.
public enum CLIRunner {
    /// What one run printed and how it ended.
    public struct Result: Sendable, CustomStringConvertible {
        public let arguments: [String]
        public let stdout: String
        public let stderr: String
        /// The exit status, or nil when the process died from a signal (a Swift trap, say).
        public let exitCode: Int32?
        /// The signal that ended the process, if any.
        public let signal: Int32?

        /// stderr split into lines, without the final newline.
        public var stderrLines: [String] {
            stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
        }

        /// stdout parsed as one JSON object, or nil.
        public var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any]
        }

        public var description: String {
            let ending = exitCode.map { "exit \($0)" } ?? "signal \(signal ?? -1)"
            return "autoconv \(arguments.joined(separator: " ")) → \(ending)\nstdout: \(stdout)\nstderr: \(stderr)"
        }
    }

    public enum LookupError: Error, CustomStringConvertible {
        case notFound([String])
        public var description: String {
            guard case .notFound(let places) = self else { return "" }
            return "the autoconv executable was not found in \(places); build it first (swift build / swift test build it)"
        }
    }

    /// The executable: `$AUTOCONV_BIN` when set, else `autoconv` beside the test executable
    /// (SwiftPM puts both into the same `<scratch>/<configuration>` folder).
    public static func executable() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["AUTOCONV_BIN"] { return URL(fileURLWithPath: path) }
        var folders: [URL] = []
        // /proc/self/exe is the test runner itself even when started through a relative path.
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            folders.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
        }
        folders.append(Bundle.main.bundleURL)
        folders.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for folder in folders {
            let candidate = folder.appendingPathComponent("autoconv")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw LookupError.notFound(folders.map(\.path))
    }

    /// Runs `autoconv arguments…` to the end, with stdout and stderr captured in temporary files
    /// (pipes could fill and block a chatty child). `environment` is added to this process's
    /// variables, replacing any of the same name. With `interruptAfter`, `signal` is sent once
    /// that many seconds have passed, unless the run has already ended.
    public static func run(_ arguments: [String], environment: [String: String] = [:],
                           interruptAfter seconds: Double? = nil, signal: Int32 = SIGINT) throws -> Result {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outURL = folder.appendingPathComponent("stdout"), errURL = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        if let seconds {
            Thread.sleep(forTimeInterval: seconds)
            if process.isRunning { kill(process.processIdentifier, signal) }
        }
        process.waitUntilExit()
        try out.close()
        try err.close()
        let signalled = process.terminationReason == .uncaughtSignal
        return Result(
            arguments: arguments,
            stdout: try String(contentsOf: outURL, encoding: .utf8),
            stderr: try String(contentsOf: errURL, encoding: .utf8),
            exitCode: signalled ? nil : process.terminationStatus,
            signal: signalled ? process.terminationStatus : nil)
    }

    /// Starts `autoconv arguments…` in the background, its output discarded; the caller waits
    /// for it (or signals it).
    public static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// A fresh temporary folder for files a run writes; the caller removes it.
    public static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoconv-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}
