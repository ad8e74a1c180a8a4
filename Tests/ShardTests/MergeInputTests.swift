import Foundation
import Testing
import TestSupport

/// `merge` reads files it did not write itself: anything that is not a complete, consistent
/// result file is bad input (exit 2, one line naming the file), never a crash and never a
/// different answer.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct MergeInputTests {
    static let bound = ["bound", "--n", "2", "--m", "5", "--threads", "1", "--json"]
    static let prove = ["prove", "--n", "2", "--m", "5", "--target", "1", "--threads", "1", "--show", "3", "--json"]
    /// Below the certified bound of (2, 5): no survivors, so every count is tied to the others.
    static let proven = ["prove", "--n", "2", "--m", "5", "--target", "0.8", "--threads", "1", "--show", "3", "--json"]

    /// Fields an edit may change without changing the result: timing, and the backend and
    /// device names (joined, not checked).
    static let free = ["elapsed_seconds", "rate", "backend", "device"]

    /// The merged output without `ignored` keys.
    static func essential(_ result: CLIRunner.Result, ignoring ignored: [String]) -> NSDictionary? {
        guard var object = result.json else { return nil }
        for key in ignored { object[key] = nil }
        return object as NSDictionary
    }

    /// Runs merge on `files`, where `bad` may be broken: the run must end with exit 2 and one
    /// line naming `bad`, or print exactly `expected`.
    static func expectRefusedOrSame(_ files: [String], bad: String, expected: CLIRunner.Result, ignoring ignored: [String],
                                    _ comment: String) throws {
        let result = try CLIRunner.run(["merge", "--json"] + files)
        #expect(result.signal == nil, "crashed (\(comment)): \(result)")
        if result.exitCode == 2 {
            #expect(result.stderrLines.count == 1 && result.stderr.contains(bad), "\(comment): \(result)")
            #expect(result.stdout.isEmpty, "\(comment): \(result)")
        } else {
            #expect(result.exitCode == expected.exitCode, "\(comment): \(result)")
            #expect(essential(result, ignoring: ignored) == essential(expected, ignoring: ignored), "\(comment): \(result)")
        }
    }

    @Test(arguments: [
        String(repeating: "[", count: 100_000),
        "{\"schema_version\": " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}",
        "", "{", "null", "[]", "{}", "{\"schema_version\": \"1\"}", "\u{FF}",
    ])
    func malformedFileIsBadInput(text: String) throws {
        let folder = try CLIRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("broken.json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["merge", path])
        #expect(result.signal == nil, "crashed: \(result.stderr.prefix(300))")
        #expect(result.exitCode == 2, "\(result.stderr.prefix(300))")
        #expect(result.stderrLines.count == 1 && result.stderr.contains(path), "\(result.stderr.prefix(300))")
    }

    /// One key of a real shard file removed, or given a value of the wrong type.
    @Test func missingKeysAndWrongTypesAreBadInput() throws {
        let folder = try CLIRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try MergeCommandTests.shardFiles(Self.prove, ["0/2", "1/2"], in: folder)
        let original = try String(contentsOfFile: files[1], encoding: .utf8)
        let edits: [(String, String)] = [
            ("\"n\": 2, ", ""), ("\"n\": 2", "\"n\": \"2\""), ("\"partial\": true", "\"partial\": 1"),
            ("\"survivors\": \"", "\"survivors\": \"-"), ("\"target\": \"1\"", "\"target\": 1"),
            ("\"range_lower\": \"", "\"range_lower\": \"+"), ("\"smallest_survivors\": [", "\"smallest_survivors\": [7, "),
        ]
        for (from, to) in edits {
            #expect(original.contains(from), "the file has no '\(from)'")
            try original.replacingOccurrences(of: from, with: to).write(toFile: files[1], atomically: true, encoding: .utf8)
            let result = try CLIRunner.run(["merge", "--json"] + files)
            #expect(result.exitCode == 2, "\(from) → \(to): \(result)")
            #expect(result.stderrLines.count == 1 && result.stderr.contains(files[1]), "\(from) → \(to): \(result)")
        }
    }

    /// Random bytes of a real shard file replaced: each merge is refused (exit 2, one line) or
    /// prints exactly the result of the intact files. With survivors, `canonical_survivors` is
    /// the one count that nothing else in a result file ties down (any value up to `survivors`
    /// adds up), so there an edit of it alone may pass.
    @Test(arguments: [(bound, free), (proven, free), (prove, free + ["canonical_survivors"])])
    func flippedBytesAreRefusedOrHarmless(arguments: [String], ignored: [String]) throws {
        let folder = try CLIRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try MergeCommandTests.shardFiles(arguments, ["0/3", "1/3", "2/3"], in: folder)
        let expected = try CLIRunner.run(["merge", "--json"] + files)
        #expect(expected.exitCode == 0 || expected.exitCode == 1, "\(expected)")
        var generator = SeededGenerator(seed: 20_250_609)
        for round in 0..<60 {
            let which = Int.random(in: 0..<files.count, using: &generator)
            let original = try Data(contentsOf: URL(fileURLWithPath: files[which]))
            var bytes = [UInt8](original)
            let offset = Int.random(in: 0..<bytes.count, using: &generator)
            let value = UInt8.random(in: 0...255, using: &generator)
            bytes[offset] = value
            try Data(bytes).write(to: URL(fileURLWithPath: files[which]))
            try Self.expectRefusedOrSame(files, bad: files[which], expected: expected, ignoring: ignored,
                                         "round \(round): byte \(offset) of \(files[which]) set to \(value)")
            try original.write(to: URL(fileURLWithPath: files[which]))
        }
    }
}
