import AutoconvCascade
import AutoconvCore
import AutoconvCPU
import AutoconvPlan
import Foundation
import Testing

/// The planner against real cascade runs: exact where nothing is sampled, seeded otherwise.
@Suite struct PlannerTests {
    let engine = CPUEngine(threads: 2)

    /// Runs a real cascade (in a temporary directory) and returns its level summaries.
    func cascade(n: Int, m: Int, target: Fraction, finalLevel: Int) throws -> [LevelSummary] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("plan-test-\(UUID().uuidString)").path
        defer { RunDirectory.removeRun(at: path) }
        let parameters = CascadeParameters(n0: n, m: m, target: target, rule: .refined, windows: .twoD, family: .relaxed,
                                           finalLevel: finalLevel)
        let directory = try RunDirectory(path: path, parameters: parameters, binaryVersion: "plan-tests")
        return try Cascade(directory: directory, engine: engine, stop: { false }, events: { _ in }).run().levels
    }

    @Test func provenAtLevelZeroIsReportedWithExactCounts() throws {
        // (2, 10) proves 0.9 at level 0 (d = 4): every composition pruned.
        let settings = PlanSettings(target: Fraction(9, 10), budgetSeconds: 60, maxD: 8)
        let plan = try Planner(engine: engine, settings: settings).plan(n: 2, m: 10)
        let real = try cascade(n: 2, m: 10, target: Fraction(9, 10), finalLevel: 1)
        #expect(real.count == 1 && real[0].survivors == 0)
        #expect(plan.outcome == .provenAtLevelZero && plan.withinBudget && plan.provenAtD == 4)
        #expect(plan.levels.count == 1)
        #expect(plan.levels[0].exact && plan.levels[0].survivors.exact == 0)
        #expect(plan.levels[0].children.exact == UInt128(real[0].children))
    }

    @Test func aSampleCoveringEveryParentGivesTheCascadesCounts() throws {
        // (1, 6) at 9/10: 5 survivors at d = 2, 31 at d = 4, none at d = 8.
        let target = Fraction(9, 10)
        let real = try cascade(n: 1, m: 6, target: target, finalLevel: 2)
        #expect(real.map(\.survivors) == [5, 31, 0])
        let settings = PlanSettings(target: target, budgetSeconds: 600, samplesPerLevel: 1000, seed: 7, maxD: 8)
        let plan = try Planner(engine: engine, settings: settings).plan(n: 1, m: 6)
        #expect(plan.outcome == .withinBudget && plan.provenAtD == 8)
        #expect(plan.levels.map(\.parents.exact) == [UInt128(real[0].children), 5, 31])
        #expect(plan.levels.map(\.children.exact) == real.map { Optional(UInt128($0.children)) })
        #expect(plan.levels.map(\.survivors.exact) == real.map { Optional(UInt128($0.survivors)) })
        #expect(plan.levels.allSatisfy { $0.exact })
    }

    @Test func aSmallSampleKeepsLevelOneParentsExactAndIsRepeatable() throws {
        let settings = PlanSettings(target: Fraction(9, 10), budgetSeconds: 600, samplesPerLevel: 2, seed: 5, maxD: 8)
        let a = try Planner(engine: engine, settings: settings).plan(n: 1, m: 6)
        let b = try Planner(engine: engine, settings: settings).plan(n: 1, m: 6)
        // Level 1's parents are level 0's survivors exactly, sampled or not.
        #expect(a.levels[1].parents.exact == 5)
        #expect(a.levels[1].children.exact != nil)
        #expect(!a.levels[1].exact)
        #expect(a.levels.map(\.survivors.value) == b.levels.map(\.survivors.value))
        #expect(a.levels.map(\.sampled) == b.levels.map(\.sampled))
    }
}
