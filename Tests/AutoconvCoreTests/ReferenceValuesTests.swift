import AutoconvCore
import BigInt
import Foundation
import Testing
import TestSupport

/// values.json itself: it loads, its committed copy is current, and its entries are consistent
/// with the core's counting and with the naive oracle.
@Suite struct ReferenceValuesTests {
    @Test func loadsWithEntries() throws {
        let values = try ReferenceValues.load()
        #expect(!values.minTest.isEmpty)
        #expect(!values.prove.isEmpty)
    }

    @Test func committedFixtureMatchesTheSharedCopy() throws {
        let fixture = try Data(contentsOf: ReferenceValues.fixtureURL)
        #expect(!fixture.isEmpty)
        guard FileManager.default.fileExists(atPath: ReferenceValues.sharedURL.path) else { return }
        let shared = try Data(contentsOf: ReferenceValues.sharedURL)
        #expect(fixture == shared, "Tests/Fixtures/values.json differs from \(ReferenceValues.sharedURL.path): copy it again")
    }

    @Test(arguments: ReferenceValues.loadedOrEmpty.minTest)
    func gridFieldsAgreeWithTheCore(entry: ReferenceValues.MinTestEntry) throws {
        let problem = try Problem(n: entry.n, m: entry.m)
        #expect(problem.d == entry.d && problem.S == entry.S)
        #expect(Compositions.count(parts: entry.d, sum: entry.S).description == entry.compositions)
    }

    /// The published minimisers have the published test values, by the naive oracle and by
    /// the core's evaluator (a cheap check of both, before the exhaustive runs).
    @Test(arguments: ReferenceValues.loadedOrEmpty.minTest)
    func publishedMinimisersHaveThePublishedValues(entry: ReferenceValues.MinTestEntry) throws {
        for windows in WindowSet.allCases {
            let answer = entry.answer(for: windows)
            let expected = try #require(Fraction(parsing: answer.minTest))
            let c = answer.argmin
            #expect(c.count == entry.d && c.allSatisfy { $0 >= 0 } && c.reduce(0, +) == entry.S)
            let problem = try Problem(n: entry.n, m: entry.m, windows: windows)
            #expect(NaiveSolver(problem).testValue(c) == expected, "\(entry) \(windows)")
            #expect(Evaluator(problem: problem).testValue(c) == expected, "\(entry) \(windows)")
        }
    }
}
