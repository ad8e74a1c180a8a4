import AutoconvCore
import AutoconvCPU
import AutoconvOpenCL
import Testing
import TestSupport

/// OpenCL equals CPU exactly: minima, minimisers (value, rank and composition), counts and
/// survivor sets. Small walks make every job span many work-items and work-groups.
@Suite struct BackendEquivalenceTests {
    static let cpu = CPUEngine(threads: 2)

    /// The values.json grids with n ≤ 2, and n = 3, m = 3.
    static let boundGrids: [(Int, Int)] = ReferenceValues.loadedOrEmpty.minTest
        .filter { $0.n <= 2 || ($0.n == 3 && $0.m == 3) }.map { ($0.n, $0.m) }

    @Test(arguments: [1, 64, 256])
    func boundMatchesCPU(workGroupSize: Int) throws {
        #expect(Self.boundGrids.count >= 7, "values.json grids missing")
        let backend = try testBackend(workGroupSize: workGroupSize)
        for (n, m) in Self.boundGrids {
            for rule in Rule.allCases {
                for windows in WindowSet.allCases {
                    let job = try Job(problem: try Problem(n: n, m: m, rule: rule, windows: windows))
                    let device = try backend.bound(job, progress: nil)
                    #expect(device.minTest != nil)
                    #expect(device == (try Self.cpu.bound(job, progress: nil)), "\(job.problem)")
                }
            }
        }
    }

    /// Random rank ranges, the first and last ranks included, in many small launches (so the
    /// seeds that earlier launches pass on are exercised).
    @Test(arguments: [1, 64, 256])
    func boundOnRankRangesMatchesCPU(workGroupSize: Int) throws {
        let backend = try testBackend(workGroupSize: workGroupSize, ranksPerWorkItem: 5, batchSize: 4_099)
        var random = SeededGenerator(seed: 0xb0 + UInt64(workGroupSize))
        for (n, m) in [(2, 10), (3, 3)] {
            for rule in Rule.allCases {
                let problem = try Problem(n: n, m: m, rule: rule, windows: workGroupSize == 64 ? .d : .twoD)
                let total = try Job(problem: problem).range.upper
                for range in Self.ranges(total: total, using: &random) {
                    let job = Job(problem: problem, range: range)
                    #expect(try backend.bound(job, progress: nil) == (try Self.cpu.bound(job, progress: nil)), "\(problem) \(range)")
                }
            }
        }
    }

