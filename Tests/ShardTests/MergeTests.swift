import AutoconvCore
import AutoconvCPU
import AutoconvCertificates
import Testing

/// Merging per-shard results gives exactly the unsharded result, for any shard count and for
/// mixed (nested) shard counts.
@Suite struct MergeTests {
    static let problems = [
        try! Problem(n: 2, m: 10, rule: .refined, windows: .twoD),
        try! Problem(n: 2, m: 7, rule: .flat, windows: .d),
        try! Problem(n: 3, m: 3, rule: .refined, windows: .d),
    ]

    /// Shard lists that tile the space: plain M-way splits and a nested mixture.
    static func tilings() throws -> [[Shard]] {
        try [1, 2, 3, 7, 64].map { m in try (0..<m).map { try Shard(index: $0, count: m) } } + [[
            Shard(index: 0, count: 4), Shard(index: 2, count: 8), Shard(index: 6, count: 16), Shard(index: 7, count: 16),
            Shard(index: 1, count: 2),
        ]]
    }

    @Test(arguments: problems)
    func boundMergesToTheUnshardedResult(problem: Problem) throws {
        let backend = CPUEngine(threads: 2)
        let whole = try Job(problem: problem)
        let expected = try backend.bound(whole, progress: nil)
        for shards in try Self.tilings() {
            var merged = BoundPartial()
            for shard in shards.reversed() {   // the order of merging must not matter
                merged.merge(try backend.bound(Job(problem: problem, range: shard.range(of: whole.range)), progress: nil))
            }
            #expect(merged == expected, "\(shards)")
        }
    }

    @Test(arguments: problems)
    func proveMergesToTheUnshardedResult(problem: Problem) throws {
        let backend = CPUEngine(threads: 2)
        let whole = try Job(problem: problem)
        let cutoffs = ProveCutoffs(problem: problem, target: Fraction(1))
        let expected = try backend.prove(whole, cutoffs: cutoffs, survivors: nil, progress: nil)
        #expect(expected.survivors > 0 || expected.testPruned > 0)
        for shards in try Self.tilings() {
            var merged = ProveCounts()
            for shard in shards {
                merged.merge(try backend.prove(Job(problem: problem, range: shard.range(of: whole.range)), cutoffs: cutoffs,
                                               survivors: nil, progress: nil))
            }
            #expect(merged == expected, "\(shards)")
        }
    }
}
