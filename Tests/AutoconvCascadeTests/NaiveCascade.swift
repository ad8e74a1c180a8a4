import AutoconvCascade
import AutoconvCore

/// The cascade done the obvious way, as the oracle for the engine: every composition at level 0,
/// then every child of every pattern of every parent (no caps, no pattern pruning, no prefix
/// bounds), each classified from scratch with `Evaluator.verdict`.
enum NaiveCascade {
    static func run(_ parameters: CascadeParameters) throws -> [LevelSummary] {
        let problems = try parameters.problems()
        var summaries: [LevelSummary] = []
        var parents: [[Int]] = []
        for (level, problem) in problems.enumerated() {
            let evaluator = Evaluator(problem: problem)
            let cutoffs = ProveCutoffs(problem: problem, target: parameters.target)
            var summary = LevelSummary(level: level, d: problem.d)
            var survivors = Set<[Int]>()
            func classify(_ c: [Int]) -> Bool {
                summary.children += 1
                switch evaluator.verdict(c, cutoffs: cutoffs) {
                case .asymmetryPruned: summary.asymmetryPruned += 1
                case .testPruned: summary.testPruned += 1
                case .survivor:
                    survivors.insert(c)
                    return true
                }
                return false
            }
            if level == 0 {
                let total = Compositions.count(parts: problem.d, sum: problem.S).exactly(UInt64.self)!
                for rank in 0..<total { _ = classify(Compositions.unrank(rank, parts: problem.d, sum: problem.S)!) }
            } else {
                for parent in parents {
                    summary.parents += 1
                    forEachPattern(of: parent, family: parameters.family) { children in
                        summary.patterns += 1
                        var anySurvivor = false
                        for child in children where classify(child) { anySurvivor = true }
                        if !anySurvivor { summary.patternsPruned += 1 }
                    }
                }
            }
            summary.survivors = UInt128(survivors.count)
            summary.canonicalSurvivors = UInt128(Set(survivors.map { Compositions.isCanonical($0) ? $0 : Children.reversed($0) }).count)
            summaries.append(summary)
            parents = survivors.sorted { $0.lexicographicallyPrecedes($1) }
            if parents.isEmpty { break }
        }
        return summaries
    }

    /// Every child of `parent` in `family`, pattern by pattern (Δ_1 … Δ_{dp−1} with a valid
    /// pair sum each): `body` gets each pattern's children, every split of every pair.
    static func forEachPattern(of parent: [Int], family: ChildFamily, _ body: ([[Int]]) -> Void) {
        let dp = parent.count
        let deltas = family.deltas
        for code in 0..<pow(deltas.width, dp - 1) {
            var pattern: [Int] = [], rest = code
            for _ in 0..<(dp - 1) {
                pattern.append(deltas.low + rest % deltas.width)
                rest /= deltas.width
            }
            guard let sums = Children.pairSums(parent: parent, pattern: pattern) else { continue }
            var children: [[Int]] = []
            var splits = [Int](repeating: 0, count: dp)
            while true {
                var child: [Int] = []
                for i in 0..<dp { child += [splits[i], sums[i] - splits[i]] }
                children.append(child)
                var i = 0
                while i < dp && splits[i] == sums[i] { splits[i] = 0; i += 1 }
                if i == dp { break }
                splits[i] += 1
            }
            body(children)
        }
    }

    private static func pow(_ base: Int, _ exponent: Int) -> Int {
        (0..<exponent).reduce(1) { result, _ in result * base }
    }
}
