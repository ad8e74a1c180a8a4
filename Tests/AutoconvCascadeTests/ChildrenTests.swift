import AutoconvCore
import Testing
import TestSupport

/// The coverage claim of method.md §5 and the child addressing.
struct ChildrenTests {
    /// Random grid-unit heights x (Σ x = total·D, as numerators over D) with zeros, tiny values,
    /// values on the grid and values next to grid points.
    static func heights(parts: Int, total: Int, denominator D: Int, using rng: inout SeededGenerator) -> [Int] {
        var x = [Int](repeating: 0, count: parts)
        var left = total * D
        for i in 0..<(parts - 1) {
            let kind = Int.random(in: 0..<6, using: &rng)
            let mean = left / max(parts - i, 1)
            var v: Int
            switch kind {
            case 0: v = 0
            case 1: v = Int.random(in: 0...min(2, left), using: &rng)                 // tiny
            case 2: v = D * Int.random(in: 0...(2 * mean / D + 1), using: &rng)        // on the grid
            case 3: v = D * Int.random(in: 0...(2 * mean / D + 1), using: &rng) + Int.random(in: -1...1, using: &rng)
            default: v = Int.random(in: 0...(2 * mean + 1), using: &rng)
            }
            v = max(0, min(v, left))
            x[i] = v
            left -= v
        }
        x[parts - 1] = left
        x.shuffle(using: &rng)
        return x
    }

