import Testing
import TestSupport

/// Every bad input exits 2 with exactly one line on stderr that names the problem, and never
/// with a trap.
@Suite(.timeLimit(.minutes(1)))
struct BadInputTests {
    struct BadRun: Sendable, CustomStringConvertible {
        let arguments: [String]
        /// A word the message must contain (case-insensitive).
        let names: String
        var description: String { arguments.joined(separator: " ") }
    }

    static let prove = ["prove", "--n", "1", "--m", "5"]

    static let runs: [BadRun] = [
        // The grid.
        BadRun(arguments: ["bound", "--n", "0", "--m", "5"], names: "n must"),
        BadRun(arguments: ["verify", "/nonexistent/autoconv-certificate"], names: "is not a folder"),
        BadRun(arguments: ["bound", "--n=-1", "--m", "5"], names: "n must"),
        BadRun(arguments: ["bound", "--n", "1", "--m", "0"], names: "m must"),
        BadRun(arguments: ["prove", "--n", "1", "--m", "-3", "--target", "1"], names: "m"),
        BadRun(arguments: ["bound", "--n", "x", "--m", "5"], names: "n"),
        BadRun(arguments: ["bound", "--m", "5"], names: "n"),
        BadRun(arguments: ["bound", "--n", "33", "--m", "1"], names: "bins"),
        BadRun(arguments: ["bound", "--n", "4611686018427387904", "--m", "1"], names: "n"),
        BadRun(arguments: ["bound", "--n", "9223372036854775807", "--m", "9223372036854775807"], names: "n"),
        BadRun(arguments: ["count", "--n", "0", "--m", "5"], names: "n must"),
        BadRun(arguments: ["count", "--n", "1", "--m", "0"], names: "m must"),
        BadRun(arguments: ["count", "--n", "4611686018427387904", "--m", "1"], names: "n"),
        BadRun(arguments: ["count", "--n", "99999999999999999999", "--m", "1"], names: "n"),
        // S = 4nm past the exact 32-bit limit.
        BadRun(arguments: ["bound", "--n", "1", "--m", "20000"], names: "S"),
        BadRun(arguments: ["bound", "--n", "1", "--m", "9223372036854775807"], names: "S"),
        BadRun(arguments: prove.dropLast(2) + ["--m", "20000", "--target", "1"], names: "S"),
        // More than 2^64 compositions: refused at once, pointing to the cascade.
        BadRun(arguments: ["bound", "--n", "24", "--m", "50"], names: "cascade"),
        BadRun(arguments: ["prove", "--n", "24", "--m", "50", "--target", "1.28"], names: "cascade"),
        // The target.
        BadRun(arguments: prove + ["--target", "abc"], names: "target"),
        BadRun(arguments: prove + ["--target", "1e3"], names: "target"),
        BadRun(arguments: prove + ["--target", "1/0"], names: "target"),
        BadRun(arguments: prove + ["--target", ""], names: "target"),
        BadRun(arguments: prove + ["--target", "2"], names: "target"),
        BadRun(arguments: prove + ["--target", "0"], names: "target"),
        BadRun(arguments: prove + ["--target=-1"], names: "target"),
        BadRun(arguments: prove + ["--target", "1.0000000000001"], names: "target"),
        BadRun(arguments: prove, names: "target"),
        // How to run.
        BadRun(arguments: ["bound", "--n", "1", "--m", "5", "--threads", "0"], names: "threads"),
        BadRun(arguments: prove + ["--target", "1", "--threads=-2"], names: "threads"),
        BadRun(arguments: prove + ["--target", "0.5", "--survivors", "/nonexistent/dir/x"], names: "survivors"),
        BadRun(arguments: prove + ["--target", "1", "--show", "-1"], names: "show"),
        BadRun(arguments: ["bound", "--n", "1", "--m", "5", "--foo"], names: "--foo"),
        BadRun(arguments: ["bound", "--n", "1", "--m", "5", "--rule", "medium"], names: "medium"),
        BadRun(arguments: ["bound", "--n", "1", "--m", "5", "--max-window", "3d"], names: "3d"),
        BadRun(arguments: ["bound", "--n", "1", "--m", "5", "--backend", "gpu"], names: "gpu"),
        BadRun(arguments: ["frobnicate"], names: "frobnicate"),
        BadRun(arguments: ["help", "frobnicate"], names: "frobnicate"),
        // Launch shapes are checked before any device work: the OpenCL banner would be a second line.
        BadRun(arguments: ["bound", "--n", "1", "--m", "5", "--backend", "opencl", "--work-group-size", "0"], names: "work-group-size"),
        BadRun(arguments: prove + ["--target", "1", "--backend", "opencl", "--batch-size", "0"], names: "batch-size"),
        BadRun(arguments: ["cascade", "--n", "1", "--m", "5", "--target", "1", "--backend", "opencl", "--work-group-size", "0"],
               names: "work-group-size"),
    ]

    @Test(arguments: runs)
    func exitsTwoWithOneLine(_ run: BadRun) throws {
        let result = try CLIRunner.run(run.arguments)
        #expect(result.signal == nil, "crashed: \(result)")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderrLines.count == 1, "\(result)")
        #expect(result.stderr.lowercased().contains(run.names.lowercased()), "message should name \(run.names): \(result)")
        #expect(result.stdout.isEmpty, "\(result)")
    }
}
