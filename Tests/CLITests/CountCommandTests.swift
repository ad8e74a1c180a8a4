import Testing
import TestSupport

@Suite(.timeLimit(.minutes(1)))
struct CountCommandTests {
    @Test func printsExactBigCounts() throws {
        // n = 24, m = 50: d = 48, S = 4800, about 2^378 compositions.
        let result = try CLIRunner.run(["count", "--n", "24", "--m", "50"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == String(binomial(4847, 47)))
        #expect(result.stderr.isEmpty, "\(result)")
    }

    @Test func printsJSON() throws {
        let result = try CLIRunner.run(["count", "--n", "2", "--m", "10", "--json"])
        #expect(result.exitCode == 0, "\(result)")
        let json = try #require(result.json, "\(result)")
        #expect(json["compositions"] as? String == String(binomial(83, 3)))
        #expect(json["n"] as? Int == 2 && json["m"] as? Int == 10 && json["d"] as? Int == 4 && json["S"] as? Int == 80)
    }
}
