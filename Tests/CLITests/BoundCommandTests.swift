import AutoconvCore
import Testing
import TestSupport

@Suite(.timeLimit(.minutes(1)))
struct BoundCommandTests {
    /// Keys the issue promises for `bound --json`; more may be added, none renamed.
    static let requiredKeys = [
        "schema_version", "command", "n", "m", "d", "S", "rule", "max_window", "backend", "device",
        "compositions", "min_test", "certified_bound", "min_test_value", "certified_bound_value", "argmin",
        "elapsed_seconds", "rate",
    ]

    @Test(arguments: [(Rule.refined, WindowSet.twoD), (.flat, .d)])
    func jsonHasEveryKeyWithExactValues(rule: Rule, windows: WindowSet) throws {
        let entry = try #require(ReferenceValues.loadedOrEmpty.minTest.first { $0.n == 2 && $0.m == 5 })
        let result = try CLIRunner.run(["bound", "--n", "2", "--m", "5", "--rule", rule.rawValue,
                                        "--max-window", windows.rawValue, "--threads", "2", "--json"])
        #expect(result.exitCode == 0, "\(result)")
        let json = try #require(result.json, "stdout is one JSON object: \(result)")
        for key in Self.requiredKeys { #expect(json[key] != nil, "missing \(key)") }

        #expect(json["schema_version"] as? Int == 2)
        #expect(json["command"] as? String == "bound")
        #expect(json["n"] as? Int == 2 && json["m"] as? Int == 5 && json["d"] as? Int == 4 && json["S"] as? Int == 40)
        #expect(json["rule"] as? String == rule.rawValue)
        #expect(json["max_window"] as? String == windows.rawValue)
        #expect(json["backend"] as? String == "cpu")
        #expect((json["device"] as? String)?.isEmpty == false)
        #expect(json["compositions"] as? String == entry.compositions)

        let problem = try Problem(n: 2, m: 5, rule: rule, windows: windows)
        let naive = NaiveSolver(problem)
        let expectedTest = try #require(Fraction(parsing: entry.answer(for: windows).minTest))
        let expectedCertified = try #require(naive.bound(canonicalOnly: false).minCertified).value
        #expect(json["min_test"] as? String == expectedTest.description)
        #expect(json["certified_bound"] as? String == expectedCertified.description)
        let testValue = try #require(json["min_test_value"] as? Double)
        let certifiedValue = try #require(json["certified_bound_value"] as? Double)
        #expect(abs(testValue - expectedTest.doubleValue) < 1e-12)
        #expect(abs(certifiedValue - expectedCertified.doubleValue) < 1e-12)
        let argmin = try #require(json["argmin"] as? [Int])
        #expect(argmin.count == 4 && argmin.reduce(0, +) == 40 && naive.testValue(argmin) == expectedTest, "\(argmin)")
        #expect((json["elapsed_seconds"] as? Double).map { $0 >= 0 } == true)
        #expect((json["rate"] as? Double).map { $0 > 0 } == true)
        #expect(result.stdout.split(separator: "\n").count == 1, "one JSON object on one line")
    }

    @Test func textReportsBothBoundsAndMinimisers() throws {
        let result = try CLIRunner.run(["bound", "--n", "2", "--m", "5"])
        #expect(result.exitCode == 0, "\(result)")
        let naive = NaiveSolver(n: 2, m: 5, rule: .refined, windows: .twoD).bound(canonicalOnly: true)
        let minTest = try #require(naive.minTest), certified = try #require(naive.minCertified)
        for text in [minTest.value.description, certified.value.description, "\(minTest.composition)", "\(certified.composition)"] {
            #expect(result.stdout.contains(text), "stdout lacks \(text): \(result)")
        }
    }
}