    @Test func fineRoundingIsAChildOfTheCoarseRounding() throws {
        var rng = SeededGenerator(seed: 0xC0FFEE)
        var nonzeroPatterns = 0
        for trial in 0..<4000 {
            let coarseD = [2, 4, 8][trial % 3], m = Int.random(in: 1...12, using: &rng)
            let fineD = 2 * coarseD, fineS = 2 * fineD * m
            let D = [1, 2, 3, 7, 1000, 1 << 20][Int.random(in: 0..<6, using: &rng)]
            let x = Self.heights(parts: fineD, total: fineS, denominator: D, using: &rng)
            let fine = Children.lemma2Rounding(numerators: x, denominator: D)
            // Coarse bin averages are pair means: grid units (x_{2i} + x_{2i+1})/2.
            let pairs = (0..<coarseD).map { x[2 * $0] + x[2 * $0 + 1] }
            let coarse = Children.lemma2Rounding(numerators: pairs, denominator: 2 * D)
            #expect(coarse.reduce(0, +) == fineS / 2 && fine.reduce(0, +) == fineS, "trial \(trial)")
            let pattern = try #require(ChildTree.pattern(of: fine, parent: coarse, deltas: .relaxed), "trial \(trial): \(x)/\(D)")
            // Δ_i = ⌊2X_i⌋ − 2⌊X_i⌋ ∈ {0, 1} with X_i the coarse prefix sums (method.md §5 proof).
            var prefix = 0
            for i in 1..<coarseD {
                prefix += pairs[i - 1]
                let expected = (2 * prefix) / (2 * D) - 2 * (prefix / (2 * D))
                #expect(pattern[i - 1] == expected && (0...1).contains(expected), "trial \(trial)")
            }
            if pattern.contains(1) { nonzeroPatterns += 1 }
            let tree = try #require(ChildTree(parent: coarse, deltas: .relaxed))
            let index = try #require(tree.index(of: fine))
            #expect(tree.child(at: index)?.child == fine)
            #expect(ChildTree.parent(of: fine)?.parent == coarse)
            // The mirrored scheme: the reversed fine rounding of the reversed heights lies in the
            // mirrored family of the reverse of that coarse rounding.
            let rx = Array(x.reversed())
            let reversedFine = Children.lemma2Rounding(numerators: rx, denominator: D)
            let reversedCoarse = Children.lemma2Rounding(numerators: (0..<coarseD).map { rx[2 * $0] + rx[2 * $0 + 1] }, denominator: 2 * D)
            #expect(ChildTree.pattern(of: Children.reversed(reversedFine), parent: Children.reversed(reversedCoarse), deltas: .mirrored) != nil,
                    "trial \(trial)")
        }
        // The exact family (Δ ≡ 0) is not a cover: many roundings need Δ ≠ 0.
        #expect(nonzeroPatterns > 1000)
    }

    @Test func addressingEnumeratesEveryChildOnceInOrder() throws {
        var rng = SeededGenerator(seed: 7)
        for trial in 0..<60 {
            let d = [1, 2, 3, 4][trial % 4], S = Int.random(in: 0...7, using: &rng)
            var parent = (0..<d).map { _ in 0 }
            for _ in 0..<S { parent[Int.random(in: 0..<d, using: &rng)] += 1 }
            for deltas in [DeltaRange.relaxed, .exact, .mirrored] {
                let tree = try #require(ChildTree(parent: parent, deltas: deltas))
                var seen: [[Int]] = [], patterns = Set<[Int]>()
                for index in 0..<tree.count {
                    let (child, pattern) = try #require(tree.child(at: index))
                    #expect(tree.index(of: child) == index)
                    #expect(ChildTree.pattern(of: child, parent: parent, deltas: deltas) == pattern)
                    let sums = try #require(Children.pairSums(parent: parent, pattern: pattern))
                    let childSums: [Int] = (0..<d).map { child[2 * $0] + child[2 * $0 + 1] }
                    #expect(childSums == sums)
                    if deltas != .mirrored { #expect(ChildTree.parent(of: child)?.parent == parent) }
                    if let last = seen.last { #expect(pairDigits(last, parent).lexicographicallyPrecedes(pairDigits(child, parent))) }
                    seen.append(child)
                    patterns.insert(pattern)
                }
                #expect(tree.child(at: tree.count) == nil)
                #expect(UInt128(patterns.count) == tree.patternCount, "\(parent) \(deltas)")
                // The count from the definition: Σ over valid patterns of Π (σ_i + 1).
                var expected = 0
                for code in 0..<(1 << (d - 1)) where deltas.width == 2 || code == 0 {
                    let pattern = (0..<(d - 1)).map { deltas.low + (code >> $0) & 1 }
                    if let sums = Children.pairSums(parent: parent, pattern: pattern) { expected += sums.reduce(1) { $0 * ($1 + 1) } }
                }
                #expect(tree.count == UInt128(expected), "\(parent) \(deltas)")
            }
        }
    }

    /// The digit string (Δ_1, u_0, Δ_2, u_2, …) that orders children.
    private func pairDigits(_ child: [Int], _ parent: [Int]) -> [Int] {
        let d = parent.count
        var digits: [Int] = [], left = 0
        for i in 0..<d {
            let right = child[2 * i] + child[2 * i + 1] - 2 * parent[i] + left
            if i < d - 1 { digits.append(right) }
            digits.append(child[2 * i])
            left = right
        }
        return digits
    }

    /// test(child) ≥ test of the pattern's half vector σ/2 at the parent level, window by window:
    /// WS_child(2ℓ, 2s) ≥ WS_σ(ℓ, s); with Δ ≡ 0 that is test(child) ≥ test(parent).
    @Test func childrenAreAtLeastAsBadAsTheirPatternHalfVector() throws {
        var rng = SeededGenerator(seed: 99)
        for trial in 0..<400 {
            let n = [1, 2, 4][trial % 3], m = Int.random(in: 1...6, using: &rng)
            let parentProblem = try Problem(n: n, m: m), childProblem = try parentProblem.nextLevel()
            let parent = Compositions.unrank(UInt64.random(in: 0..<Compositions.count(parts: 2 * n, sum: parentProblem.S).exactly(UInt64.self)!, using: &rng),
                                             parts: 2 * n, sum: parentProblem.S)!
            let deltas: DeltaRange = trial % 4 == 0 ? .exact : .relaxed
            let tree = try #require(ChildTree(parent: parent, deltas: deltas))
            let (child, pattern) = try #require(tree.child(at: UInt128.random(in: 0..<tree.count, using: &rng)))
            let sums = try #require(Children.pairSums(parent: parent, pattern: pattern))
            let coarse = Evaluator(problem: parentProblem), fine = Evaluator(problem: childProblem)
            let fineSums = fine.windowSums(child), coarseSums = coarse.windowSums(sums)
            for (w, window) in coarse.windows.enumerated() {
                let f = try #require(fine.windows.firstIndex { $0.length == 2 * window.length && $0.start == 2 * window.start })
                #expect(fineSums[f] >= coarseSums[w], "trial \(trial): \(child) window \(window.length),\(window.start)")
            }
            let halfTest = zip(coarse.windows, coarseSums).map { Fraction($1, 4 * $0.denominator) }.max()!
            #expect(fine.testValue(child) >= halfTest)
            if deltas == .exact { #expect(fine.testValue(child) >= coarse.testValue(parent)) }
        }
    }
}
