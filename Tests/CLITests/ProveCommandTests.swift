import AutoconvCore
import Foundation
import Testing
import TestSupport

@Suite(.timeLimit(.minutes(1)))
struct ProveCommandTests {
    static let requiredKeys = [
        "schema_version", "command", "n", "m", "d", "S", "rule", "max_window", "backend", "device",
        "compositions", "target", "asym_pruned", "test_pruned", "survivors", "canonical_survivors", "proven",
        "elapsed_seconds", "rate",
    ]

    @Test(arguments: ReferenceValues.loadedOrEmpty.prove.filter { $0.n == 2 })
    func knownCountsExitOneWithSurvivors(entry: ReferenceValues.ProveEntry) throws {
        let result = try CLIRunner.run(["prove", "--n", "\(entry.n)", "--m", "\(entry.m)", "--target", entry.target,
                                        "--rule", entry.rule, "--max-window", entry.maxWindow, "--json"])
        let json = try #require(result.json, "\(result)")
        for key in Self.requiredKeys { #expect(json[key] != nil, "missing \(key)") }
        #expect(json["command"] as? String == "prove")
        #expect(json["target"] as? String == (try TargetParser.parse(entry.target)).description)
        #expect(json["rule"] as? String == entry.rule && json["max_window"] as? String == entry.maxWindow)
        #expect(json["asym_pruned"] as? String == String(entry.asymPruned))
        #expect(json["test_pruned"] as? String == String(entry.testPruned))
        #expect(json["survivors"] as? String == String(entry.survivors))
        #expect(json["canonical_survivors"] as? String == String(entry.canonicalSurvivors))
        #expect(json["proven"] as? Bool == (entry.survivors == 0))
        #expect(result.exitCode == (entry.survivors == 0 ? 0 : 1), "\(result)")
    }

    @Test func exitsZeroWhenProven() throws {
        // Just below the certified bound every composition is pruned (method.md §3–4).
        let naive = NaiveSolver(n: 1, m: 10, rule: .refined, windows: .twoD)
        let certified = try #require(naive.bound(canonicalOnly: false).minCertified).value
        let target = Fraction(certified.numerator * 1000 - 1, certified.denominator * 1000)
        #expect(naive.prove(target: target).counts.survivors == 0)
        let result = try CLIRunner.run(["prove", "--n", "1", "--m", "10", "--target", target.description, "--json"])
        #expect(result.exitCode == 0, "\(result)")
        let json = try #require(result.json, "\(result)")
        #expect(json["proven"] as? Bool == true)
        #expect(json["survivors"] as? String == "0" && json["canonical_survivors"] as? String == "0")

        let text = try CLIRunner.run(["prove", "--n", "1", "--m", "10", "--target", target.description])
        #expect(text.exitCode == 0 && text.stdout.contains("PROVEN"), "\(text)")
    }

    @Test func survivorsFileHoldsEverySurvivorInRankOrder() throws {
        let folder = try CLIRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("survivors.bin").path
        let result = try CLIRunner.run(["prove", "--n", "2", "--m", "5", "--target", "1", "--json", "--survivors", path])
        #expect(result.exitCode == 1, "\(result)")
        let json = try #require(result.json, "\(result)")

        let problem = try Problem(n: 2, m: 5)
        let expected = NaiveSolver(problem).prove(target: Fraction(1))
        #expect(json["survivors"] as? String == String(expected.counts.survivors))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let (header, records) = try SurvivorFormat.decode(bytes)
        #expect(header.problem == problem && header.target == Fraction(1))
        #expect(UInt64(records.count) == expected.counts.survivors)
        #expect(records == expected.survivors.map(\.composition))
        // Only the finished file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["survivors.bin"])
    }

    @Test func showListsTheSmallestSurvivors() throws {
        let result = try CLIRunner.run(["prove", "--n", "2", "--m", "5", "--target", "1", "--json", "--show", "5"])
        #expect(result.exitCode == 1, "\(result)")
        let json = try #require(result.json, "\(result)")
        let shown = try #require(json["smallest_survivors"] as? [[String: Any]], "\(result)")

        // The K smallest test values, ties in rank order.
        let naive = NaiveSolver(n: 2, m: 5, rule: .refined, windows: .twoD)
        let expected = naive.prove(target: Fraction(1)).survivors
            .map { (test: naive.testValue($0.composition), survivor: $0) }
            .sorted { $0.test != $1.test ? $0.test < $1.test : $0.survivor.rank < $1.survivor.rank }
            .prefix(5)
        #expect(shown.count == expected.count)
        for (entry, want) in zip(shown, expected) {
            #expect(entry["composition"] as? [Int] == want.survivor.composition)
            #expect(entry["test"] as? String == want.test.description)
            // The value compared with the target, under the run's rule: at most the target.
            let corrected = naive.windowValues(want.survivor.composition).corrected
            #expect(entry["corrected_test"] as? String == corrected.description)
            #expect(corrected <= Fraction(1))
        }

        let text = try CLIRunner.run(["prove", "--n", "2", "--m", "5", "--target", "1", "--show", "2"])
        #expect(text.exitCode == 1)
        let lines = text.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("survivor ") }
        #expect(lines.count == 2, "\(text)")
        for (line, want) in zip(lines, expected) {
            let corrected = naive.windowValues(want.survivor.composition).corrected
            #expect(line.contains("refined-corrected test = \(corrected) ≈") && line.hasSuffix("≤ target 1"), "\(line)")
        }
    }

    /// `--survivors` and `--certificate` write only regular files and folders: a FIFO, a device
    /// or a link to one is refused (exit 2) and left as it was.
    @Test func refusesToWriteIntoSpecialFiles() throws {
        let folder = try CLIRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let link = folder.appendingPathComponent("link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/null")
        let prove = ["prove", "--n", "1", "--m", "5", "--target", "0.5"]
        // /dev/null itself too: a rename over it would replace the machine's /dev/null.
        for path in [fifo, link, "/dev/null"] {
            for option in ["--survivors", "--certificate"] {
                let result = try CLIRunner.run(prove + [option, path])
                #expect(result.exitCode == 2, "\(result)")
                #expect(result.stderrLines.count == 1 && result.stderr.contains(path), "\(result)")
                #expect(result.stdout.isEmpty, "\(result)")
            }
        }
        #expect(Self.fileType(fifo) == S_IFIFO, "the FIFO was replaced")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "/dev/null", "the link was replaced")
        #expect(Self.fileType("/dev/null") == S_IFCHR)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["fifo", "link"])
    }

    /// The type bits of `path` (not following a symbolic link).
    static func fileType(_ path: String) -> mode_t {
        var info = stat()
        guard lstat(path, &info) == 0 else { return 0 }
        return info.st_mode & S_IFMT
    }
}