    /// Every values.json prove entry with n ≤ 2, in both window sets: counts equal the CPU's
    /// (and the known answers where values.json has them), survivors equal as sets and order.
    @Test(arguments: [1, 64, 256])
    func proveMatchesCPU(workGroupSize: Int) throws {
        let entries = ReferenceValues.loadedOrEmpty.prove.filter { $0.n <= 2 }
        #expect(entries.count >= 4, "values.json prove entries missing")
        let backend = try testBackend(workGroupSize: workGroupSize)
        for entry in entries {
            for windows in WindowSet.allCases {
                let problem = try Problem(n: entry.n, m: entry.m, rule: Rule(rawValue: entry.rule)!, windows: windows)
                let cutoffs = ProveCutoffs(problem: problem, target: try TargetParser.parse(entry.target))
                let job = try Job(problem: problem)
                let (deviceCounts, deviceSurvivors) = try Self.prove(backend, job, cutoffs)
                let (cpuCounts, cpuSurvivors) = try Self.prove(Self.cpu, job, cutoffs)
                #expect(deviceCounts == cpuCounts, "\(entry) windows \(windows)")
                #expect(Self.sameSurvivors(deviceSurvivors, cpuSurvivors), "\(entry) windows \(windows)")
                if windows.rawValue == entry.maxWindow {
                    #expect(deviceCounts.survivors == entry.survivors && deviceCounts.testPruned == entry.testPruned
                            && deviceCounts.asymmetryPruned == entry.asymPruned && deviceCounts.canonicalSurvivors == entry.canonicalSurvivors,
                            "\(entry)")
                }
            }
        }
    }

    /// The n = 3, m = 5 refined entry (8.3 million compositions), counts and survivors.
    @Test func proveLargerGridMatchesCPU() throws {
        let problem = try Problem(n: 3, m: 5, rule: .refined, windows: .d)
        let cutoffs = ProveCutoffs(problem: problem, target: try TargetParser.parse("0.9"))
        let job = try Job(problem: problem)
        let (deviceCounts, deviceSurvivors) = try Self.prove(try OpenCLEngine(device: try testDevice()), job, cutoffs)
        let (cpuCounts, cpuSurvivors) = try Self.prove(Self.cpu, job, cutoffs)
        #expect(deviceCounts == cpuCounts)
        #expect(Self.sameSurvivors(deviceSurvivors, cpuSurvivors))
        #expect(deviceCounts.survivors > 0)
    }

    /// Random rank ranges in prove mode, with a survivor buffer far too small: every launch
    /// overflows, is re-run with a larger buffer or split, and still no survivor is lost.
    @Test(arguments: [1, 64, 256])
    func proveOverflowLosesNothing(workGroupSize: Int) throws {
        var configuration = OpenCLConfiguration()
        configuration.workGroupSize = workGroupSize
        configuration.ranksPerWorkItem = 11
        configuration.batchSize = 20_000
        configuration.survivorCapacity = 3
        configuration.maxSurvivorCapacity = 40
        let backend = try OpenCLEngine(device: try testDevice(), configuration: configuration)
        var random = SeededGenerator(seed: 0x0f + UInt64(workGroupSize))
        for rule in Rule.allCases {
            let problem = try Problem(n: 2, m: 10, rule: rule, windows: .twoD)
            let cutoffs = ProveCutoffs(problem: problem, target: Fraction(1))
            let total = try Job(problem: problem).range.upper
            for range in Self.ranges(total: total, using: &random) {
                let job = Job(problem: problem, range: range)
                let (deviceCounts, deviceSurvivors) = try Self.prove(backend, job, cutoffs)
                let (cpuCounts, cpuSurvivors) = try Self.prove(Self.cpu, job, cutoffs)
                #expect(deviceCounts == cpuCounts, "\(problem) \(range)")
                #expect(Self.sameSurvivors(deviceSurvivors, cpuSurvivors), "\(problem) \(range)")
            }
        }
    }

    /// The whole space, a prefix from rank 0, a suffix to the last rank, single ranks at both
    /// ends and a random middle range.
    static func ranges(total: UInt64, using random: inout SeededGenerator) -> [RankRange] {
        let a = UInt64.random(in: 0..<total, using: &random), b = UInt64.random(in: 0..<total, using: &random)
        let cut = UInt64.random(in: 1..<total, using: &random)
        return [RankRange(0, total), RankRange(0, cut), RankRange(cut, total), RankRange(0, 1),
                RankRange(total - 1, total), RankRange(min(a, b), max(a, b) + 1)]
    }

    /// Whether two survivor lists are equal, element by element; records the first difference
    /// briefly (the lists can hold thousands of survivors).
    static func sameSurvivors(_ device: [Survivor], _ cpu: [Survivor]) -> Bool {
        guard device != cpu else { return true }
        let index = (0..<min(device.count, cpu.count)).first { device[$0] != cpu[$0] } ?? min(device.count, cpu.count)
        Issue.record("survivors differ: \(device.count) on the device, \(cpu.count) on the CPU; first difference at \(index): device \(index < device.count ? "\(device[index])" : "none"), CPU \(index < cpu.count ? "\(cpu[index])" : "none")")
        return false
    }

    /// Counts and every survivor, in the order the backend delivered them.
    static func prove(_ backend: Engine, _ job: Job, _ cutoffs: ProveCutoffs) throws -> (ProveCounts, [Survivor]) {
        var survivors: [Survivor] = []
        let counts = try backend.prove(job, cutoffs: cutoffs, survivors: { survivors += $0 }, progress: nil)
        return (counts, survivors)
    }
}
